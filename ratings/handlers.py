"""Ratings' reactions to case events: when a case is verified or rejected, queue the request
asking its complainant to vote (in the transaction that closed it, on `case_changed`; sent after
commit by an outbox job, once per closing). Only closing events get a job: the other events
pay nothing for it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from casework import outbox
from casework.signals import case_changed
from ratings.votes import CLOSED_BY_VOTABLE, CLOSING_ACTIONS, vote_ask

ASK_JOB_KIND = "ratings_vote_ask"


@receiver(case_changed, dispatch_uid="ratings.vote_ask_on_closing")
def _vote_ask_on_closing(sender, case, event, transition, **kwargs) -> None:
    if transition not in CLOSING_ACTIONS or case.state not in CLOSED_BY_VOTABLE:
        return
    if not case.category.public or case.category.corruption_report:
        return
    outbox.enqueue(
        ASK_JOB_KIND,
        {"case": case.pk, "event": event.pk},
        dedupe_key=f"{ASK_JOB_KIND}:{event.pk}",
    )


@outbox.handler(ASK_JOB_KIND, queue=outbox.QUEUE_NOTIFY)
def ratings_vote_ask(payload: dict[str, Any]) -> None:
    vote_ask(int(payload["case"]), int(payload["event"]))
