import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    user = get_user_model().objects.create_superuser("root", "root@example.kz", "pw")
    client.force_login(user)
    world.advance(world.case(), "verified")
    return client


def test_every_business_model_is_in_the_admin_with_history(admin_client):
    from casework import models as casework_models
    from contractors import models as contractor_models

    registered = admin.site._registry
    for module in (casework_models, contractor_models):
        for name in dir(module):
            model = getattr(module, name)
            if (
                isinstance(model, type)
                and hasattr(model, "_meta")
                and not name.startswith("Historical")
                and hasattr(model, "history")
            ):
                assert model in registered, model
    for model, model_admin in registered.items():
        opts = model._meta
        if opts.app_label not in ("casework", "contractors"):
            continue
        changelist = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )
        assert changelist.status_code == 200, model
        obj = model._base_manager.first()
        if obj is not None and hasattr(model, "history"):
            history = admin_client.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
            )
            assert history.status_code == 200, model


def test_admin_cannot_edit_cases_or_events(admin_client):
    from casework.models import Case, CaseEvent

    case = Case.objects.first()
    event = CaseEvent.objects.first()
    response = admin_client.post(
        reverse("admin:casework_case_change", args=[case.pk]), {"title": "edited"}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(
            reverse("admin:casework_caseevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Case.objects.get(pk=case.pk).title != "edited"


def test_complainant_history_is_encrypted_too(world):
    world.case(complainant={"name": "Айгүл Сейтқали", "phone": "+77011234567"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM casework_historicalcomplainant")
        rows = cursor.fetchall()
    assert rows and all("Айгүл" not in r[0] and "7701" not in r[1] for r in rows)
