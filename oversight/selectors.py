"""Reads of oversight data: who held which post, acts, failures, inquiries."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from casework import deadlines, roles
from casework.models import Case
from casework.selectors import cases_visible_to
from contractors.selectors import contractor_of
from oversight.models import (
    AcceptanceAct,
    AcceptedWorkFailure,
    Finding,
    Inquiry,
    InquiryLogEntry,
    Occupancy,
    Person,
    Position,
    Sanction,
)

User = get_user_model()

# The kinds of post that fit a staff role, most fitting first: when a person holds several posts
# on the day, a decision taken in a role is attributed to the post that role belongs to.
ROLE_POSTS: dict[str, tuple[str, ...]] = {
    roles.INSPECTOR: (Position.Kind.INSPECTOR, Position.Kind.CUSTOMER_REPRESENTATIVE),
    roles.OFFICER: (
        Position.Kind.OFFICER,
        Position.Kind.DEPARTMENT_HEAD,
        Position.Kind.CUSTOMER_REPRESENTATIVE,
    ),
    roles.CLERK: (Position.Kind.CLERK,),
    roles.CONTRACTOR: (Position.Kind.CONTRACTOR_REPRESENTATIVE,),
}


def local_day(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(deadlines.local_zone()).date()
    return moment


def person_of(who: Person | int | None) -> Person | None:
    """The person record of a user (or a person given as such)."""
    if who is None:
        return None
    if isinstance(who, Person):
        return who
    if isinstance(who, User):
        return Person.objects.filter(user=who).first()
    return Person.objects.filter(user_id=who).first()


def occupancies_on(person: Person, on: dt.datetime | dt.date) -> QuerySet[Occupancy]:
    day = local_day(on)
    return (
        Occupancy.objects.filter(person=person, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("position", "person")
        .order_by("-started_on", "-id")
    )


def post_held(
    who, on: dt.datetime | dt.date, *, role: str | None = None, kinds: tuple[str, ...] = ()
) -> Occupancy | None:
    """The occupancy `who` (a Person or a user) held on the local day of `on`, or None.

    When several posts were held that day, the one fitting `kinds` (or the staff `role`) wins;
    then the one taken most recently (on a hand-over day the new post, not the old one)."""
    person = person_of(who)
    if person is None:
        return None
    held = list(occupancies_on(person, on))
    if not held:
        return None
    preferred = kinds or ROLE_POSTS.get(role or "", ())
    for kind in preferred:
        for occupancy in held:
            if occupancy.position.kind == kind:
                return occupancy
    return held[0]


def holder_of(position: Position, on: dt.datetime | dt.date) -> Occupancy | None:
    """Who held `position` on the local day of `on`."""
    day = local_day(on)
    return (
        Occupancy.objects.filter(position=position, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("person", "position")
        .order_by("-started_on", "-id")
        .first()
    )


def department_head_on(department_id: int, on: dt.datetime | dt.date) -> Occupancy | None:
    day = local_day(on)
    return (
        Occupancy.objects.filter(
            position__department_id=department_id,
            position__kind=Position.Kind.DEPARTMENT_HEAD,
            started_on__lte=day,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("person", "position")
        .order_by("-started_on", "-id")
        .first()
    )


def akim_on(district_id: int, on: dt.datetime | dt.date) -> Occupancy | None:
    day = local_day(on)
    return (
        Occupancy.objects.filter(
            position__district_id=district_id,
            position__kind__in=(Position.Kind.CITY_AKIM, Position.Kind.DISTRICT_AKIM),
            started_on__lte=day,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("person", "position")
        .order_by("-started_on", "-id")
        .first()
    )


# Acts ----------------------------------------------------------------------------------------


def acts_of_case(case: Case | int) -> QuerySet[AcceptanceAct]:
    pk = case.pk if isinstance(case, Case) else case
    return (
        AcceptanceAct.objects.filter(case_id=pk)
        .select_related("work_order", "contract", "contract__contractor", "supersedes")
        .prefetch_related("photos", "signatories__person", "signatories__position")
        .order_by("signed_at", "id")
    )


def act_in_force(work_order_id: int, at: dt.datetime | None = None) -> AcceptanceAct | None:
    """The act of the work order that stood at `at` (the newest signed by then), or the current
    one without `at`. A correction signed later does not move a failure found earlier."""
    acts = AcceptanceAct.objects.filter(work_order_id=work_order_id)
    if at is not None:
        acts = acts.filter(signed_at__lte=at)
    return acts.order_by("-signed_at", "-id").first()


def acts_visible_to(user) -> QuerySet[AcceptanceAct]:
    """Acts on cases the user may see; a contractor sees only acts of their own work orders."""
    acts = AcceptanceAct.objects.filter(case__in=cases_visible_to(user))
    if roles.CONTRACTOR in roles.user_roles(user) and not getattr(user, "is_superuser", False):
        company = contractor_of(user)
        acts = acts.filter(work_order__contractor_id=company) if company else acts.none()
    return acts


def failures_of_act(act: AcceptanceAct) -> QuerySet[AcceptedWorkFailure]:
    return (
        AcceptedWorkFailure.objects.filter(act=act).select_related("case").order_by("detected_at")
    )


def acts_signed_by(person: Person) -> QuerySet[AcceptanceAct]:
    """Every act `person` signed, in any role and post (for an official's page)."""
    return AcceptanceAct.objects.filter(signatories__person=person).distinct().order_by("signed_at")


def failures_signed_by(person: Person, since: dt.datetime | None = None):
    """Failures of work `person` signed off (per signatory), optionally those found since."""
    failures = AcceptedWorkFailure.objects.filter(act__signatories__person=person)
    if since is not None:
        failures = failures.filter(detected_at__gte=since)
    return failures.distinct().select_related("act", "case").order_by("detected_at")


# Red flags ------------------------------------------------------------------------------------

# The investigator's queue lives with the indicators; named here with the other reads.
from oversight.red_flags.queue import (  # noqa: E402, F401
    hits_of_contractor,
    hits_of_person,
    hits_visible_to,
    red_flag_queue,
)

# Inquiries -----------------------------------------------------------------------------------


def inquiries_visible_to(user) -> QuerySet[Inquiry]:
    """The inquiries `user` works on: those they are assigned to as an investigator (while an
    investigator) and those they supervise (while an investigator or a manager). Anyone else,
    an administrator included, gets nothing: an inquiry is need-to-know."""
    held = roles.user_roles(user)
    if not held:
        return Inquiry.objects.none()
    scope = Q(pk__in=[])
    if roles.INVESTIGATOR in held:
        assigned = Inquiry.investigators.through.objects.filter(user_id=user.pk)
        scope |= Q(pk__in=assigned.values("inquiry_id"))
    if held & {roles.INVESTIGATOR, roles.MANAGER}:
        scope |= Q(supervisor_id=user.pk)
    return Inquiry.objects.filter(scope)


def sanctions_visible_to(user) -> QuerySet[Sanction]:
    return Sanction.objects.filter(inquiry__in=inquiries_visible_to(user))


def inquiry_log(inquiry: Inquiry) -> QuerySet[InquiryLogEntry]:
    return InquiryLogEntry.objects.filter(inquiry=inquiry).select_related("actor").order_by("seq")


def findings_in_force(inquiry: Inquiry) -> dict[int, Finding]:
    """The newest finding on each party (a later finding revises an earlier one)."""
    latest: dict[int, Finding] = {}
    for finding in Finding.objects.filter(inquiry=inquiry).order_by("recorded_at", "id"):
        latest[finding.party_id] = finding
    return latest
