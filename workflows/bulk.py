"""Bulk actions on the case list, for clerks: take the open steps of many cases, or route many
cases to one department. Each case is its own transaction through the usual service
(`tasks_claim`, `casework.services.case_assign`), so one refusal stops nothing else; every case
gets its own outcome, with the reason when it was refused."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from casework import roles
from casework.models import Case, Department
from casework.selectors import cases_visible_to
from casework.services import TransitionConflict, case_assign
from workflows import queues
from workflows.services import TaskConflict, tasks_claim

BULK_MAX = 100


@dataclass(frozen=True)
class Outcome:
    case_id: int
    code: str
    done: bool
    message: str = ""


def bulk_allowed(user) -> bool:
    return roles.CLERK in roles.user_roles(user) or getattr(user, "is_superuser", False)


def _cases(actor, case_ids: Iterable[int]) -> list[Case]:
    if not bulk_allowed(actor):
        raise PermissionDenied(_("Only clerks act on many cases at once."))
    ids = list(dict.fromkeys(int(pk) for pk in case_ids))
    if not ids:
        raise ValidationError({"case": _("Choose at least one case.")})
    if len(ids) > BULK_MAX:
        raise ValidationError(
            {"case": _("At most %(n)d cases at a time, please.") % {"n": BULK_MAX}}
        )
    found = {case.pk: case for case in cases_visible_to(actor).filter(pk__in=ids)}
    # A case the actor may not see is not named back to them: it is simply "no such case".
    return [found.get(pk) or Case(pk=pk, tracking_code=f"#{pk}") for pk in ids]


def _each(actor, case_ids, work: Callable[[Case], None]) -> list[Outcome]:
    outcomes = []
    for case in _cases(actor, case_ids):
        if case._state.adding:
            outcomes.append(Outcome(case.pk, case.tracking_code, False, _("No such case.")))
            continue
        try:
            work(case)
        except (PermissionDenied, TransitionConflict, TaskConflict) as error:
            outcomes.append(Outcome(case.pk, case.tracking_code, False, str(error)))
        except ValidationError as error:
            outcomes.append(Outcome(case.pk, case.tracking_code, False, " ".join(error.messages)))
        else:
            outcomes.append(Outcome(case.pk, case.tracking_code, True))
    return outcomes


def cases_bulk_claim(case_ids: Iterable[int], *, actor) -> list[Outcome]:
    """Take the open step of each case from the actor's queue."""

    def claim(case: Case) -> None:
        task = queues.active_task_of(case)
        if task is None:
            raise TransitionConflict(_("This case has no open step."), state=case.state)
        tasks_claim([task.pk], actor=actor)

    return _each(actor, case_ids, claim)


def cases_bulk_route(case_ids: Iterable[int], *, actor, department: Department) -> list[Outcome]:
    """Route each case (received, not yet with a department) to `department`."""

    def route(case: Case) -> None:
        held = queues.claimed_by_other(case, actor, "assign")
        if held is not None:
            name = held.owner.get_full_name() or held.owner.get_username()
            raise TaskConflict(_("%(name)s has taken this task.") % {"name": name})
        if case.department_id is not None:
            raise TransitionConflict(
                _("The case is already with a department; redirect it from its page."),
                state=case.state,
            )
        case_assign(case.pk, actor=actor, department=department, version=case.event_seq)

    return _each(actor, case_ids, route)
