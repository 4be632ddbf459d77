"""The address a request came from: for login throttling (axes), the public pages' rate limits,
and the keyed digests of where a complaint or a vote came from. One rule for all of them.

Behind nginx (BEHIND_PROXY, CLIENT_IP_FROM_FORWARDED_FOR) every request comes from the proxy;
nginx appends the address it saw to X-Forwarded-For (`$proxy_add_x_forwarded_for`), so the last
entry is the one nobody but nginx wrote. Earlier entries are the client's own claims and are
ignored.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address (axes' signature)."""
    if settings.CLIENT_IP_FROM_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def client_ip_key(group: str, request: HttpRequest) -> str:
    """The same address in django-ratelimit's key signature."""
    return client_ip(request)
