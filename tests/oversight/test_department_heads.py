"""An order not acknowledged in time is escalated to the head of its department as oversight's
posts say it was held that day, not to the old `Department.head` field: contractors asks through
the hook oversight registers, and imports nothing of oversight."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core import mail

from casework import clock
from casework.models import Official
from contractors.selectors import current_work_order
from contractors.services import work_orders_escalate_unacknowledged
from oversight.models import Person, Position
from tests.oversight.conftest import appoint, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(world, django_capture_on_commit_callbacks):
    world.officer.email = "officer@akimat.kz"
    world.officer.save()
    world.dep_a1.email = "roads@akimat.kz"
    # The field today's heads migrated from: nobody is to read it any more.
    world.dep_a1.head = Official.objects.create(
        full_name="Старый Руководитель", position="Руководитель", email="old.head@akimat.kz"
    )
    world.dep_a1.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = world.advance(world.case(), "contractor_notified")
    return current_work_order(case)


def _escalation_mail(order, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    after = order.acknowledge_due_at + dt.timedelta(minutes=1)
    with clock.frozen_at(after), django_capture_on_commit_callbacks(execute=True):
        assert work_orders_escalate_unacknowledged() == 1
    [sent] = [m for m in mail.outbox if order.case.tracking_code in m.body]
    return set(sent.to)


def test_the_head_in_post_that_day_hears_of_the_escalation(
    world, order, django_capture_on_commit_callbacks
):
    day = clock.now().date()
    head_post = post(Position.Kind.DEPARTMENT_HEAD, title="Head of roads", department=world.dep_a1)
    former = Person.objects.create(full_name="Прежний Руководитель", email="former@akimat.kz")
    appoint(former, head_post, day - dt.timedelta(days=400), ended_on=day - dt.timedelta(days=30))
    head_user = world.user("officer", name="head.roads", department=world.dep_a1)
    head_user.email = "head.user@akimat.kz"
    head_user.save()
    head = Person.objects.create(full_name="Нынешний Руководитель", email="head@akimat.kz")
    head.user = head_user
    head.save()
    appoint(head, head_post, day - dt.timedelta(days=29))
    to = _escalation_mail(order, django_capture_on_commit_callbacks)
    assert to == {"officer@akimat.kz", "roads@akimat.kz", "head@akimat.kz", "head.user@akimat.kz"}


def test_with_nobody_in_post_only_the_officer_and_the_department_hear(
    world, order, django_capture_on_commit_callbacks
):
    day = clock.now().date()
    head_post = post(Position.Kind.DEPARTMENT_HEAD, title="Head of roads", department=world.dep_a1)
    former = Person.objects.create(full_name="Прежний Руководитель", email="former@akimat.kz")
    appoint(former, head_post, day - dt.timedelta(days=400), ended_on=day - dt.timedelta(days=30))
    to = _escalation_mail(order, django_capture_on_commit_callbacks)
    assert to == {"officer@akimat.kz", "roads@akimat.kz"}


def test_contractors_asks_without_importing_oversight():
    root = Path(__file__).resolve().parents[2] / "contractors"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "oversight" for n in names), path
