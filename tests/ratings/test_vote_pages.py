"""The vote pages: the complainant's form behind the case link (a wrong link is a 404), bad
input a 400 with field messages and nothing written; a clerk's form for a caller's vote; the
staff list of held votes. No page names who voted."""

import datetime as dt
import re

import pytest

from casework import clock
from ratings.models import Vote, VoteHold, VoteHoldReview
from tests.ratings.vote_helpers import verified

pytestmark = pytest.mark.django_db

NAME = "Айгүл Сейтқали"
PHONE = "+77011234567"


def vote_path(case) -> str:
    return f"/ratings/vote/{case.tracking_code}/"


def test_the_tracking_page_links_to_the_vote_form(world, client):
    case = verified(world)
    page = client.get(f"/track/{case.tracking_code}/?t={case.access_token}").content.decode()
    assert f'href="{vote_path(case)}?t={case.access_token}"' in page


def test_the_complainant_votes_on_the_form(world, client):
    case = verified(world)
    page = client.get(f"{vote_path(case)}?t={case.access_token}")
    assert page.status_code == 200 and 'name="result_score"' in page.content.decode()
    response = client.post(
        vote_path(case),
        {"t": case.access_token, "result_score": "4", "answer_score": "2", "comment": "Хорошо"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/track/{case.tracking_code}/")
    vote = Vote.objects.get()
    assert (vote.result_score, vote.answer_score, vote.channel) == (4, 2, "web")
    # Coming back shows the scores to change, until when.
    again = client.get(f"{vote_path(case)}?t={case.access_token}")
    assert again.context["form"].initial["result_score"] == 4
    assert re.search(r'value="4" id="id_result_score_3"[^>]* checked', again.content.decode())


@pytest.mark.parametrize("token", ["", "nope"])
def test_a_wrong_link_is_not_found_and_nothing_written(world, client, token):
    case = verified(world)
    assert client.get(f"{vote_path(case)}?t={token}").status_code == 404
    response = client.post(vote_path(case), {"t": token, "result_score": 5, "answer_score": 5})
    assert response.status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"result_score": "0", "answer_score": "3"}, "result_score"),
        ({"result_score": "6", "answer_score": "3"}, "result_score"),
        ({"result_score": "3", "answer_score": "9"}, "answer_score"),
        ({"result_score": "3"}, "answer_score"),
    ],
)
def test_bad_scores_get_a_400_with_the_field_named(world, client, data, field):
    case = verified(world)
    response = client.post(vote_path(case), {"t": case.access_token, **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Vote.objects.exists()


def test_a_frozen_vote_gets_a_clear_400(world, client):
    case = verified(world)
    with clock.frozen_at(clock.now() + dt.timedelta(days=15)):
        response = client.post(
            vote_path(case), {"t": case.access_token, "result_score": 5, "answer_score": 5}
        )
    assert response.status_code == 400
    assert "14" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_vote_form_does_not_name_the_complainant(world, client):
    case = verified(world)
    page = client.get(f"{vote_path(case)}?t={case.access_token}").content.decode()
    assert NAME not in page and PHONE not in page


def test_a_clerk_records_a_callers_vote(world, client):
    case = verified(world, channel="phone", actor=world.clerk)
    client.force_login(world.clerk)
    assert client.get("/staff/ratings/votes/new/").status_code == 200
    response = client.post(
        "/staff/ratings/votes/new/",
        {"tracking_code": case.tracking_code, "result_score": 3, "answer_score": 4},
    )
    assert response.status_code == 302
    assert Vote.objects.get().recorded_by == world.clerk


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"tracking_code": "AQT-2026-NOSUCH", "result_score": 3, "answer_score": 4}, 400),
        ({"result_score": 3, "answer_score": 4}, 400),
        ({"tracking_code": "web", "result_score": 3, "answer_score": 4}, 400),
        ({"tracking_code": "phone", "result_score": 7, "answer_score": 4}, 400),
    ],
)
def test_bad_clerk_input_is_refused(world, client, data, status):
    phone_case = verified(world, channel="phone", actor=world.clerk)
    web_case = verified(world)
    codes = {"web": web_case.tracking_code, "phone": phone_case.tracking_code}
    if data.get("tracking_code") in codes:
        data = {**data, "tracking_code": codes[data["tracking_code"]]}
    client.force_login(world.clerk)
    response = client.post("/staff/ratings/votes/new/", data)
    assert response.status_code == status
    assert not Vote.objects.exists()


@pytest.mark.parametrize("who", ["officer", "inspector", "contractor_user"])
def test_only_clerks_open_the_clerk_form(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/staff/ratings/votes/new/").status_code == 404


@pytest.fixture
def held(world, settings):
    settings.VOTE_ABUSE_PHONE_COMPLAINTS = 1
    from ratings.votes import vote_cast

    case = verified(world)
    vote = vote_cast(case, token=case.access_token, result_score=5, answer_score=5)
    return VoteHold.objects.get(vote=vote)


def test_a_manager_lists_and_releases_held_votes(world, client, held):
    client.force_login(world.manager)
    page = client.get("/staff/ratings/votes/holds/").content.decode()
    assert f'data-hold="{held.pk}"' in page
    assert NAME not in page and PHONE not in page
    response = client.post(
        f"/staff/ratings/votes/holds/{held.pk}/review/", {"decision": "release", "note": ""}
    )
    assert response.status_code == 302
    assert VoteHoldReview.objects.get(hold=held).reviewer == world.manager
    assert (
        f'data-hold="{held.pk}"' not in client.get("/staff/ratings/votes/holds/").content.decode()
    )


def test_bad_reviews_on_the_page(world, client, held):
    client.force_login(world.manager)
    url = f"/staff/ratings/votes/holds/{held.pk}/review/"
    assert client.post(url, {"decision": "maybe"}).status_code == 400
    assert client.post(url, {"decision": "reject", "note": ""}).status_code == 400
    assert (
        client.post(
            "/staff/ratings/votes/holds/999999/review/", {"decision": "release"}
        ).status_code
        == 404
    )
    client.force_login(world.manager_b)
    assert client.post(url, {"decision": "release"}).status_code == 404
    client.force_login(world.clerk)
    assert client.get("/staff/ratings/votes/holds/").status_code == 404
    assert client.post(url, {"decision": "release"}).status_code == 404
    assert not VoteHoldReview.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/staff/ratings/votes/new/"),
        ("post", "/staff/ratings/votes/new/"),
        ("get", "/staff/ratings/votes/holds/"),
        ("post", "/staff/ratings/votes/holds/1/review/"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
