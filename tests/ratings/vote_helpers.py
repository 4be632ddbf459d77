"""Builders for the vote tests: closed cases, and running the outbox as a worker would."""

from __future__ import annotations

from casework import outbox, services
from casework.models import Case
from casework.states import CaseState
from tests.factories import image_upload


def deliver_all() -> int:
    total = 0
    for _ in range(10):
        ran = outbox.relay(inline=True)
        total += ran
        if not ran:
            break
    return total


def verified(world, **kw) -> Case:
    return world.advance(world.case(**kw), CaseState.VERIFIED)


def rejected(world, **kw) -> Case:
    return world.advance(world.case(**kw), CaseState.REJECTED)


def reopened_and_verified_again(world, case: Case) -> Case:
    from contractors.services import work_order_issue

    services.case_reopen(case, actor=world.clerk, reason="Яма снова появилась.")
    work_order_issue(case.pk, actor=world.officer, contract=world.contract)
    services.case_report_repaired(
        case.pk,
        actor=world.contractor_user,
        before=[image_upload("b.jpg")],
        after=[image_upload("a.png", "PNG")],
    )
    services.case_verify(case.pk, actor=world.inspector)
    return Case.objects.get(pk=case.pk)
