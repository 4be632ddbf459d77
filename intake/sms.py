"""SMS to citizens who called the akimat, through an HTTP SMS gateway (`SMS_GATEWAY_URL`).

The gateway takes `POST {"to": "+77011234567", "text": "...", "from": SMS_SENDER}` as JSON, with
`Authorization: Bearer SMS_GATEWAY_TOKEN` when a token is set, and answers 2xx when it accepted the
message. Without `SMS_GATEWAY_URL` a phone caller stays unreachable, as before. A gateway that
fails (connection, 429, 5xx) raises `intake.http.PlatformError`, so the outbox job retries.
"""

from __future__ import annotations

import logging
import re

from casework.models import Case
from intake import conf, http

log = logging.getLogger(__name__)

# A message of up to ten SMS parts (Cyrillic: 67 characters each).
TEXT_MAX = 670


def enabled() -> bool:
    return conf.sms().enabled


def phone_normal(phone: str) -> str:
    """+7XXXXXXXXXX for a Kazakh number written 8XXXXXXXXXX, 7XXXXXXXXXX or +7 (XXX) ...; other
    international numbers keep their digits after a "+"; "" when it is no phone number."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "7":
        return "+7" + digits
    if (phone or "").strip().startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    return ""


def send(phone: str, text: str) -> bool:
    """Hand one message to the gateway; False when SMS is off or the number is not usable."""
    settings = conf.sms()
    to = phone_normal(phone)
    if not settings.enabled or not to:
        return False
    headers = {"Authorization": f"Bearer {settings.token}"} if settings.token else {}
    http.call(
        "POST",
        settings.gateway_url,
        json_body={"to": to, "text": text[:TEXT_MAX], "from": settings.sender},
        headers=headers,
    )
    return True


def phone_case_sender(case: Case, text: str, *, state: str | None = None) -> bool:
    """`casework.notices` sender for cases taken by phone: an SMS to the caller's number."""
    person = case.complainant
    if person is None or not person.phone or not enabled():
        return False
    sent = send(person.phone, text)
    log.info("sms for %s: %s", case.tracking_code, "sent" if sent else "no usable number")
    return sent
