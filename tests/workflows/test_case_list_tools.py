"""The staff case list's tools: sortable columns, the total, the CSV export of exactly what is
filtered, saved filters, the clerks' bulk take/route, thumbnails, and filter choices within the
user's scope."""

import csv
import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from casework.models import Case
from tests.factories import image_upload
from workflows import caselist, thumbnails
from workflows.models import SavedFilter
from workflows.queues import active_task_of

pytestmark = pytest.mark.django_db

LIST = "/staff/cases/"
EXPORT = "/staff/cases/export.csv"


def listed(client, query: str = "") -> list[str]:
    response = client.get(LIST + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content.decode()[:2000]
    return re.findall(r'<tr class="[^"]*" data-case="([^"]+)"', response.content.decode())


def exported(client, query: str = "") -> list[list[str]]:
    response = client.get(EXPORT + (f"?{query}" if query else ""))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def spread(world):
    """Cases of region A in both districts, open and closed, one about Маресьева street."""
    a1 = [world.case(title=f"Яма {n}") for n in range(3)]
    a2 = [world.case(district=world.a2, title=f"Люк {n}") for n in range(2)]
    street = world.case(address="ул. Маресьева, 12", title="Провал")
    rejected = world.advance(world.case(title="Реклама"), "rejected")
    assigned = world.advance(world.case(title="Бордюр"), "assigned")
    b1 = world.case(district=world.b1, title="Чужой регион")
    return {"a1": a1, "a2": a2, "street": street, "rejected": rejected, "assigned": assigned,
            "b1": b1}  # fmt: skip


QUERIES = [
    "",
    "show=all",
    "show=closed",
    "show=all&sort=-code",
    "show=all&sort=district",
    "sort=received",
    "q=Маресьева",
    "show=state:assigned",
]


def test_the_csv_export_has_exactly_the_rows_of_the_list_for_each_filter(client, world, spread):
    client.force_login(world.investigator)
    for query in QUERIES + [f"district={world.a2.pk}", f"department={world.dep_a1.pk}"]:
        rows = exported(client, query)
        assert rows[0][0] and rows[0][0] != spread["a1"][0].tracking_code  # the header
        assert [row[0] for row in rows[1:]] == listed(client, query), query
    # A filter that does select something (so the equality above is not between empties).
    assert len(listed(client, "show=all")) == 8
    assert set(listed(client, f"district={world.a2.pk}")) == {c.tracking_code for c in spread["a2"]}
    assert listed(client, "q=Маресьева") == [spread["street"].tracking_code]


def test_the_csv_export_stays_in_scope_and_carries_no_personal_data(client, world, spread):
    client.force_login(world.clerk)
    rows = exported(client, "show=all")
    codes = {row[0] for row in rows[1:]}
    assert codes == set(listed(client, "show=all"))
    assert spread["b1"].tracking_code not in codes
    assert all(c.tracking_code not in codes for c in spread["a2"])  # the clerk's district only
    text = "\n".join(",".join(row) for row in rows)
    assert "Айгүл" not in text and "7011234567" not in text


def test_a_spreadsheet_formula_in_a_title_is_written_as_text(client, world):
    case = world.case(title='=HYPERLINK("http://evil")')
    client.force_login(world.clerk)
    row = next(r for r in exported(client) if r[0] == case.tracking_code)
    assert row[1].startswith("'=")


def test_columns_sort_by_whitelisted_keys_only(client, world, spread):
    client.force_login(world.investigator)
    ascending = listed(client, "show=all&sort=code")
    assert ascending == sorted(ascending)
    assert listed(client, "show=all&sort=-code") == list(reversed(ascending))
    html = client.get(LIST + "?show=all&sort=code").content.decode()
    assert 'aria-sort="ascending"' in html and "sort=-code" in html  # the header flips it
    # Anything else is refused, never handed to ORDER BY.
    assert client.get(LIST + "?sort=title").status_code == 400
    assert client.get(LIST + "?sort=complainant__name").status_code == 400


def test_the_list_shows_the_total_count(client, world, spread):
    client.force_login(world.investigator)
    html = client.get(LIST + "?show=all").content.decode()
    total = re.search(r'id="case-total">([^<]+)<', html).group(1)
    assert "8" in total
    html = client.get(LIST + f"?district={world.a2.pk}").content.decode()
    assert "2" in re.search(r'id="case-total">([^<]+)<', html).group(1)


def test_the_total_is_counted_up_to_a_cap(world, monkeypatch):
    for n in range(5):
        world.case(title=f"Яма {n}")
    monkeypatch.setattr(caselist, "PAGE_SIZE", 2)
    page = caselist.case_list(world.clerk, {})
    assert (page.total, page.total_capped, page.has_next) == (5, False, True)
    monkeypatch.setattr(caselist, "COUNT_CAP", 3)
    page = caselist.case_list(world.clerk, {})
    assert (page.total, page.total_capped) == (3, True)
    last = caselist.case_list(world.clerk, {"page": 3})
    assert (len(last.cases), last.total, last.has_next) == (1, 3, False)


def options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(1))) if select else set()


def test_filters_offer_only_districts_and_departments_in_the_users_scope(client, world):
    client.force_login(world.investigator)
    html = client.get(LIST).content.decode()
    assert options(html, "district") == {str(world.a1.pk), str(world.a2.pk)}
    assert str(world.dep_b1.pk) not in options(html, "department")
    client.force_login(world.clerk)
    html = client.get(LIST).content.decode()
    assert options(html, "district") == {str(world.a1.pk)}
    client.force_login(world.officer)
    html = client.get(LIST).content.decode()
    assert options(html, "department") == {str(world.dep_a1.pk)}
    assert options(html, "district") == set()


