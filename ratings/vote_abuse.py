"""Abuse checks on votes, and staff's review of the votes they hold.

Run on every vote in the transaction that stores it (`vote_screen`); a vote that trips a check is
HELD (a `VoteHold` row, append-only) and stays out of `counted_votes` until staff review it:
- many complaints from one phone number in a short time (the complainants' phone blind index);
- many votes from one client address in a short time (the vote's `source_key`);
- many complaints filed from one client address in a short time (the web form's and Open311's
  `intake.FilingSource`): the votes on every case of that burst are held, wherever they were
  cast from;
- a burst of identical scores for one official (the person the closing decision is attributed
  to, `oversight.DecisionAttribution`): every vote of the burst is held.
The thresholds are settings (`VOTE_ABUSE_*`), defaults below:
- VOTE_ABUSE_PHONE_COMPLAINTS (5) complaints from one phone within VOTE_ABUSE_PHONE_HOURS (24)
  either side of the voted case's complaint;
- VOTE_ABUSE_SOURCE_VOTES (5) voted cases from one address within VOTE_ABUSE_SOURCE_HOURS (24);
- VOTE_ABUSE_SCORE_VOTES (10) identical scores for one official within VOTE_ABUSE_SCORE_HOURS (1);
- VOTE_ABUSE_ADDRESS_COMPLAINTS (20) complaints filed from one address within
  VOTE_ABUSE_ADDRESS_HOURS (24) either side of the voted case's complaint. Higher than the phone
  limit: a mobile operator puts many subscribers behind one address (carrier-grade NAT).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from casework import clock
from casework.models import Case
from casework.roles import INVESTIGATOR, MANAGER, user_roles
from casework.selectors import cases_visible_to
from intake.models import FilingSource
from oversight.models import DecisionAttribution
from ratings.models import Vote, VoteHold, VoteHoldReview

REVIEWER_ROLES = frozenset({MANAGER, INVESTIGATOR})


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def phone_burst_limit() -> tuple[int, dt.timedelta]:
    """(complaints, window): this many complaints from one phone within the window."""
    return _limit("VOTE_ABUSE_PHONE_COMPLAINTS", 5), dt.timedelta(
        hours=_limit("VOTE_ABUSE_PHONE_HOURS", 24)
    )


def source_burst_limit() -> tuple[int, dt.timedelta]:
    return _limit("VOTE_ABUSE_SOURCE_VOTES", 5), dt.timedelta(
        hours=_limit("VOTE_ABUSE_SOURCE_HOURS", 24)
    )


def score_burst_limit() -> tuple[int, dt.timedelta]:
    return _limit("VOTE_ABUSE_SCORE_VOTES", 10), dt.timedelta(
        hours=_limit("VOTE_ABUSE_SCORE_HOURS", 1)
    )


def address_burst_limit() -> tuple[int, dt.timedelta]:
    """(complaints, window): this many complaints filed from one address within the window."""
    return _limit("VOTE_ABUSE_ADDRESS_COMPLAINTS", 20), dt.timedelta(
        hours=_limit("VOTE_ABUSE_ADDRESS_HOURS", 24)
    )


def _hold(votes: list[int], reason: str, detail: dict) -> int:
    """Hold each vote for `reason` unless it is already held for it; returns how many."""
    already = set(
        VoteHold.objects.filter(vote_id__in=votes, reason=reason).values_list("vote_id", flat=True)
    )
    new = [pk for pk in votes if pk not in already]
    now = clock.now()
    VoteHold.objects.bulk_create(
        [VoteHold(vote_id=pk, reason=reason, detail=detail, created_at=now) for pk in new]
    )
    return len(new)


def _phone_burst(vote: Vote, case: Case) -> None:
    person = case.complainant
    if person is None or not person.phone_index:
        return
    limit, window = phone_burst_limit()
    complaints = Case.objects.filter(
        complainant__phone_index=person.phone_index,
        received_at__gte=case.received_at - window,
        received_at__lte=case.received_at + window,
    ).count()
    if complaints >= limit:
        hours = int(window.total_seconds() // 3600)
        _hold([vote.pk], VoteHold.Reason.PHONE_BURST, {"complaints": complaints, "hours": hours})


def _source_burst(vote: Vote) -> None:
    if not vote.source_key:
        return
    limit, window = source_burst_limit()
    recent = list(
        Vote.objects.filter(source_key=vote.source_key, cast_at__gte=vote.cast_at - window)
        .values_list("pk", "case_id")
        .order_by("pk")
    )
    cases = {case_id for _pk, case_id in recent}
    if len(cases) >= limit:
        hours = int(window.total_seconds() // 3600)
        _hold(
            [pk for pk, _case in recent],
            VoteHold.Reason.SOURCE_BURST,
            {"cases": len(cases), "hours": hours},
        )


def _address_burst(case: Case) -> None:
    source_key = (
        FilingSource.objects.filter(case_id=case.pk).values_list("source_key", flat=True).first()
    )
    if not source_key:
        return
    limit, window = address_burst_limit()
    burst = FilingSource.objects.filter(
        source_key=source_key,
        filed_at__gte=case.received_at - window,
        filed_at__lte=case.received_at + window,
    )
    complaints = burst.count()
    if complaints >= limit:
        hours = int(window.total_seconds() // 3600)
        votes = Vote.objects.filter(case_id__in=burst.values("case_id")).order_by("pk")
        _hold(
            list(votes.values_list("pk", flat=True)),
            VoteHold.Reason.ADDRESS_BURST,
            {"complaints": complaints, "hours": hours},
        )


def _score_burst(vote: Vote) -> None:
    person_id = (
        DecisionAttribution.objects.filter(event_id=vote.closing_event_id)
        .values_list("person_id", flat=True)
        .first()
    )
    if person_id is None:
        return
    limit, window = score_burst_limit()
    decisions = DecisionAttribution.objects.filter(person_id=person_id).values("event_id")
    burst = list(
        Vote.objects.filter(
            cast_at__gte=vote.cast_at - window,
            cast_at__lte=vote.cast_at,
            result_score=vote.result_score,
            answer_score=vote.answer_score,
            closing_event_id__in=decisions,
        )
        .values_list("pk", "case_id")
        .order_by("pk")
    )
    cases = {case_id for _pk, case_id in burst}
    if len(cases) >= limit:
        minutes = int(window.total_seconds() // 60)
        _hold(
            [pk for pk, _case in burst],
            VoteHold.Reason.SCORE_BURST,
            {"cases": len(cases), "minutes": minutes},
        )


def vote_screen(vote: Vote, *, case: Case) -> None:
    """Run every check on a vote just stored. Call inside the transaction that stored it."""
    assert transaction.get_connection().in_atomic_block, "vote_screen needs a transaction"
    _phone_burst(vote, case)
    _source_burst(vote)
    _address_burst(case)
    _score_burst(vote)


def hold_review(hold: VoteHold | int, *, actor, decision: str, note: str = "") -> VoteHoldReview:
    """A manager or investigator of the case's region releases a held vote (it counts again
    unless another hold on it is open) or rejects it (it never counts). Once per hold."""
    if not REVIEWER_ROLES & user_roles(actor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only a manager or an investigator reviews held votes."))
    if decision not in VoteHoldReview.Decision.values:
        raise ValidationError({"decision": _("Release or reject the vote.")})
    text = (note or "").strip()
    if decision == VoteHoldReview.Decision.REJECT and not text:
        raise ValidationError({"note": _("Say why the vote does not count.")})
    pk = hold.pk if isinstance(hold, VoteHold) else hold
    with transaction.atomic():
        locked = VoteHold.objects.select_for_update().select_related("vote").filter(pk=pk).first()
        if locked is None or not (
            getattr(actor, "is_superuser", False)
            or cases_visible_to(actor).filter(pk=locked.vote.case_id).exists()
        ):
            raise ValidationError({"hold": _("No such held vote.")})
        if VoteHoldReview.objects.filter(hold=locked).exists():
            raise ValidationError({"hold": _("This hold was already reviewed.")})
        try:
            with transaction.atomic():
                return VoteHoldReview.objects.create(
                    hold=locked,
                    decision=decision,
                    note=text[:2000],
                    reviewer=actor,
                    decided_at=clock.now(),
                )
        except IntegrityError:
            raise ValidationError({"hold": _("This hold was already reviewed.")}) from None
