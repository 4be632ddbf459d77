"""In-app notices: who is told of what in the application (the bell), and how it reads.

The apps that tell people things register their kinds of notice here (`notice_kind_register`):
how each one reads, in the active language, and where it leads. So casework imports none of
them, and a notice stored in one language is shown in kk, ru or en as its reader chooses.

Notices are written by the outbox job that sends the matching e-mail, to the same people, in the
job's transaction (`staff_notices_send`): the (recipient, key) pair is unique, so a job run twice
tells nobody twice. Nobody is told of a case they may not see: the scope of their roles, and for
a report of corruption only the region's anti-corruption investigators (who reported it, and
what, is for them alone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import roles, scopes
from casework.models import Case, StaffNotice
from casework.selectors import cases_visible_to

LIST_LIMIT = 100
# The bell shows "99+" beyond this: nobody's page counts thousands of unread rows.
COUNT_CAP = 100


@dataclass(frozen=True)
class NoticeKind:
    code: str
    # The notice in words, in the active language. The notice comes with its case and category.
    text: Callable[[StaffNotice], str]
    # Where opening it leads.
    link: Callable[[StaffNotice], str]


_kinds: dict[str, NoticeKind] = {}


def notice_kind_register(
    code: str, *, text: Callable[[StaffNotice], str], link: Callable[[StaffNotice], str]
) -> None:
    _kinds[code] = NoticeKind(code, text, link)


def notice_text(notice: StaffNotice) -> str:
    kind = _kinds.get(notice.kind)
    if kind is None:
        return _("A notice about case %(code)s") % {"code": notice.case.tracking_code}
    return kind.text(notice)


def notice_link(notice: StaffNotice) -> str | None:
    kind = _kinds.get(notice.kind)
    return kind.link(notice) if kind is not None else None


# --- who may be told ---------------------------------------------------------------------------


def may_be_told(user, case: Case) -> bool:
    """Whether `user` may hear of `case` at all."""
    if user is None or not user.is_active:
        return False
    if case.category.corruption_report:
        return any(
            role in roles.CORRUPTION_REPORTER_READER_ROLES and scopes.role_covers(role, user, case)
            for role in roles.user_roles(user)
        )
    return cases_visible_to(user).filter(pk=case.pk).exists()


# --- writing -----------------------------------------------------------------------------------


def staff_notices_send(
    users: Iterable, *, kind: str, case: Case, key: str, params: dict | None = None
) -> list[int]:
    """Tell each of `users` who may see `case`; returns the ids of those told (now or by an
    earlier run of the same job). Call inside the job's transaction."""
    if kind not in _kinds:
        raise ValueError(f"unknown notice kind {kind!r}")
    told: dict[int, object] = {}
    for user in users:
        if user is not None and user.pk not in told and may_be_told(user, case):
            told[user.pk] = user
    StaffNotice.objects.bulk_create(
        [
            StaffNotice(recipient_id=pk, kind=kind, case=case, key=key, params=params or {})
            for pk in told
        ],
        ignore_conflicts=True,
    )
    return list(told)


def staff_notice_open(user, pk: int) -> StaffNotice | None:
    """The user's own notice, marked read (None: not theirs, or no such notice)."""
    notice = staff_notices_of(user).filter(pk=pk).first()
    if notice is None:
        return None
    if notice.read_at is None:
        notice.read_at = timezone.now()
        StaffNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=notice.read_at
        )
    return notice


def staff_notices_read_all(user) -> int:
    """Mark every unread notice of `user` read; returns how many."""
    return StaffNotice.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- reading -----------------------------------------------------------------------------------


def staff_notices_of(user) -> QuerySet[StaffNotice]:
    """The user's notices, newest first, with what their text needs."""
    if user is None or not getattr(user, "is_authenticated", False):
        return StaffNotice.objects.none()
    return (
        StaffNotice.objects.filter(recipient=user)
        .select_related("case__category", "case__district")
        .order_by("-created_at", "-id")
    )


def staff_notices_unread(user) -> int:
    """The bell's number (at most COUNT_CAP): one query on the partial index of unread notices."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    unread = StaffNotice.objects.filter(recipient=user, read_at__isnull=True)
    return unread.order_by()[:COUNT_CAP].count()


@dataclass(frozen=True)
class NoticeRow:
    notice: StaffNotice
    text: str
    unread: bool


def staff_notice_rows(user, limit: int = LIST_LIMIT) -> list[NoticeRow]:
    """The notices page: the newest `limit` notices in words, in the active language."""
    return [
        NoticeRow(notice, notice_text(notice), notice.read_at is None)
        for notice in staff_notices_of(user)[:limit]
    ]
