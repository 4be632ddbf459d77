"""A restricted HTTP(S) fetcher for site cameras' snapshots.

A URL is fetched only when:
- its scheme is http or https (no file://, ftp://, gopher:// ...) and it carries no credentials;
- its host is on the allow-list (setting PROJECT_CAMERA_HOSTS: exact names, or ".example.kz"
  for the name and its subdomains);
- every address the host resolves to is a public one: loopback, private, link-local, reserved,
  multicast, unspecified and shared (CGNAT) addresses are refused, IPv4 and IPv6 (an IPv4-mapped
  IPv6 address is judged as the IPv4 address it carries).
The connection then goes to the very address that was checked (the Host header and TLS name stay
the host's), so a second DNS answer cannot point it elsewhere (DNS rebinding). Redirects are
followed by hand, at most MAX_REDIRECTS, each hop checked again as above. One deadline covers
connecting and reading, and a body larger than the limit is refused while it is being read.

reports/fetcher.py restricts WeasyPrint to local files and refuses every network URL; nothing
of its checks applies to a network fetch, so the two share no code.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext

MAX_REDIRECTS = 3
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class FetchRefused(ValueError):
    """The fetcher may not open this URL (scheme, host, address): nothing was sent."""


class FetchFailed(Exception):
    """The URL was allowed but the fetch did not succeed (timeout, refused connection, HTTP
    error status, body too large, too many redirects)."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why `address` may not be fetched from, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    for attribute, reason in (
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "not a public address"
    return None


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _checked_target(url: str, allowed_hosts: Iterable[str], allow_loopback: bool) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"scheme {scheme or '(none)'}: is not allowed, only http and https")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("credentials in the URL are not allowed")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchRefused("the URL names no host")
    if not host_allowed(host, allowed_hosts):
        raise FetchRefused(f"host {host} is not on the camera allow-list")
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchFailed(f"cannot resolve {host}: {exc}") from None
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason:
            # One bad answer is enough: a host that resolves partly inside is not trusted.
            raise FetchRefused(f"host {host} resolves to {address}: {reason}")
        addresses.append(str(address))
    if not addresses:
        raise FetchFailed(f"cannot resolve {host}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme, host, port, path, addresses[0])


def url_refusal(url: str, allowed_hosts: Iterable[str] | None = None) -> str | None:
    """Why a camera may not be given `url` (scheme, credentials, host not on the allow-list), or
    None; checked when a camera is saved through a form, before any fetch. The addresses are
    checked at each fetch (they may change)."""
    if allowed_hosts is None:
        allowed_hosts = getattr(settings, "PROJECT_CAMERA_HOSTS", [])
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        return gettext("Malformed URL: %(error)s") % {"error": exc}
    if parts.scheme.lower() not in ("http", "https"):
        return gettext("Only http and https URLs are allowed.")
    if parts.username is not None or parts.password is not None:
        return gettext("Credentials in the URL are not allowed.")
    if not host_allowed(parts.hostname or "", allowed_hosts):
        return gettext(
            "The host %(host)s is not on the camera allow-list (PROJECT_CAMERA_HOSTS)."
        ) % {"host": parts.hostname or ""}
    return None


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the checked address; speaks to the host by name (Host header, TLS SNI and
    certificate check)."""

    def __init__(self, target: _Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target
        # The response may outlive `self.sock` (closed early on "Connection: close").
        self.pinned_sock: socket.socket | None = None

    def connect(self) -> None:
        sock = socket.create_connection((self._target.address, self.port), timeout=self.timeout)
        if self._target.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self._target.host)
        self.sock = self.pinned_sock = sock


def fetch(
    url: str,
    *,
    allowed_hosts: Iterable[str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    allow_loopback_for_tests: bool = False,
) -> Fetched:
    """GET `url` under the rules above. Raises FetchRefused or FetchFailed.

    `allow_loopback_for_tests` lets a test reach its own server on 127.0.0.1; no setting turns
    it on, and the other address checks still apply."""
    if allowed_hosts is None:
        allowed_hosts = getattr(settings, "PROJECT_CAMERA_HOSTS", [])
    allowed_hosts = list(allowed_hosts)
    if timeout is None:
        timeout = float(getattr(settings, "PROJECT_CAMERA_TIMEOUT_S", DEFAULT_TIMEOUT_S))
    if max_bytes is None:
        max_bytes = int(getattr(settings, "PROJECT_CAMERA_MAX_BYTES", DEFAULT_MAX_BYTES))
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        target = _checked_target(url, allowed_hosts, allow_loopback_for_tests)
        status, headers, body = _get(target, deadline, max_bytes)
        if status in REDIRECT_STATUSES:
            location = headers.get("location")
            if not location:
                raise FetchFailed(f"redirect ({status}) without a Location")
            url = urljoin(url, location)
            continue
        if not 200 <= status < 300:
            raise FetchFailed(f"HTTP {status}")
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return Fetched(url=url, status=status, content_type=content_type, body=body)
    raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailed("timed out")
    return left


def _get(target: _Target, deadline: float, max_bytes: int) -> tuple[int, dict[str, str], bytes]:
    connection = _PinnedConnection(target, timeout=_remaining(deadline))
    try:
        connection.request(
            "GET",
            target.path,
            headers={"User-Agent": "Baqylau camera fetcher", "Accept": "image/*"},
        )
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        if response.status in REDIRECT_STATUSES:
            return response.status, headers, b""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchFailed(f"body of {declared} bytes is over the {max_bytes} limit")
        chunks: list[bytes] = []
        size = 0
        while True:
            if connection.pinned_sock is not None:
                connection.pinned_sock.settimeout(_remaining(deadline))
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(f"body is over the {max_bytes} byte limit")
            chunks.append(chunk)
        return response.status, headers, b"".join(chunks)
    except TimeoutError:
        raise FetchFailed("timed out") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from None
    finally:
        connection.close()
