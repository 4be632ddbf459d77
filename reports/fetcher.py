"""WeasyPrint's URL fetcher, restricted to the project's own static and media files.

Every other URL is refused before anything is opened: other local paths (`file:///etc/passwd`,
`../` tricks, symlinks out of the allowed folders), every network scheme and address
(127.0.0.1 and localhost included), `data:` URLs. Templates refer to files with `file://` URLs
made by `file_url()`, which only succeeds for files inside the allowed folders.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage

from reports.weasy import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class URLRefused(ValueError):
    """The report renderer may not read this URL."""


def allowed_roots() -> list[Path]:
    """The folders a report may read from: static files (ours and apps') and public media."""
    roots: list[Path] = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            if isinstance(storage, FileSystemStorage):
                roots.append(Path(storage.location))
        for _prefix, root in getattr(finder, "locations", []):
            roots.append(Path(root))
    roots.append(Path(settings.STATIC_ROOT))
    roots.append(Path(settings.MEDIA_ROOT))
    private = Path(os.path.realpath(settings.PRIVATE_MEDIA_ROOT))
    resolved = []
    for root in roots:
        real = Path(os.path.realpath(root))
        # A root that is the filesystem root, or that holds the private media, would let
        # everything through: such a configuration is refused rather than trusted.
        if real == Path(real.anchor) or private == real or private.is_relative_to(real):
            continue
        if real not in resolved:
            resolved.append(real)
    return resolved


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def checked_path(path: str | os.PathLike) -> Path:
    """The real path of `path` if it is a file inside an allowed folder; refuse otherwise."""
    real = Path(os.path.realpath(path))
    if not _inside(real, allowed_roots()):
        raise URLRefused(f"not one of the project's static or media files: {path}")
    if not real.is_file():
        raise URLRefused(f"no such file: {path}")
    return real


def file_url(path: str | os.PathLike) -> str:
    return checked_path(path).as_uri()


def static_url(name: str) -> str:
    found = finders.find(name)
    if not found:
        raise URLRefused(f"no static file named {name}")
    return file_url(found)


class ProjectFilesFetcher(URLFetcher):
    """Serves `file://` URLs of allowed files; refuses everything else. Remembers refusals."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, **kwargs)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            path = self._path_of(url)
            real = checked_path(path)
        except URLRefused as refusal:
            self.refused.append(url)
            log.warning("report renderer refused %s: %s", url[:200], refusal)
            raise
        self.served.append(url)
        mime, _encoding = mimetypes.guess_type(real.name)
        return URLFetcherResponse(
            real.as_uri(),
            body=real.read_bytes(),
            headers={"Content-Type": mime or "application/octet-stream"},
        )

    @staticmethod
    def _path_of(url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise URLRefused(f"malformed URL: {exc}") from None
        if parts.scheme.lower() != "file":
            raise URLRefused(f"scheme {parts.scheme or '(none)'}: is not allowed")
        if parts.netloc not in ("", "localhost"):
            raise URLRefused(f"file URLs on another host ({parts.netloc}) are not allowed")
        path = unquote(parts.path)
        if "\x00" in path or not path.startswith("/"):
            raise URLRefused("not an absolute path")
        return path
