"""A signed contract's amount or period changes only with a recorded modification."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from contractors.models import Contract, ContractModification
from contractors.services import contract_modify

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(world):
    return get_user_model().objects.create_superuser("boss", "boss@example.kz", "pw-boss")


def test_a_modification_records_old_and_new_terms_and_changes_the_contract(world, admin_user):
    contract = world.contract
    old_end = contract.ends_on
    today = timezone.localdate()
    change = contract_modify(
        contract,
        actor=admin_user,
        new_amount_kzt="1250000.50",
        new_ends_on=old_end + dt.timedelta(days=90),
        modified_on=today,
        reason="Дополнительное соглашение № 2",
    )
    assert (change.old_amount_kzt, change.new_amount_kzt) == (
        Decimal("1000000"),
        Decimal("1250000.50"),
    )
    assert (change.old_ends_on, change.new_ends_on) == (old_end, old_end + dt.timedelta(days=90))
    assert change.amount_changed and change.period_changed and change.recorded_by == admin_user
    contract.refresh_from_db()
    assert contract.amount_kzt == Decimal("1250000.50")
    assert contract.ends_on == old_end + dt.timedelta(days=90)
    assert contract.history.first().history_change_reason == "contract_modify"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"new_amount_kzt": "1000000"}, "new_amount_kzt"),  # nothing changes
        ({"new_amount_kzt": "-1"}, "new_amount_kzt"),
        ({"new_amount_kzt": "много"}, "new_amount_kzt"),
        ({"reason": "  "}, "reason"),
        ({"modified_on": dt.date(2000, 1, 1)}, "modified_on"),
        ({"new_ends_on": dt.date(2000, 1, 1)}, "new_ends_on"),
    ],
)
def test_bad_modifications_are_refused_and_change_nothing(world, admin_user, changes, field):
    contract = world.contract
    data = {
        "new_amount_kzt": "2000000",
        "new_ends_on": contract.ends_on,
        "modified_on": timezone.localdate(),
        "reason": "Допсоглашение",
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        contract_modify(contract, actor=admin_user, **data)
    assert field in refused.value.message_dict
    assert Contract.objects.get(pk=contract.pk).amount_kzt == Decimal("1000000")
    assert not ContractModification.objects.exists()


def test_staff_without_the_permission_may_not_modify(world):
    with pytest.raises(PermissionDenied):
        contract_modify(
            world.contract,
            actor=world.officer,
            new_amount_kzt="5",
            new_ends_on=world.contract.ends_on,
            modified_on=timezone.localdate(),
            reason="x",
        )
    assert not ContractModification.objects.exists()


def test_the_admin_form_records_a_modification_and_the_contract_amount_is_read_only(
    world, admin_user, client
):
    client.force_login(admin_user)
    url = reverse("admin:contractors_contractmodification_add")
    response = client.post(
        url,
        {
            "contract": world.contract.pk,
            "new_amount_kzt": "1100000",
            "new_ends_on": world.contract.ends_on.isoformat(),
            "modified_on": timezone.localdate().isoformat(),
            "reason": "Увеличение объёма",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ContractModification.objects.get()
    assert change.new_amount_kzt == Decimal("1100000") and change.recorded_by == admin_user
    # A bad one shows the service's message beside the field and records nothing more.
    response = client.post(
        url,
        {
            "contract": world.contract.pk,
            "new_amount_kzt": "1100000",
            "new_ends_on": world.contract.ends_on.isoformat(),
            "modified_on": timezone.localdate().isoformat(),
            "reason": "Повтор",
        },
    )
    assert response.status_code == 200
    assert ContractModification.objects.count() == 1
    page = client.get(reverse("admin:contractors_contract_change", args=[world.contract.pk]))
    assert 'name="amount_kzt"' not in page.content.decode()


@pytest.mark.postgres
def test_postgres_refuses_rewriting_a_recorded_modification(requires_postgres, world, admin_user):
    contract_modify(
        world.contract,
        actor=admin_user,
        new_amount_kzt="7",
        new_ends_on=world.contract.ends_on,
        modified_on=timezone.localdate(),
        reason="Сокращение",
    )
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE contractors_contractmodification SET new_amount_kzt = 1")
    assert ContractModification.objects.get().new_amount_kzt == Decimal("7")
