"""The monthly report's red flags, inquiries and sanctions: the figures read back from the PDF
equal the figures recomputed here from the stored hits, decisions, inquiries and sanctions; the
data hash is the same in every language; what happens after the month's end leaves a closed month
alone (it counts what stood at its end)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from oversight.models import Inquiry, RedFlagDecision, RedFlagHit, Sanction
from reports import monthly
from reports.documents import monthly_build
from reports.periods import Scope, period_for
from reports.sql import report_snapshot
from tests.reports.accountability_data import (
    AccountabilityMonth,
    hit,
    hit_dismiss,
    inquiry_close,
    seed_accountability,
)
from tests.reports.month_data import END, MONTH, START, at, seed_month
from tests.reports.pdftools import pdf_text, section

pytestmark = pytest.mark.django_db

INDICATOR_NAMES = {
    "accepted_work_failed": "Accepted work failed",
    "photo_evidence": "Photo evidence does not prove the repair",
    "late_contractor_new_orders": "Late contractor keeps getting orders",
    "contract_splitting": "Contract splitting",
    "rubber_stamp": "Accepted without inspection",
    "contract_modified": "Contract raised or extended",
}


def _standing(region) -> list[RedFlagHit]:
    """The rule, in plain Python: first found and happened before the end, and no dismissal or
    "no longer found" decision in force at the end."""
    rows = []
    for row in RedFlagHit.objects.filter(region=region):
        happened = row.occurred_at or row.first_found_at
        if row.first_found_at >= END or happened >= END:
            continue
        decisions = [d for d in row.decisions.all() if d.decided_at < END]
        decisions.sort(key=lambda d: (d.decided_at, d.id))
        if decisions and decisions[-1].action in ("dismissed", "resolved"):
            continue
        rows.append(row)
    return rows


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"  # the English report's grouping


def _words(text: str) -> str:
    """A regex for `text` that lets the PDF wrap it anywhere between words."""
    return r"\s+".join(re.escape(word) for word in text.split())


@pytest.fixture
def acc(world) -> AccountabilityMonth:
    seed_month(world)
    return seed_accountability(world)


@pytest.fixture
def period():
    return period_for(MONTH, now=at(5, 1))


def _gather(scope, period):
    with report_snapshot():
        data, _query = monthly.monthly_gather(scope, period)
    return data


def test_worst_red_flags_on_the_front_page_are_the_standing_hits_ranked(acc, world, period):
    built = monthly_build(Scope(world.region_a), period, language="en", moment=at(4, 1, 6))
    text = pdf_text(built.pdf.content)
    front = section(text, "The five worst red flags", ["Officials with the most failed"])

    standing = _standing(world.region_a)
    standing.sort(key=lambda h: (-h.score, -h.money_kzt, h.id))
    worst, rest = standing[:5], standing[5:]
    assert [h.pk for h in worst] == [
        acc.hits[k].pk for k in ("failed", "failed2", "photo", "split", "late_old")
    ]
    flat = " ".join(front.split())
    positions = []
    for row in worst:
        name = " ".join(row.subject_name.split()[:3])
        assert name in flat, row.subject_name
        positions.append(flat.index(name))
        line = re.search(
            _words(INDICATOR_NAMES[row.indicator])
            + r".*?"
            + re.escape(_money(row.money_kzt))
            + r"\s+"
            + str(row.score),
            front,
            re.S,
        )
        assert line, (row.subject_name, front)
    assert positions == sorted(positions)  # ranked: score, then money
    for gone in (*rest, acc.hits["stamp_dismissed"], acc.hits["found_late"]):
        assert gone.subject_name.split(":")[0] not in flat
    assert "Дело ZHA" not in text  # region B


def test_red_flags_by_money_per_indicator_and_largest(acc, world, period):
    built = monthly_build(Scope(world.region_a), period, language="en", moment=at(4, 1, 6))
    text = pdf_text(built.pdf.content)
    table = section(
        text, "Red flags by money at stake", ["The largest red flags by money at stake"]
    )
    expected: dict[str, list] = {}
    for row in _standing(world.region_a):
        happened = row.occurred_at or row.first_found_at
        if happened >= START:
            counted = expected.setdefault(row.indicator, [0, Decimal(0)])
            counted[0] += 1
            counted[1] += row.money_kzt
    assert expected == {
        "accepted_work_failed": [2, Decimal("68500")],
        "photo_evidence": [2, Decimal("12700")],
        "contract_splitting": [1, Decimal("300000")],
    }
    for code, (count, money) in expected.items():
        pattern = _words(INDICATOR_NAMES[code]) + rf"\s+{count}\s+{re.escape(_money(money))}"
        assert re.search(pattern, table), code
    for code in ("late_contractor_new_orders", "rubber_stamp", "contract_modified"):
        assert not re.search(_words(INDICATOR_NAMES[code]), table), code

    largest = section(text, "The largest red flags by money at stake", ["Inquiries and sanctions"])
    by_money = sorted(_standing(world.region_a), key=lambda h: (-h.money_kzt, -h.score, h.id))
    money = re.findall(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{3}\b", largest)
    amounts = [int(m.replace(",", "")) for m in money]
    assert amounts == [int(h.money_kzt) for h in by_money[:20]]


def test_inquiries_and_sanctions_counted_named_only_where_publishable(acc, world, period):
    built = monthly_build(Scope(world.region_a), period, language="en", moment=at(4, 1, 6))
    text = pdf_text(built.pdf.content)
    part = section(text, "Inquiries and sanctions", ["Map: overdue and failed repairs"])

    opened = [
        i for i in Inquiry.objects.filter(region=world.region_a) if START <= i.opened_at < END
    ]
    closed = [
        i
        for i in Inquiry.objects.filter(region=world.region_a)
        if i.closed_at and START <= i.closed_at < END
    ]
    imposed = [
        s
        for s in Sanction.objects.filter(inquiry__region=world.region_a)
        if s.status == "imposed" and START <= s.status_changed_at < END
    ]
    assert (len(opened), len(closed), len(imposed)) == (2, 1, 3)
    assert re.search(rf"Inquiries opened\s+{len(opened)}\b", part)
    assert re.search(rf"Inquiries closed\s+{len(closed)}\b", part)
    assert re.search(_words("Violations found, sanctions imposed or proposed") + r"\s+1\b", part)
    assert re.search(rf"Sanctions imposed\s+{len(imposed)}\b", part)
    for label in ("Reprimand", "Remark", "Fine"):
        assert re.search(rf"— {label}\s+1\b", part), label
    assert "Dismissal" not in part  # only proposed
    assert "Severe reprimand" not in part  # imposed in April

    published = section(part, "Sanctions published", ["Only sanctions marked publishable"])
    assert re.search(r"Марат\s+Тілеуов,\s+Inspector", published)
    assert "Reprimand" in published
    assert "Remark" not in published  # not publishable: counted only
    assert world.contractor.legal_name not in published
    assert "Сәуле" not in text  # no reporter ever


def test_the_data_hash_is_the_same_in_every_language(acc, world, period):
    hashes = set()
    for language in ("kk", "ru", "en"):
        built = monthly_build(Scope(world.region_a), period, language=language, moment=at(4, 1, 6))
        hashes.add(built.data_sha256)
    assert len(hashes) == 1
    data = _gather(Scope(world.region_a), period)
    assert data["red_flag_hits"]["worst"][0]["id"] == acc.hits["failed"].pk
    assert data["inquiries"]["sanctions_named"][0]["post_id"] == acc.inspector_post.pk


def test_what_happens_after_the_month_end_leaves_a_closed_month_alone(acc, world, period):
    scope = Scope(world.region_a)
    before = monthly_build(scope, period, language="en", moment=at(4, 1, 6))
    data_before = _gather(scope, period)
    assert data_before["red_flag_hits"]["by_indicator"]

    # April: a standing hit is dismissed, a new one is found for March's facts, another one is
    # set aside as no longer found; a sanction is cancelled, an open inquiry closed.
    hit_dismiss(acc.hits["failed"], at(4, 3), world.investigator)
    hit(world, "rubber_stamp", "Акт № 40", "1000000", 99, at(3, 30), found=at(4, 4))
    RedFlagDecision.objects.create(
        hit=acc.hits["photo"], action="resolved", decided_at=at(4, 5), reason=""
    )
    published = acc.sanctions["published"]
    published.status = Sanction.Status.CANCELLED
    published.status_changed_at = at(4, 6)
    published.publishable = False
    published.save()
    inquiry_close(acc.inquiries["open"], at(4, 10), Inquiry.Outcome.NO_VIOLATION)

    assert _gather(scope, period) == data_before
    after = monthly_build(scope, period, language="en", moment=at(4, 12, 6))
    assert after.data_sha256 == before.data_sha256

    # The next month sees the April facts.
    april = _gather(scope, period_for(dt.date(2025, 4, 1), now=at(5, 1)))
    assert acc.hits["failed"].pk not in {r["id"] for r in april["red_flag_hits"]["worst"]}
    assert april["inquiries"]["closed"] == {"no_violation": 1}


def test_a_hit_dismissed_within_the_month_changes_the_month(acc, world, period):
    """The guard above would pass if nothing were counted: a dismissal before the end counts."""
    scope = Scope(world.region_a)
    before = _gather(scope, period)
    hit_dismiss(acc.hits["failed"], at(3, 30), world.investigator)
    after = _gather(scope, period)
    assert after["red_flag_hits"] != before["red_flag_hits"]
    assert acc.hits["failed"].pk not in {r["id"] for r in after["red_flag_hits"]["worst"]}
