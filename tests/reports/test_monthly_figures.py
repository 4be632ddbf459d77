"""The monthly report's figures, read back from the PDF, equal the same figures recomputed in
Python from the case events, for a month with every kind of red flag."""

import csv
import io

import pytest

from reports.documents import monthly_build
from reports.periods import Scope, period_for
from tests.reports.month_data import MONTH, at, expected, seed_month
from tests.reports.pdftools import codes_in, figure, pdf_text, reader, save_pngs, section

FLAG_TITLES = {
    "overdue_open": "Open beyond the legal deadline",
    "repeated_extensions": "Repeated deadline extensions",
    "closed_on_deadline_reopened": "Closed on the deadline day, then reopened",
    "bounced": "Bounced between departments more than twice",
    "verified_reopened": "Verified, then reopened",
    "photo_reused": "The same photo on two cases",
}
STAGE_LABELS = {
    "received": "Triage (received → assigned)",
    "assigned": "Work order (assigned → contractor notified)",
    "contractor_notified": "Repair (contractor notified → repaired)",
    "repaired": "Verification (repaired → verified)",
}


@pytest.fixture
def month(world):
    return seed_month(world)


@pytest.fixture
def report(month, world):
    period = period_for(MONTH, now=at(5, 1))
    return monthly_build(
        Scope(world.region_a),
        period,
        language="en",
        generated_by=world.manager,
        moment=at(4, 1, 6),
    )


@pytest.mark.django_db
def test_key_figures_in_the_pdf_equal_figures_from_the_events(report, world):
    text = pdf_text(report.pdf.content)
    want = expected(world.region_a)
    assert figure(text, "Received") == want["received"] == 13
    assert figure(text, "Assigned to a department") == want["assigned"]
    assert figure(text, "Re-routed to another department") == want["rerouted"] == 3
    assert figure(text, "Closed as verified") == want["verified"]
    assert figure(text, "Rejected") == sum(want["rejected"].values()) == 2
    assert figure(text, "Reopened") == want["reopened"] == 2
    assert figure(text, "Deadline extensions") == want["extensions"] == 2
    assert figure(text, "Escalations") == sum(want["escalations"].values()) == 2
    assert figure(text, "Open at the end of the period") == want["open_at_end"]
    assert figure(text, "Open beyond the legal deadline at the end of the period") == len(
        want["flags"]["overdue_open"]
    )
    assert figure(text, "Spam") == want["rejected"]["spam"] == 1
    assert figure(text, "No violation found") == want["rejected"]["no_violation"] == 1
    assert figure(text, "Level 1") == want["escalations"]["1"] == 1
    assert figure(text, "Level 3") == want["escalations"]["3"] == 1


@pytest.mark.django_db
def test_stage_timeliness_and_medians_in_the_pdf_equal_the_events(report, world):
    import re

    text = pdf_text(report.pdf.content)
    want = expected(world.region_a)
    assert sum(want["stage_late"].values()) >= 3  # the month has late stages of several kinds
    for stage, label in STAGE_LABELS.items():
        match = re.search(
            rf"^{re.escape(label)}\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.,—]+)\s*$", text, re.MULTILINE
        )
        assert match, f"no stage row for {label}"
        done, on_time, late, median = match.groups()
        assert int(done) == want["stage_done"][stage]
        assert int(late) == want["stage_late"][stage]
        assert int(on_time) == want["stage_done"][stage] - want["stage_late"][stage]
        assert float(median.replace(",", ".")) == pytest.approx(want["stage_median"][stage])


