"""Repair photos are compared with the work order and the site; reuse across cases is found;
the inspector sees the flags on the case (selector, template include, API)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from rest_framework.test import APIClient

from casework import clock, services
from casework.models import Attachment
from contractors.geo import haversine_m
from contractors.models import PhotoCheck, PhotoReuse
from contractors.selectors import case_evidence_flags, current_work_order
from contractors.services import work_order_report_repair
from tests.contractors.photos import photo

SITE = (50.2839, 57.1670)  # the World's default case point


def _notified_case(world, **kw):
    return world.advance(world.case(**kw), "contractor_notified")


def _report(world, case, before, after):
    return work_order_report_repair(case, actor=world.contractor_user, before=before, after=after)


def test_photos_taken_on_site_after_the_order_raise_no_warning(world):
    case = _notified_case(world)
    order = current_work_order(case)
    later = order.issued_at + dt.timedelta(hours=2)
    _report(
        world,
        case,
        [photo(1, taken_at=later, lat=SITE[0] + 0.0001, lon=SITE[1])],
        [photo(2, "PNG", taken_at=later + dt.timedelta(hours=3), lat=SITE[0], lon=SITE[1])],
    )
    checks = PhotoCheck.objects.filter(case=case).order_by("id")
    assert [c.kind for c in checks] == ["before", "after"]
    assert all(c.work_order_id == order.pk for c in checks)
    assert not any(c.taken_before_order or c.far_from_site or c.no_time for c in checks)
    expected = haversine_m(SITE[0] + 0.0001, SITE[1], *SITE)
    assert checks[0].distance_m == pytest.approx(expected, abs=0.5)
    assert case_evidence_flags(case) == []


def test_a_photo_taken_before_the_order_is_flagged(world):
    case = _notified_case(world)
    order = current_work_order(case)
    a_day_before = order.issued_at - dt.timedelta(days=1)
    _report(
        world,
        case,
        [photo(1, taken_at=a_day_before, lat=SITE[0], lon=SITE[1])],
        [photo(2, taken_at=order.issued_at + dt.timedelta(hours=1), lat=SITE[0], lon=SITE[1])],
    )
    flags = case_evidence_flags(case)
    assert [(f.code, f.kind) for f in flags] == [("taken_before_order", "before")]
    assert flags[0].severity == "warning"


def test_a_photo_taken_far_from_the_site_is_flagged(world):
    case = _notified_case(world)
    when = current_work_order(case).issued_at + dt.timedelta(hours=1)
    # About 1.1 km north of the site, by the same formula computed here independently.
    far = (SITE[0] + 0.01, SITE[1])
    distance = haversine_m(*far, *SITE)
    assert 1000 < distance < 1200
    _report(
        world,
        case,
        [photo(1, taken_at=when, lat=SITE[0], lon=SITE[1])],
        [photo(2, taken_at=when, lat=far[0], lon=far[1])],
    )
    flags = case_evidence_flags(case)
    assert [(f.code, f.kind) for f in flags] == [("far_from_site", "after")]
    check = PhotoCheck.objects.get(case=case, kind="after")
    assert check.distance_m == pytest.approx(distance, abs=1)
    assert f"{distance:.0f}" in flags[0].message


def test_photos_without_exif_are_noted_not_silently_accepted(world):
    case = _notified_case(world)
    _report(world, case, [photo(1)], [photo(2)])
    codes = sorted({f.code for f in case_evidence_flags(case)})
    assert codes == ["no_location", "no_time"]
    assert all(f.severity == "notice" for f in case_evidence_flags(case))


def test_the_same_picture_as_before_and_after_is_flagged(world):
    case = _notified_case(world)
    _report(world, case, [photo(4)], [photo(4, "PNG")])
    flags = [f for f in case_evidence_flags(case) if f.severity == "warning"]
    assert [(f.code, f.kind) for f in flags] == [("same_as_before", "after")]
    # Byte-identical files with no picture to hash (one flat colour) are caught by their hash.
    other = _notified_case(world, latitude="50.2", longitude="57.1")
    from tests.factories import image_upload

    _report(world, other, [image_upload("x.jpg")], [image_upload("x.jpg")])
    assert "same_as_before" in [f.code for f in case_evidence_flags(other)]


def test_a_broken_photo_in_the_report_changes_nothing(world):
    case = _notified_case(world)
    broken = photo(4)
    broken.file.truncate(500)
    with pytest.raises(ValidationError) as raised:
        _report(world, case, [photo(3)], [broken])
    assert "after" in raised.value.message_dict
    case.refresh_from_db()
    assert case.state == "contractor_notified"
    assert not Attachment.objects.filter(case=case).exists()


def test_a_photo_reused_on_another_case_flags_both_cases(world):
    first = _notified_case(world)
    _report(world, first, [photo(21)], [photo(22)])
    second = _notified_case(world, latitude="50.290000", longitude="57.180000")
    # The same "after" picture, re-encoded as WebP, sent for another case.
    _report(world, second, [photo(23)], [photo(22, "WEBP")])
    reuse = PhotoReuse.objects.get()
    assert reuse.photo.case_id == second.pk and reuse.earlier.case_id == first.pk
    for case, other in ((first, second), (second, first)):
        reused = [f for f in case_evidence_flags(case) if f.code == "reused"]
        assert len(reused) == 1
        assert reused[0].other_case_id == other.pk
        assert other.tracking_code in reused[0].message


def test_a_citizens_complaint_photo_reused_as_repair_evidence_is_found(world):
    other = world.case(photos=[photo(31)])
    case = _notified_case(world)
    _report(world, case, [photo(31)], [photo(32)])
    reused = [f for f in case_evidence_flags(case) if f.code == "reused"]
    assert [f.other_case_id for f in reused] == [other.pk]


def test_different_pictures_are_not_taken_for_reuse(world):
    for seed in range(40, 46):
        case = _notified_case(world)
        _report(world, case, [photo(seed * 2)], [photo(seed * 2 + 1)])
    assert not PhotoReuse.objects.exists()


def test_inspection_photos_are_checked_too(world):
    case = world.advance(world.case(), "repaired")
    before_order = current_work_order(case).issued_at - dt.timedelta(days=3)
    services.case_verify(
        case,
        actor=world.inspector,
        photos=[photo(50, taken_at=before_order, lat=SITE[0], lon=SITE[1])],
    )
    assert [f.code for f in case_evidence_flags(case)][:1] == ["taken_before_order"]


def test_flags_show_in_the_include_and_in_the_api_for_staff_not_contractors(world):
    case = _notified_case(world)
    order = current_work_order(case)
    _report(
        world,
        case,
        [photo(1, taken_at=order.issued_at - dt.timedelta(days=2), lat=SITE[0], lon=SITE[1])],
        [photo(2, taken_at=clock.now(), lat=SITE[0], lon=SITE[1])],
    )
    html = render_to_string(
        "contractors/_evidence_flags.html", {"evidence_flags": case_evidence_flags(case)}
    )
    assert 'data-flag="taken_before_order"' in html
    api = APIClient()
    api.force_authenticate(world.inspector)
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert [f["code"] for f in body["evidence_flags"]] == ["taken_before_order"]
    assert body["work_order"]["id"] == order.pk
    api.force_authenticate(world.contractor_user)
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert "evidence_flags" not in body
    assert body["work_order"]["id"] == order.pk


def test_the_template_tag_renders_the_flags(world):
    from django.template import Context, Template

    case = _notified_case(world)
    order = current_work_order(case)
    _report(
        world,
        case,
        [photo(1, taken_at=order.issued_at, lat=SITE[0] + 0.02, lon=SITE[1])],
        [photo(2, taken_at=order.issued_at, lat=SITE[0], lon=SITE[1])],
    )
    html = Template("{% load contractors %}{% evidence_flags case %}").render(
        Context({"case": case})
    )
    assert 'data-flag="far_from_site"' in html


def test_the_api_report_goes_through_the_evidence_checks(world):
    case = _notified_case(world)
    api = APIClient()
    api.force_authenticate(world.contractor_user)
    response = api.post(
        f"/api/v1/cases/{case.pk}/transitions/report_repaired/",
        {"before": [photo(8)], "after": [b"not a photo"], "note": "Готово"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "after" in response.json()
    response = api.post(
        f"/api/v1/cases/{case.pk}/transitions/report_repaired/",
        {"before": [photo(8)], "after": [photo(9, "HEIF")], "note": "Готово"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "repaired"
    assert PhotoCheck.objects.filter(case=case).count() == 2
