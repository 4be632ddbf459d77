"""The vote form in a real browser, on a phone and a desktop, in kk/ru/en: axe-core finds no
WCAG 2.1 AA violation (empty, with its errors, after a vote); the clerk's form and the held
votes list too. Votes are cast by tapping the choices, as a citizen would."""

from __future__ import annotations

import pytest

from ratings.models import Vote
from tests.e2e.test_accessibility import LOCALES, Audit, _log_in, axe  # noqa: F401
from tests.ratings.vote_helpers import verified

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_vote_form_is_clean_and_works_on_a_phone(
    live_server,
    new_page,
    world,
    axe,  # noqa: F811
    language,
):
    case = verified(world)
    page = new_page(LOCALES[language])
    audit = Audit(page, live_server.url, sizes=("phone", "desktop"))
    audit.visit(f"/ratings/vote/{case.tracking_code}/?t={case.access_token}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("main button[type=submit].primary")  # nothing chosen: the form with its errors
    page.wait_for_selector(".errorlist")
    audit.check("vote form with errors")
    page.check("#id_result_score_3")
    page.check("#id_answer_score_1")
    page.click("main button[type=submit].primary")
    page.wait_for_url(lambda url: "/track/" in url)
    audit.check("tracking page after the vote")
    vote = Vote.objects.get()
    assert (vote.result_score, vote.answer_score) == (4, 2)
    audit.assert_clean()


def test_the_staff_vote_pages_are_clean(
    live_server,
    new_page,
    world,
    axe,  # noqa: F811
    settings,
):
    settings.VOTE_ABUSE_PHONE_COMPLAINTS = 1
    from ratings.votes import vote_cast

    case = verified(world)
    vote_cast(case, token=case.access_token, result_score=5, answer_score=5)
    page = new_page(LOCALES["kk"])
    _log_in(page, live_server.url, "clerk")
    audit = Audit(page, live_server.url)
    audit.visit("/staff/ratings/votes/new/")
    page.context.clear_cookies()
    _log_in(page, live_server.url, "manager")
    audit.visit("/staff/ratings/votes/holds/")
    audit.assert_clean()
