"""A contractor's BIN is checked, check digit included, wherever one is entered (the admin's
form), not only by the factories' helper."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from contractors.models import Contractor
from contractors.validators import validate_bin

# Registered BINs of well-known Kazakh legal entities (public registers).
REAL_BINS = ["971240001315", "940140000385", "081140000436"]


@pytest.mark.parametrize("bin_", REAL_BINS)
def test_real_bins_pass_and_any_other_last_digit_fails(bin_):
    validate_bin(bin_)
    for digit in "0123456789":
        if digit == bin_[-1]:
            continue
        with pytest.raises(ValidationError) as refusal:
            validate_bin(bin_[:-1] + digit)
        assert refusal.value.code == "bin_checksum"


def test_the_second_weights_decide_when_the_first_give_ten():
    # 1 x weight 10 = 10 on the first pass; the second pass weighs that digit 1: check digit 1.
    validate_bin("000000000101")
    with pytest.raises(ValidationError):
        validate_bin("000000000100")


@pytest.mark.parametrize("value", ["97124000131", "9712400013150", "97124000131X", ""])
def test_a_bin_that_is_not_twelve_digits_is_refused(value):
    with pytest.raises(ValidationError) as refusal:
        validate_bin(value)
    assert refusal.value.code == "bin_format"


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.kz", "pw"))
    return client


def add_contractor(admin_client, bin_):
    return admin_client.post(
        reverse("admin:contractors_contractor_add"),
        {"legal_name": "ТОО «Жол Құрылыс»", "bin": bin_, "contact_name": "", "email": "",
         "phone": "", "address": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip


def test_the_admin_form_refuses_a_bin_with_a_wrong_check_digit(admin_client):
    response = add_contractor(admin_client, "971240001316")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["bin"] == [
        "This BIN's check digit is wrong: please check the number."
    ]
    assert not Contractor.objects.exists()


def test_the_admin_form_accepts_a_real_bin(admin_client):
    response = add_contractor(admin_client, "971240001315")
    assert response.status_code == 302
    assert Contractor.objects.get().bin == "971240001315"
