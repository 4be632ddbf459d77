"""The case lifecycle as data: states and the legal transitions between them.

`Case` builds its django-fsm-2 transitions from this table, the PostgreSQL trigger refuses any
state change not in it, and the tests check the three agree.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned to a department")
    CONTRACTOR_NOTIFIED = "contractor_notified", _("Contractor notified")
    REPAIRED = "repaired", _("Repaired")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    # A corruption report's own short lifecycle (anti-corruption investigators only).
    UNDER_REVIEW = "under_review", _("Under review by an anti-corruption investigator")
    REFERRED = "referred", _("Referred for investigation")
    ANSWERED = "answered", _("Closed with an answer")


class Edge(NamedTuple):
    name: str
    source: str
    target: str


S = CaseState
TRANSITIONS: tuple[Edge, ...] = (
    Edge("assign", S.RECEIVED, S.ASSIGNED),
    Edge("assign", S.ASSIGNED, S.ASSIGNED),
    Edge("notify_contractor", S.ASSIGNED, S.CONTRACTOR_NOTIFIED),
    Edge("report_repaired", S.CONTRACTOR_NOTIFIED, S.REPAIRED),
    Edge("verify", S.REPAIRED, S.VERIFIED),
    Edge("return_for_rework", S.REPAIRED, S.CONTRACTOR_NOTIFIED),
    Edge("reject", S.RECEIVED, S.REJECTED),
    Edge("reject", S.ASSIGNED, S.REJECTED),
    Edge("reopen", S.VERIFIED, S.ASSIGNED),
    Edge("reopen", S.REJECTED, S.RECEIVED),
    # Corruption reports: received -> under review -> referred / closed with an answer.
    Edge("review_start", S.RECEIVED, S.UNDER_REVIEW),
    Edge("refer", S.UNDER_REVIEW, S.REFERRED),
    Edge("answer", S.UNDER_REVIEW, S.ANSWERED),
)
TRANSITION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(edge.name for edge in TRANSITIONS))
CLOSED_STATES: frozenset[str] = frozenset({S.VERIFIED, S.REJECTED, S.REFERRED, S.ANSWERED})
# The transitions of a corruption report's lifecycle; a corruption report takes no other, and no
# other case takes these.
CORRUPTION_TRANSITIONS: frozenset[str] = frozenset({"review_start", "refer", "answer"})
OPEN_STATES: frozenset[str] = frozenset(set(S.values) - CLOSED_STATES)


def edges_named(name: str) -> list[Edge]:
    return [edge for edge in TRANSITIONS if edge.name == name]


def legal_pairs() -> set[tuple[str, str]]:
    return {(str(edge.source), str(edge.target)) for edge in TRANSITIONS}


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another case")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("Outside our jurisdiction")
    NO_VIOLATION = "no_violation", _("No violation found")
    SPAM = "spam", _("Spam")
    WITHDRAWN = "withdrawn", _("Withdrawn by the complainant")


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    FACEBOOK = "facebook", _("Facebook Messenger")
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone call")
    OPEN311 = "open311", _("Open311")
    EMAIL = "email", _("E-mail")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")