def test_an_out_of_scope_district_forced_into_the_address_is_ignored(client, world, spread):
    client.force_login(world.investigator)
    everything = listed(client)
    assert listed(client, f"district={world.b1.pk}") == everything
    assert exported(client, f"district={world.b1.pk}")[1:] == exported(client)[1:]
    assert spread["b1"].tracking_code not in everything
    client.force_login(world.clerk)
    assert listed(client, f"district={world.a2.pk}") == listed(client)
    assert listed(client, f"district={world.a2.pk}")  # the clerk's own cases, not none


def test_saved_filters_belong_to_their_user(client, world, spread):
    client.force_login(world.clerk)
    response = client.post(
        reverse("workflows:cases-filter-save"),
        {"name": "Закрытые", "query": "show=closed&page=3&evil=1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?show=closed")
    saved = SavedFilter.objects.get(user=world.clerk)
    assert (saved.name, saved.query) == ("Закрытые", "show=closed")
    html = client.get(LIST).content.decode()
    assert "Закрытые" in html and f'href="{LIST}?show=closed"' in html
    # The same name again replaces the filter.
    client.post(reverse("workflows:cases-filter-save"), {"name": "Закрытые", "query": "show=all"})
    assert SavedFilter.objects.get(user=world.clerk).query == "show=all"
    assert client.post(reverse("workflows:cases-filter-save"), {"name": " "}).status_code == 400

    client.force_login(world.clerk_a2)
    assert "Закрытые" not in client.get(LIST).content.decode()
    delete = reverse("workflows:cases-filter-delete", args=[saved.pk])
    assert client.post(delete).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client.force_login(world.clerk)
    assert client.post(delete).status_code == 302
    assert not SavedFilter.objects.exists()


def test_a_clerk_takes_several_cases_at_once(client, world):
    cases = [world.case(title=f"Яма {n}") for n in range(3)]
    client.force_login(world.clerk)
    assert 'id="bulk-form"' in client.get(LIST).content.decode()
    response = client.post(
        reverse("workflows:cases-bulk"), {"op": "claim", "case": [c.pk for c in cases[:2]]}
    )
    assert response.status_code == 200
    assert [active_task_of(c).owner_id for c in cases] == [world.clerk.pk, world.clerk.pk, None]
    # Again: each case says why, and the third one (not yet taken) is taken now.
    response = client.post(
        reverse("workflows:cases-bulk"), {"op": "claim", "case": [c.pk for c in cases]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="refused"') == 2 and html.count('class="done"') == 1
    assert active_task_of(cases[2]).owner_id == world.clerk.pk


def test_a_clerk_routes_several_cases_each_in_its_own_transaction(client, world):
    free = [world.case(title=f"Яма {n}") for n in range(2)]
    held = world.case(title="Занято")
    colleague = world.user("clerk", name="clerk_b", district=world.a1)
    from workflows.services import tasks_claim

    tasks_claim([active_task_of(held).pk], actor=colleague)
    done = world.advance(world.case(title="Уже"), "assigned")
    hidden = world.case(district=world.a2)
    client.force_login(world.clerk)
    response = client.post(
        reverse("workflows:cases-bulk"),
        {
            "op": "route",
            "department": world.dep_a1.pk,
            "case": [free[0].pk, held.pk, done.pk, hidden.pk, free[1].pk],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert [Case.objects.get(pk=c.pk).state for c in free] == ["assigned", "assigned"]
    assert Case.objects.get(pk=held.pk).state == "received"
    assert Case.objects.get(pk=hidden.pk).state == "received"
    assert html.count('class="done"') == 2 and html.count('class="refused"') == 3
    assert "clerk_b" in html  # who holds the task
    assert hidden.tracking_code not in html  # not named to someone who may not see it
    assert Case.objects.get(pk=free[0].pk).events.filter(action="assign").count() == 1


def test_bulk_actions_are_for_clerks_only(client, world):
    case = world.case()
    client.force_login(world.officer)
    assert 'id="bulk-form"' not in client.get(LIST).content.decode()
    response = client.post(reverse("workflows:cases-bulk"), {"op": "claim", "case": [case.pk]})
    assert response.status_code == 403
    assert active_task_of(case).owner_id is None
    client.force_login(world.clerk)
    out_of_scope = {"op": "route", "department": world.dep_b1.pk, "case": [case.pk]}
    assert client.post(reverse("workflows:cases-bulk"), out_of_scope).status_code == 400
    assert Case.objects.get(pk=case.pk).state == "received"


def test_the_list_shows_a_thumbnail_of_each_cases_photo(client, world):
    with_photo = world.case(photos=[image_upload("p.jpg", size=(1200, 900))])
    without = world.case()
    client.force_login(world.clerk)
    html = client.get(LIST).content.decode()
    photo = with_photo.attachments.get()
    thumb = reverse("workflows:attachment-thumb", args=[with_photo.pk, photo.pk])
    row = re.search(rf'data-case="{with_photo.tracking_code}">(.*?)</tr>', html, re.S).group(1)
    assert f'<img src="{thumb}"' in row
    assert reverse("workflows:attachment", args=[with_photo.pk, photo.pk]) in row
    row = re.search(rf'data-case="{without.tracking_code}">(.*?)</tr>', html, re.S).group(1)
    assert "<img" not in row
    response = client.get(thumb)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as preview:
        assert max(preview.size) <= 2 * thumbnails.SIZE
    # Only for those who may see the case.
    client.force_login(world.clerk_a2)
    assert client.get(thumb).status_code == 404


def test_an_officer_sees_cases_routed_to_the_department_in_the_export(client, world):
    case = world.advance(world.case(), "assigned")
    world.case()  # still with the clerks: not the department's
    client.force_login(world.officer)
    assert [row[0] for row in exported(client)[1:]] == [case.tracking_code] == listed(client)
