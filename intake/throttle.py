"""Per-address allowances of the public pages (the web form, the tracking page).

django-ratelimit's counters, kept in the cache (Redis in production, shared by every gunicorn
worker and node). Every request counts, refused ones too: a client that only ever sends bad
requests must run out of them as fast as one that succeeds.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django_ratelimit.core import get_usage

from casework.client_ip import client_ip_key

log = logging.getLogger(__name__)


def spend(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against the address's allowance; True when it is over it.

    When the cache (Redis) is down nothing is limited: a complaint is taken rather than lost."""
    try:
        usage = get_usage(request, group=group, key=client_ip_key, rate=rate, increment=True)
    except Exception:
        log.warning("rate limit cache unavailable; %s is not limited meanwhile", group)
        return False
    return usage is not None and usage["should_limit"]