@pytest.mark.django_db
def test_every_red_flag_lists_exactly_the_cases_behind_it(report, month, world):
    text = pdf_text(report.pdf.content)
    flags = text[text.rindex("Red flags\n") :]  # the section, not the front page's summary
    want = expected(world.region_a)["flags"]
    titles = [*FLAG_TITLES.values(), "Doubtful repair photos"]
    names = {
        "overdue_open": {"stalled"},
        "repeated_extensions": {"extended"},
        "closed_on_deadline_reopened": {"deadline_day"},
        "bounced": {"bounced"},
        "verified_reopened": {"verified_reopened", "deadline_day"},
        "photo_reused": {"photo_a", "photo_b"},
    }
    for key, title in FLAG_TITLES.items():
        part = section(flags, title + ":", [t + ":" for t in titles if t != title])
        found = codes_in(part)
        assert found == want[key], key
        assert found == {month.codes[n] for n in names[key]}, key
        assert f"{title}: {len(found)}" in part


@pytest.mark.django_db
def test_district_table_and_scope_exclude_other_regions(report, month, world):
    text = pdf_text(report.pdf.content)
    assert month.codes["other_region"] not in text
    a1 = expected(world.region_a, world.a1)
    a2 = expected(world.region_a, world.a2)
    import re

    for district, want in ((world.a1, a1), (world.a2, a2)):
        row = re.search(rf"^{district.code}\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)", text, re.MULTILINE)
        assert row, district.code
        assert int(row[1]) == want["received"]
        assert int(row[2]) == want["verified"]
        assert int(row[3]) == sum(want["rejected"].values())
    assert a1["received"] + a2["received"] == figure(text, "Received")


@pytest.mark.django_db
def test_case_list_travels_as_csv_attached_inside_the_pdf(report, month, world):
    from django.utils import translation

    from reports.documents import csv_headers

    pdf = reader(report.pdf.content)
    assert list(pdf.attachments) == ["cases-2025-03-AQT.csv"]
    content = pdf.attachments["cases-2025-03-AQT.csv"][0]
    with translation.override("en"):
        column = {str(title): key for key, title in csv_headers().items()}
    rows = [
        {column[title]: value for title, value in row.items()}
        for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    ]
    want = expected(world.region_a)
    assert {row["tracking_code"] for row in rows} == want["period_cases"]
    assert month.codes["closed_before"] not in {row["tracking_code"] for row in rows}
    by_code = {row["tracking_code"]: row for row in rows}
    assert by_code[month.codes["bounced"]]["reroutes"] == "3"
    assert by_code[month.codes["extended"]]["extensions"] == "2"
    stalled = by_code[month.codes["stalled"]]
    assert stalled["overdue_at_period_end"] == "1"
    assert int(stalled["working_days_overdue"]) > 0
    assert stalled["answer_due_at_period_end"].endswith("+05:00")  # times with their offset
    assert "The same photo on two cases" in by_code[month.codes["photo_a"]]["red_flags"]
    assert by_code[month.codes["deadline_day"]]["state_at_period_end"] == "Assigned to a department"
    normal = by_code[month.codes["normal_1"]]
    assert normal["contractor"] == world.contractor.legal_name
    assert normal["work_order"].startswith("№ ")
    assert normal["accepted_by"] == world.inspector.username
    assert normal["closed_at"].startswith("2025-03-") and normal["closed_at"].endswith("+05:00")
    # No personal data in the list.
    assert "Айгүл" not in content.decode("utf-8-sig")
    text = pdf_text(report.pdf.content)
    assert f"attached to this PDF: {len(rows)} cases" in text


@pytest.mark.django_db
def test_same_data_gives_the_same_data_hash_in_any_language(month, world):
    period = period_for(MONTH, now=at(5, 1))
    scope = Scope(world.region_a)
    en = monthly_build(scope, period, language="en", moment=at(4, 1, 6))
    kk = monthly_build(scope, period, language="kk", moment=at(4, 2, 6))
    assert en.data_sha256 == kk.data_sha256
    assert en.data_sha256 in pdf_text(en.pdf.content).replace("\n", "")
    kk_text = pdf_text(kk.pdf.content)
    assert "Ай сайынғы бақылау есебі" in kk_text
    assert "бет" in kk_text.lower()
    month.reject(month.w.case(received_at=at(3, 25)), at(3, 26), "spam")
    changed = monthly_build(scope, period, language="en", moment=at(4, 1, 6))
    assert changed.data_sha256 != en.data_sha256


