"""The address a request came from, for login throttling.

Behind nginx (BEHIND_PROXY, CLIENT_IP_FROM_FORWARDED_FOR) every request comes from the proxy;
nginx appends the address it saw to X-Forwarded-For (`$proxy_add_x_forwarded_for`), so the last
entry is the one nobody but nginx wrote. Earlier entries are the client's own claims and are
ignored. The same rule as intake.throttle.client_address, in axes' signature.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    if settings.CLIENT_IP_FROM_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
