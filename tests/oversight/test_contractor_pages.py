"""The contractor's staff page: contracts with amounts and modifications, money charged by acts
against each contract, work orders, acts, failures, and the red-flag / sanction hook."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from casework import services
from contractors.services import contract_modify
from oversight.accountability import Accountability, AccountabilityItem
from oversight.services import act_correct
from tests.oversight.conftest import accepted, deliver_all

pytestmark = pytest.mark.django_db


def page(client, user, contractor, language="en"):
    client.force_login(user)
    return client.get(
        reverse("oversight:contractor", args=[contractor.pk]), HTTP_ACCEPT_LANGUAGE=language
    )


def section(html: str, key: str) -> str:
    return html.split(f'id="section-{key}"')[1].split("</section>")[0]


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.kz", "pw-root")


def test_contracts_show_amounts_and_the_money_charged_by_acts(client, world, posts):
    case, act = accepted(world, amount="250000")
    response = page(client, world.investigator, world.contractor)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ТОО «Тест Жол»" in html
    contracts = section(html, "contracts")
    assert "№ A1-001" in contracts
    assert "1,000,000.00 ₸" in contracts  # the contract's amount
    assert "250,000.00 ₸" in contracts and "(25%)" in contracts  # charged by acts
    assert "750,000.00 ₸ left" in contracts
    assert "1 work order" in contracts
    acts = section(html, "acts")
    assert f"№ {act.number}" in acts and case.tracking_code in acts
    orders = section(html, "orders")
    assert case.tracking_code in orders and "№ A1-001" in orders


def test_a_modification_shows_old_and_new_terms_and_an_amount_below_the_acts_is_flagged(
    client, world, posts, admin_user
):
    accepted(world, amount="600000")
    today = timezone.localdate()
    old_end = world.contract.ends_on
    contract_modify(
        world.contract,
        actor=admin_user,
        new_amount_kzt="500000",
        new_ends_on=old_end + dt.timedelta(days=90),
        modified_on=today,
        reason="Дополнительное соглашение № 2",
    )
    contracts = section(
        page(client, world.investigator, world.contractor).content.decode(), "contracts"
    )
    assert 'class="modification"' in contracts
    assert "1,000,000.00 → 500,000.00 ₸" in contracts
    assert f"{old_end:%d.%m.%Y} → {old_end + dt.timedelta(days=90):%d.%m.%Y}" in contracts
    assert "Дополнительное соглашение № 2" in contracts
    assert "more than the contract's amount" in contracts
    assert "(120%)" in contracts


def test_a_corrected_act_is_charged_once_at_its_corrected_amount(client, world, posts):
    _case, act = accepted(world, amount="100000")
    fixed = act_correct(act, actor=world.inspector, reason="Объём 2 м²", amount_kzt="80000")
    html = page(client, world.investigator, world.contractor).content.decode()
    assert "80,000.00 ₸ (8%)" in section(html, "contracts").replace("</span>", "").replace(
        '<span class="muted">', ""
    )
    acts = section(html, "acts")
    assert f"№ {fixed.number}" in acts and f"№ {act.number}" in acts
    assert acts.count("corrected") == 1
    summary = html.split('class="facts card summary"')[1].split("</dl>")[0]
    assert "80,000.00 ₸" in summary


def test_failures_of_accepted_work_are_listed_with_their_act(client, world, posts):
    case, act = accepted(world)
    services.case_reopen(case, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    deliver_all()
    html = page(client, world.manager, world.contractor).content.decode()
    failures = section(html, "failures")
    assert "Case reopened after acceptance" in failures
    assert f"accepted by act № {act.number}" in failures
    assert "1 failure" in section(html, "acts")


def test_each_region_sees_only_its_own_contracts_and_orders(client, world, posts):
    case, act = accepted(world)
    b_html = page(client, world.investigator_b, world.contractor).content.decode()
    assert "№ B1-001" in section(b_html, "contracts")
    assert "№ A1-001" not in b_html
    assert case.tracking_code not in b_html and act.number not in b_html
    a_html = page(client, world.investigator, world.contractor).content.decode()
    assert "№ A1-001" in a_html and "№ B1-001" not in a_html


def test_representatives_are_named_with_their_post_and_link_to_their_page(client, world, posts):
    accepted(world)
    html = page(client, world.investigator, world.contractor).content.decode()
    people = section(html, "people")
    assert "Ерлан Жұмабаев" in people and "Site foreman" in people
    assert reverse("oversight:official", args=[posts.rep.pk]) in people


def test_the_hook_fills_the_contractors_red_flags_and_sanctions(client, world, monkeypatch):
    monkeypatch.setattr(
        "oversight.profiles.contractor_accountability",
        lambda contractor, user: Accountability(
            red_flags=[AccountabilityItem("Contract splitting", money_kzt=Decimal("2999999"))],
            sanctions=[AccountabilityItem("Register of unscrupulous suppliers", status="imposed")],
        ),
    )
    html = page(client, world.investigator, world.contractor).content.decode()
    assert "Contract splitting" in section(html, "red-flags")
    assert "2,999,999.00 ₸" in section(html, "red-flags")
    assert "imposed" in section(html, "sanctions")
    assert "No inquiries you may see." in section(html, "inquiries")


def test_the_list_finds_contractors_by_name_or_bin(client, world):
    client.force_login(world.investigator)
    url = reverse("oversight:contractors")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ТОО «Тест Жол»" in html and "ТОО «Басқа»" in html
    html = client.get(url, {"q": "басқа"}).content.decode()
    assert "ТОО «Басқа»" in html and "ТОО «Тест Жол»" not in html
    html = client.get(url, {"q": world.contractor.bin}).content.decode()
    assert "ТОО «Тест Жол»" in html
    assert reverse("oversight:contractor", args=[world.contractor.pk]) in html
    client.force_login(world.investigator_b)
    html = client.get(url).content.decode()
    assert "ТОО «Тест Жол»" in html and "ТОО «Басқа»" not in html  # no contract in region B


@pytest.mark.parametrize(
    ("language", "heading"),
    [("kk", "Шарттар"), ("ru", "Договоры"), ("en", "Contracts")],
)
def test_the_page_speaks_each_language(client, world, language, heading):
    html = page(client, world.investigator, world.contractor, language=language).content.decode()
    assert f'lang="{language}"' in html
    assert f'<h2 id="section-contracts-title">{heading}</h2>' in html


def test_the_scorecards_lead_investigators_to_the_contractors_page(client, world):
    world.advance(world.case(), "contractor_notified")
    link = f'href="{reverse("oversight:contractor", args=[world.contractor.pk])}"'
    # The scorecards open on the last full month; this month's order is in this month's table.
    today = timezone.localdate()
    this_month = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    client.force_login(world.investigator)
    assert link in client.get(reverse("contractors:scorecards"), this_month).content.decode()
    client.force_login(world.officer)
    response = client.get(reverse("contractors:scorecards"), this_month)
    assert response.status_code == 200 and "ТОО «Тест Жол»" in response.content.decode()
    assert "/staff/contractors/" not in response.content.decode()


def test_the_red_flag_on_a_failed_repair_appears_on_the_contractors_page(client, world, posts):
    case, act = accepted(world)
    services.case_reopen(case, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    deliver_all()
    flags = section(
        page(client, world.investigator, world.contractor).content.decode(), "red-flags"
    )
    assert "Accepted work failed" in flags and f"№ {act.number}" in flags
    assert f"contractor={world.contractor.pk}" in flags
    # A manager sees the page, but red-flag hits are the investigators' (the queue's own rule).
    flags = section(page(client, world.manager, world.contractor).content.decode(), "red-flags")
    assert "Accepted work failed" not in flags
