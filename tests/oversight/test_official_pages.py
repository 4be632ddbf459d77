"""The official's page: posts held, every act signed, failures of the work accepted, decisions
attributed, and the red-flag / inquiry / sanction sections from their hook; the officials' list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from casework import services
from oversight import accountability
from oversight.accountability import Accountability, AccountabilityItem
from oversight.models import Position
from tests.oversight.conftest import accepted, appoint, deliver_all, post
from tests.oversight.inquiry_fixtures import *  # noqa: F403  (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(world, posts):
    case, act = accepted(world, amount="48500")
    services.case_reopen(case, actor=world.officer, reason="Ямы вернулись", kind="warranty_defect")
    deliver_all()
    return case, act


def page(client, user, person, language="en", **params):
    client.force_login(user)
    return client.get(
        reverse("oversight:official", args=[person.pk]), params, HTTP_ACCEPT_LANGUAGE=language
    )


def listing(client, user, language="en", **params):
    client.force_login(user)
    return client.get(reverse("oversight:officials"), params, HTTP_ACCEPT_LANGUAGE=language)


def test_the_inspectors_page_shows_posts_acts_failures_and_decisions(client, world, posts, failed):
    case, act = failed
    response = page(client, world.investigator, posts.inspector)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Марат Тілеуов" in html
    # The post held, with its appointing order.
    assert "Inspector" in html and "№ 17-к" in html
    assert (timezone.localdate() - dt.timedelta(days=400)).strftime("%d.%m.%Y") in html
    # The act: number, case, contract, the role signed in and the post that day, the amount.
    assert f"№ {act.number}" in html and case.tracking_code in html
    assert "contract A1-001" in html
    assert "48,500.00 ₸" in html
    assert "1 failure" in html
    # The failure of accepted work, linked to the act and to the case.
    failures = html.split('id="section-failures"')[1].split("</section>")[0]
    assert "Case reopened after acceptance" in failures
    assert f"accepted by act № {act.number}" in failures
    assert reverse("workflows:case", args=[case.pk]) in failures
    # Decisions attributed, counted per kind.
    decisions = html.split('id="section-decisions"')[1].split("</section>")[0]
    assert 'data-action="verify"' in decisions
    assert "Repair checked and accepted by an inspector" in decisions
    assert "<dd>1</dd>" in decisions


def test_the_heads_page_counts_each_kind_of_decision(client, world, posts):
    for n in range(2):  # 1 km apart: the second is no warranty claim on the first
        accepted(world, latitude=f"{50.28 + n * 0.01:.6f}", longitude="57.167000")
    deliver_all()
    html = page(client, world.manager, posts.head).content.decode()
    decisions = html.split('id="section-decisions"')[1].split("</section>")[0]
    # The officer (Гүлнар Омарова, head of roads) issued both work orders.
    assert 'data-action="notify_contractor"' in decisions
    notify = decisions.split('data-action="notify_contractor"')[1].split("</div>")[0]
    assert "<dd>2</dd>" in notify
    # And signed both acts as the customer's representative.
    acts = html.split('id="section-acts"')[1].split("</section>")[0]
    assert acts.count("Customer&#x27;s representative") == 2


def test_an_act_signed_before_a_move_keeps_the_post_held_that_day(client, world, posts):
    _case, act = accepted(world)
    today = timezone.localdate()
    posts.inspector_job.ended_on = today
    posts.inspector_job.save()
    deputy = post(Position.Kind.DEPUTY_AKIM, title="Deputy akim", district=world.a1)
    appoint(posts.inspector, deputy, today + dt.timedelta(days=1), order_number="88-к")
    html = page(client, world.investigator, posts.inspector).content.decode()
    acts = html.split('id="section-acts"')[1].split("</section>")[0]
    assert "Inspector" in acts and "Deputy akim" not in acts
    posts_section = html.split('id="section-posts"')[1].split("</section>")[0]
    assert "Deputy akim" in posts_section and "№ 88-к" in posts_section


def test_the_red_flag_inquiry_and_sanction_sections_render_what_the_hook_gives(
    client, world, posts, monkeypatch
):
    html = page(client, world.investigator, posts.inspector).content.decode()
    for key, empty in (
        ("red-flags", "No red flags."),
        ("inquiries", "No inquiries you may see."),
        ("sanctions", "No sanctions."),
    ):
        assert f'id="section-{key}"' in html
        assert empty in html.split(f'id="section-{key}"')[1].split("</section>")[0]

    seen = {}

    def filled(person, user):
        seen["who"] = (person, user)
        return Accountability(
            red_flags=[
                AccountabilityItem(
                    "Accepted work failed", status="open", money_kzt=Decimal("48500"), url="/x/"
                )
            ],
            sanctions=[AccountabilityItem("Severe reprimand", when=dt.date(2026, 3, 2))],
        )

    monkeypatch.setattr("oversight.profiles.person_accountability", filled)
    html = page(client, world.investigator, posts.inspector).content.decode()
    assert seen["who"] == (posts.inspector, world.investigator)
    flags = html.split('id="section-red-flags"')[1].split("</section>")[0]
    assert '<a href="/x/">Accepted work failed</a>' in flags and "open" in flags
    sanctions = html.split('id="section-sanctions"')[1].split("</section>")[0]
    assert "Severe reprimand" in sanctions and "02.03.2026" in sanctions
    inquiries = html.split('id="section-inquiries"')[1].split("</section>")[0]
    assert "No inquiries you may see." in inquiries


def test_the_hook_is_empty_without_hits_inquiries_or_sanctions(world, posts):
    empty = accountability.person_accountability(posts.inspector, world.investigator)
    assert (empty.red_flags, empty.inquiries, empty.sanctions) == ([], [], [])
    empty = accountability.contractor_accountability(world.contractor, world.investigator)
    assert (empty.red_flags, empty.inquiries, empty.sanctions) == ([], [], [])


def test_the_sections_hold_the_hits_inquiries_and_sanctions_each_reader_may_see(
    world, posts, team, inquiry, failed_act
):
    from oversight.inquiries import sanction_propose
    from oversight.red_flags.run import red_flags_full_pass

    red_flags_full_pass()
    sanction_propose(
        inquiry, actor=team.lead, target=posts.inspector, kind="reprimand", legal_basis="ст. 40"
    )
    # Titles are read in the active language, which an earlier test in this process may have
    # left at Kazakh or Russian.
    with translation.override("en"):
        mine = accountability.person_accountability(posts.inspector, team.lead)
    assert any(item.title == "Accepted work failed" for item in mine.red_flags)
    assert [item.title for item in mine.inquiries] == [inquiry.number]
    assert [item.url for item in mine.sanctions] == [f"/staff/inquiries/{inquiry.pk}/"]
    theirs = accountability.contractor_accountability(world.contractor, team.lead)
    assert [item.title for item in theirs.inquiries] == [inquiry.number]  # through the act
    # An investigator of the region off the team sees the region's hits, not the inquiry.
    idle = accountability.person_accountability(posts.inspector, team.idle)
    assert idle.red_flags and idle.inquiries == [] and idle.sanctions == []
    # Another region's investigator sees nothing of it.
    other = accountability.person_accountability(posts.inspector, team.other_region)
    assert (other.red_flags, other.inquiries, other.sanctions) == ([], [], [])


def test_acts_on_cases_outside_the_viewers_scope_are_not_listed(client, world, posts):
    _case, act = accepted(world)
    # The inspector also took a post in region B: its investigator may open the page now, and
    # sees the posts (public appointments) but not the act signed on a region A case.
    b_post = post(Position.Kind.INSPECTOR, title="Inspector B", department=world.dep_b1)
    appoint(posts.inspector, b_post, timezone.localdate() - dt.timedelta(days=10))
    response = page(client, world.investigator_b, posts.inspector)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Inspector B" in html
    assert f"№ {act.number}" not in html
    assert f"№ {act.number}" in page(client, world.investigator, posts.inspector).content.decode()


def test_the_list_finds_people_by_name_post_kind_and_district(client, world, posts):
    response = listing(client, world.investigator)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Марат Тілеуов", "Гүлнар Омарова"):
        assert name in html
    assert reverse("oversight:official", args=[posts.inspector.pk]) in html
    assert "Inspector (Roads)" in html  # the post held today, by its title and its place
    html = listing(client, world.investigator, q="марат").content.decode()
    assert "Марат Тілеуов" in html and "Гүлнар Омарова" not in html
    html = listing(client, world.investigator, kind="department_head").content.decode()
    assert "Гүлнар Омарова" in html and "Марат Тілеуов" not in html
    akim = post(Position.Kind.DISTRICT_AKIM, title="Akim of A2", district=world.a2)
    from oversight.models import Person

    appoint(Person.objects.create(full_name="Серік Ахметов"), akim, dt.date(2024, 1, 1))
    html = listing(client, world.investigator, district=world.a2.pk).content.decode()
    assert "Серік Ахметов" in html and "Марат Тілеуов" not in html


def test_the_list_does_not_offer_or_accept_another_regions_district(client, world, posts):
    html = listing(client, world.investigator).content.decode()
    assert f'<option value="{world.a1.pk}"' in html
    assert f'<option value="{world.b1.pk}"' not in html
    response = listing(client, world.investigator, district=world.b1.pk)
    assert response.status_code == 400
    assert "Марат Тілеуов" not in response.content.decode()


def test_people_of_another_region_are_not_listed(client, world, posts):
    html = listing(client, world.investigator_b).content.decode()
    assert "Марат Тілеуов" not in html and "Гүлнар Омарова" not in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("kk", "Атқарған лауазымдары"), ("ru", "Занимаемые должности"), ("en", "Posts held")],
)
def test_the_page_speaks_each_language(client, world, posts, language, heading):
    html = page(client, world.investigator, posts.inspector, language=language).content.decode()
    assert f'lang="{language}"' in html
    assert heading in html


def test_the_case_page_links_signatories_to_their_pages_for_those_who_may_open_them(
    client, world, posts
):
    case, _act = accepted(world)
    url = reverse("workflows:case", args=[case.pk])
    link = f'href="{reverse("oversight:official", args=[posts.inspector.pk])}"'
    client.force_login(world.investigator)
    html = client.get(url).content.decode()
    assert link in html
    assert f'href="{reverse("oversight:contractor", args=[world.contractor.pk])}"' in html
    client.force_login(world.officer)
    html = client.get(url).content.decode()
    assert "Марат Тілеуов" in html and "/staff/officials/" not in html
    assert "/staff/contractors/" not in html


def test_a_real_hit_inquiry_and_sanction_appear_on_the_inspectors_page(client, world, failed):
    from oversight.inquiries import inquiry_open, sanction_propose
    from oversight.models import Person

    _case, act = failed  # the outbox jobs found the "accepted work failed" hit on the act
    inspector = Person.objects.get(user=world.inspector)
    inquiry = inquiry_open(
        actor=world.investigator,
        subjects=[inspector],
        allegations="Принял ремонт, который не выдержал двух месяцев",
        supervisor=world.manager,
    )
    sanction_propose(
        inquiry,
        actor=world.investigator,
        target=inspector,
        kind="severe_reprimand",
        legal_basis="Закон о государственной службе, ст. 40",
    )
    html = page(client, world.investigator, inspector).content.decode()
    flags = html.split('id="section-red-flags"')[1].split("</section>")[0]
    assert "Accepted work failed" in flags and f"№ {act.number}" in flags
    assert f"person={inspector.pk}" in flags and "48,500.00 ₸" in flags
    inquiries = html.split('id="section-inquiries"')[1].split("</section>")[0]
    assert inquiry.number in inquiries
    assert reverse("oversight:inquiry", args=[inquiry.pk]) in inquiries
    sanctions = html.split('id="section-sanctions"')[1].split("</section>")[0]
    assert "Severe reprimand" in sanctions and "Proposed" in sanctions
    # Another investigator of the region, not on the inquiry: the hit, but not the inquiry.
    colleague = world.user("investigator", name="investigator2", region=world.region_a)
    html = page(client, colleague, inspector).content.decode()
    assert "Accepted work failed" in html.split('id="section-red-flags"')[1]
    assert inquiry.number not in html and "Severe reprimand" not in html
