"""What the red-flag queue, the inquiries and the sanctions say about one official or one
contractor: the three sections "Red flags", "Inquiries" and "Sanctions" of their staff pages.

This is the one hook those features fill in (issue 13): each returns `Accountability` with
lists of `AccountabilityItem`, already limited to what `user` may see (an inquiry is visible to
its assigned investigators and their supervisor only; a hit to the investigators of its
region). The pages render the items as they come and never look at the models behind them, so
filling a list here is all a feature needs to appear on both pages: the red-flag hits
(`oversight.red_flags.queue.hits_of_person` / `hits_of_contractor`, linking to the queue
filtered on the subject), the inquiries with the official or contractor as a subject
(`inquiries_visible_to`) and the sanctions on them (`sanctions_visible_to`), each linking to its
inquiry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext

from oversight.red_flags.registry import INDICATORS
from oversight.selectors import (
    hits_of_contractor,
    hits_of_person,
    inquiries_visible_to,
    sanctions_visible_to,
)

# Items per section (the newest or highest-ranked first); the queue and inquiry lists have all.
LIMIT = 50


@dataclass(frozen=True)
class AccountabilityItem:
    """One line of a section: a hit, an inquiry or a sanction, as a person reads it."""

    title: str  # e.g. the indicator's name, "INQ-AQT-2026-7", "Severe reprimand"
    when: dt.date | dt.datetime | None = None
    status: str = ""  # shown as a badge: "open", "dismissed", "imposed" … (already translated)
    detail: str = ""  # one line: the subject, the allegation, the legal basis
    url: str = ""  # where the item's own page is, if the viewer may open it
    money_kzt: Decimal | None = None
    score: float | None = None


@dataclass(frozen=True)
class Accountability:
    red_flags: list[AccountabilityItem] = field(default_factory=list)
    inquiries: list[AccountabilityItem] = field(default_factory=list)
    sanctions: list[AccountabilityItem] = field(default_factory=list)


def _hit_items(hits, subject: str, pk: int) -> list[AccountabilityItem]:
    queue = reverse("red_flags:queue")
    items = []
    for hit in hits.order_by("-score", "-money_kzt", "-id")[:LIMIT]:
        indicator = INDICATORS.get(hit.indicator)
        items.append(
            AccountabilityItem(
                title=str(indicator.name) if indicator else hit.indicator,
                when=hit.occurred_at,
                status=hit.get_status_display(),
                detail=hit.subject_name,
                url=f"{queue}?{urlencode({subject: pk, 'status': 'all'})}",
                money_kzt=hit.money_kzt,
                score=hit.score,
            )
        )
    return items


def _inquiry_items(inquiries) -> list[AccountabilityItem]:
    return [
        AccountabilityItem(
            title=inquiry.number,
            when=inquiry.opened_at,
            status=inquiry.get_status_display(),
            detail=Truncator(inquiry.allegations).chars(160),
            url=reverse("oversight:inquiry", args=[inquiry.pk]),
        )
        for inquiry in inquiries.distinct().order_by("-opened_at", "-id")[:LIMIT]
    ]


def _sanction_items(sanctions) -> list[AccountabilityItem]:
    items = []
    for sanction in sanctions.select_related("inquiry").order_by("-proposed_at", "-id")[:LIMIT]:
        order = (
            gettext("order № %(number)s of %(date)s")
            % {"number": sanction.order_number, "date": date_format(sanction.order_date)}
            if sanction.order_number and sanction.order_date
            else ""
        )
        items.append(
            AccountabilityItem(
                title=sanction.get_kind_display(),
                when=sanction.order_date or sanction.proposed_at,
                status=sanction.get_status_display(),
                detail=" · ".join(
                    part for part in (sanction.inquiry.number, order, sanction.legal_basis) if part
                ),
                url=reverse("oversight:inquiry", args=[sanction.inquiry_id]),
            )
        )
    return items


def person_accountability(person, user) -> Accountability:
    """Red-flag hits naming `person`, inquiries with them as a subject, sanctions on them —
    those `user` may see (hits: the investigators of the region; inquiries and their sanctions:
    the inquiry's investigators and supervisor)."""
    return Accountability(
        red_flags=_hit_items(hits_of_person(user, person.pk), "person", person.pk),
        inquiries=_inquiry_items(inquiries_visible_to(user).filter(subjects__person=person)),
        sanctions=_sanction_items(sanctions_visible_to(user).filter(person=person)),
    )


def contractor_accountability(contractor, user) -> Accountability:
    """Red-flag hits on `contractor`, inquiries with it (or one of its contracts or acts) as a
    subject, sanctions on it — those `user` may see."""
    return Accountability(
        red_flags=_hit_items(hits_of_contractor(user, contractor.pk), "contractor", contractor.pk),
        inquiries=_inquiry_items(
            inquiries_visible_to(user).filter(
                Q(subjects__contractor=contractor)
                | Q(subjects__contract__contractor=contractor)
                | Q(subjects__act__contract__contractor=contractor)
            )
        ),
        sanctions=_sanction_items(sanctions_visible_to(user).filter(contractor=contractor)),
    )