@pytest.mark.django_db
def test_report_pages_are_saved_as_png_for_people_to_look_at(report):
    pages = save_pngs(report.pdf.content, "monthly-2025-03-en")
    assert len(pages) >= 3
    assert all(p.stat().st_size > 5000 for p in pages)


@pytest.mark.django_db
def test_contractor_and_official_sections_show_the_scorecards(report, month, world):
    from contractors.scorecards import contractor_scorecards, official_failed_signoffs

    period = period_for(MONTH, now=at(5, 1))
    scores = contractor_scorecards(period.start, period.end, region=world.region_a)
    officials = official_failed_signoffs(period.start, period.end, region=world.region_a)
    assert scores and any(o.failed for o in officials)
    text = " ".join(pdf_text(report.pdf.content).split())
    assert "not available in this build" not in text
    from contractors.models import Contract

    for score in scores:
        in_force = Contract.objects.filter(
            contractor_id=score.contractor_id,
            department__district__region=world.region_a,
            starts_on__lte=period.last_day,
            ends_on__gte=period.month,
        )
        amount = f"{sum(c.amount_kzt for c in in_force):,.0f}"
        assert f"{score.legal_name} {score.bin} {amount} {score.orders} " in text, score.legal_name
        assert f"{score.returned_at_verification} {score.reopened_after_verification} " in text
    failed = [o for o in officials if o.failed]
    for official in failed:
        assert f"{official.signoffs} {official.failed}" in text
    failed_codes = {month.codes[n] for n in ("deadline_day", "verified_reopened")}
    assert failed_codes <= codes_in(
        section(text, "Officials whose sign-offs later failed", ["Red flags"])
    )


@pytest.mark.django_db
def test_officials_whose_sign_offs_failed_are_named_with_the_post_they_held(month, world):
    import datetime as dt

    from django.contrib.auth import get_user_model

    from contractors.scorecards import official_failed_signoffs
    from oversight.models import Occupancy, Person, Position

    period = period_for(MONTH, now=at(5, 1))
    failed = [
        o
        for o in official_failed_signoffs(period.start, period.end, region=world.region_a)
        if o.failed and o.role == "inspector"
    ]
    assert failed
    user = get_user_model().objects.get(pk=failed[0].user_id)
    person = Person.objects.create(full_name="Марат Тілеуов", user=user)
    titles = {"kk": "Бас инспектор", "ru": "Главный инспектор", "en": "Chief inspector"}
    position = Position.objects.create(
        kind=Position.Kind.INSPECTOR,
        department=world.dep_a1,
        **{f"title_{lang}": title for lang, title in titles.items()},
    )
    # Held during the month; the post taken after it must not be the one shown.
    Occupancy.objects.create(
        person=person,
        position=position,
        started_on=MONTH - dt.timedelta(days=365),
        ended_on=MONTH + dt.timedelta(days=45),
    )
    later = Position.objects.create(
        kind=Position.Kind.INSPECTOR,
        department=world.dep_a1,
        title_kk="Кейінгі лауазым",
        title_ru="Следующая должность",
        title_en="The next post",
    )
    Occupancy.objects.create(
        person=person, position=later, started_on=MONTH + dt.timedelta(days=46)
    )
    hashes = set()
    for language, title in titles.items():
        built = monthly_build(Scope(world.region_a), period, language=language, moment=at(4, 1, 6))
        text = " ".join(pdf_text(built.pdf.content).split())
        assert f"{failed[0].name}, {title}" in text, language
        for other in ("Кейінгі лауазым", "Следующая должность", "The next post"):
            assert other not in text
        hashes.add(built.data_sha256)
    assert len(hashes) == 1
