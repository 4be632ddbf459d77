"""Where uploaded and generated files are kept, and how one is handed to someone who may have it.

Three storages (settings.STORAGES): `default` holds the public copies of photos, `private` the
originals (location EXIF and all), `reports` the generated PDFs. On local disk (the default) they
are MEDIA_ROOT, PRIVATE_MEDIA_ROOT and PRIVATE_MEDIA_ROOT/reports; with MEDIA_STORAGE=s3 they are
prefixes of one private bucket.

Nothing is served by URL alone. A view checks who asks, then calls `file_response()`, which
- on S3, redirects to a signed URL that expires in MEDIA_URL_EXPIRE seconds;
- behind nginx (MEDIA_ACCEL_REDIRECT=1), answers with `X-Accel-Redirect` to the storage's
  internal nginx location (`/_protected/<storage>/<name>`), so nginx sends the bytes;
- otherwise streams the file itself.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

ACCEL_PREFIX = "/_protected/"


class PrivateFileSystemStorage(FileSystemStorage):
    """Originals under PRIVATE_MEDIA_ROOT (read each time, so a changed setting applies)."""

    def __init__(self, **kwargs):
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self):
        return Path(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(self.base_location)


class ReportFileSystemStorage(PrivateFileSystemStorage):
    """Report files beside the private media: they may hold personal data."""

    @property
    def base_location(self):
        return Path(settings.PRIVATE_MEDIA_ROOT) / "reports"


def storage_alias(storage: Storage) -> str:
    if storage is default_storage:  # a FileField's default: a lazy proxy of storages["default"]
        return "default"
    for alias in ("default", "private", "reports"):
        if storages[alias] is storage:
            return alias
    # A FileField keeps the storage it was given when the model loaded; a changed STORAGES setting
    # (tests do that) makes new instances, so the same class at the same place is the same storage.
    for alias in ("default", "private", "reports"):
        candidate = storages[alias]
        if type(candidate) is type(storage) and _location(candidate) == _location(storage):
            return alias
    raise ValueError(f"not one of the project's media storages: {storage!r}")


def _location(storage: Storage) -> str | None:
    return getattr(storage, "location", None)


def file_response(
    storage: Storage,
    name: str,
    *,
    content_type: str,
    filename: str | None = None,
    as_attachment: bool = False,
    cache_control: str = "private, max-age=3600",
) -> HttpResponse:
    """Hand the file `name` of `storage` to the client. Call only after the permission check.

    Raises FileNotFoundError when the file is not there (local disk)."""
    alias = storage_alias(storage)
    disposition = content_disposition_header(as_attachment, filename) if filename else None
    if settings.MEDIA_STORAGE == "s3":
        parameters = {"ResponseContentType": content_type}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        url = storage.url(name, parameters=parameters, expire=settings.MEDIA_URL_EXPIRE)
        response: HttpResponse = HttpResponseRedirect(url)
        # The signed URL is for this person, now: nobody may cache the redirect.
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    if not storage.exists(name):
        raise FileNotFoundError(name)
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{ACCEL_PREFIX}{alias}/{name}")
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            storage.open(name, "rb"),
            content_type=content_type,
            as_attachment=as_attachment,
            filename=filename or "",
        )
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
