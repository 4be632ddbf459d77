"""Per-address allowances of the public pages (the web form, the tracking page).

django-ratelimit's counters, kept in the cache (Redis in production, shared by every gunicorn
worker and node). Every request counts, refused ones too: a client that only ever sends bad
requests must run out of them as fast as one that succeeds.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)


def client_address(group: str, request: HttpRequest) -> str:
    """The client's IP address. Behind nginx REMOTE_ADDR is nginx itself; nginx appends the
    address it saw to X-Forwarded-For, so the last entry is the one nobody else could write."""
    if settings.CLIENT_IP_FROM_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def spend(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against the address's allowance; True when it is over it.

    When the cache (Redis) is down nothing is limited: a complaint is taken rather than lost."""
    try:
        usage = get_usage(request, group=group, key=client_address, rate=rate, increment=True)
    except Exception:
        log.warning("rate limit cache unavailable; %s is not limited meanwhile", group)
        return False
    return usage is not None and usage["should_limit"]
