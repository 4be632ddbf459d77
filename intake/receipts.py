"""The receipt a citizen gets after filing on the web form (by e-mail, when they gave an address)
or by phone through a clerk (by SMS, when an SMS gateway is configured): the tracking code, the
answer's due date and the tracking link. Chat channels answer in the conversation instead
(`intake.normaliser`).

Queued in the transaction that opened the case (on `case_changed`), sent after commit by an
outbox job, once.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.dispatch import receiver
from django.utils import translation

from casework import notices, outbox
from casework.models import Case
from casework.signals import case_changed
from casework.states import CaseState
from intake import replies

log = logging.getLogger(__name__)

JOB_KIND = "citizen_receipt"
RECEIPT_CHANNELS = frozenset({"web", "phone"})


def receipt_queue(case: Case) -> None:
    """Queue the receipt for a case just opened on the web form (when the citizen gave an e-mail
    address) or by phone (when the caller gave a number). Call inside the transaction that
    opened it."""
    person = case.complainant if case.complainant_id else None
    if person is None or case.channel not in RECEIPT_CHANNELS:
        return
    if not (person.email if case.channel == "web" else person.phone or person.email):
        return
    outbox.enqueue(JOB_KIND, {"case": case.pk}, dedupe_key=f"{JOB_KIND}:{case.pk}")


@receiver(case_changed, dispatch_uid="intake.receipt_on_open")
def _receipt_on_open(sender, case, event, transition, **kwargs) -> None:
    if transition == "open":
        receipt_queue(case)


@outbox.handler(JOB_KIND, queue=outbox.QUEUE_NOTIFY)
def citizen_receipt(payload: dict) -> None:
    case = Case.objects.select_related("complainant").get(pk=payload["case"])
    language = (case.complainant.language if case.complainant else "") or settings.LANGUAGE_CODE
    text = replies.case_opened(case, language)
    with translation.override(language):  # the e-mail's subject too
        outcome = notices.citizen_send(case, text, state=CaseState.RECEIVED)
    log.info("receipt for %s: %s", case.tracking_code, outcome)
