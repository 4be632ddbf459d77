"""Small HTTP client for the platforms' APIs: JSON calls and bounded downloads, with retries.

The standard library is enough here: a handful of calls, each with a timeout, a size cap and a
few retries on transient failures (connection errors, 429 and 5xx).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT = 10
RETRIES = 3
BACKOFF = 0.3


class PlatformError(Exception):
    """The platform could not be reached or refused the call."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = True):
        super().__init__(message)
        self.status = status
        self.transient = transient


@dataclass(frozen=True)
class Response:
    status: int
    content: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.content.decode("utf-8"))


def _once(request: urllib.request.Request, max_bytes: int) -> Response:
    # Only http(s) URLs reach here (see `call`), so the scheme audit is satisfied.
    with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:  # noqa: S310
        declared = reply.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise PlatformError(f"response of {declared} bytes is over the limit", transient=False)
        content = reply.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise PlatformError("response is over the size limit", transient=False)
        return Response(reply.status, content, reply.headers.get_content_type())


def call(
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    max_bytes: int = 1024 * 1024,
    retries: int = RETRIES,
) -> Response:
    """Make one API call; retry transient failures; raise `PlatformError` on failure."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PlatformError(f"not an http(s) URL: {url[:200]}", transient=False)
    if params:
        url += ("&" if parts.query else "?") + urllib.parse.urlencode(params)
    data = None
    all_headers = {"User-Agent": "baqylau-intake/1", **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    last: PlatformError | None = None
    for attempt in range(retries):
        if attempt:
            time.sleep(BACKOFF * 2 ** (attempt - 1))
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, data=data, headers=all_headers, method=method
        )
        try:
            return _once(request, max_bytes)
        except urllib.error.HTTPError as exc:
            body = exc.read(2000).decode("utf-8", errors="replace")
            transient = exc.code == 429 or exc.code >= 500
            last = PlatformError(
                f"HTTP {exc.code} from {parts.netloc}: {body}", status=exc.code, transient=transient
            )
            if not transient:
                raise last from None
        except PlatformError:
            raise
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            last = PlatformError(f"{parts.netloc} unreachable: {exc}")
        log.warning("call %s %s failed (attempt %d): %s", method, parts.path, attempt, last)
    assert last is not None
    raise last
