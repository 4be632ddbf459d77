"""Repair evidence: what each stored photo says about itself, checked against the work order.

Every photo stored on a case (by any service, through any door) gets a `PhotoCheck` from the
`casework.uploads.attachment_stored` signal, inside the same transaction. For repair photos
(before, after, inspection) the EXIF time is compared with the current work order's issue time and
the EXIF position with the case's point; a perceptual hash within a few bits of a photo on another
case records a `PhotoReuse`, which flags both cases. Complaint photos are hashed (so that a
contractor who sends a citizen's photo from another case is caught) but their EXIF position, the
citizen's whereabouts, is not copied out of the original.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.dispatch import receiver

from casework.models import Attachment
from casework.uploads import CheckedImage, attachment_stored
from contractors import conf
from contractors.geo import haversine_m
from contractors.models import PhotoCheck, PhotoReuse
from contractors.selectors import current_work_order

REPAIR_KINDS = frozenset({"before", "after", "inspection"})
_MASK = (1 << 64) - 1


def bits_apart(a: int, b: int) -> int:
    return ((a ^ b) & _MASK).bit_count()


def hash_parts(value: int) -> tuple[int, int, int, int]:
    unsigned = value & _MASK
    return tuple((unsigned >> (48 - 16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def _similar(check: PhotoCheck):
    parts = hash_parts(check.phash)
    any_part = (
        Q(phash_part0=parts[0])
        | Q(phash_part1=parts[1])
        | Q(phash_part2=parts[2])
        | Q(phash_part3=parts[3])
    )
    candidates = (
        PhotoCheck.objects.filter(any_part, phash__isnull=False)
        .exclude(case_id=check.case_id)
        .only("pk", "phash")
    )
    for other in candidates:
        bits = bits_apart(check.phash, other.phash)
        if bits <= conf.PHOTO_REUSE_MAX_BITS:
            yield other, bits


def _same_as_a_before_photo(check: PhotoCheck, image: CheckedImage) -> bool:
    """An "after" photo that is the "before" photo again proves no repair."""
    befores = PhotoCheck.objects.filter(
        case_id=check.case_id, kind="before", work_order=check.work_order
    ).select_related("attachment")
    for before in befores:
        if before.attachment.sha256 == image.sha256:
            return True
        if before.phash is not None and check.phash is not None:
            if bits_apart(before.phash, check.phash) <= conf.PHOTO_REUSE_MAX_BITS:
                return True
    return False


@receiver(attachment_stored, dispatch_uid="contractors.photo_check_record")
def photo_check_record(sender, attachment: Attachment, image: CheckedImage, **kwargs) -> None:
    case = attachment.case
    repair = attachment.kind in REPAIR_KINDS
    check = PhotoCheck(
        attachment=attachment,
        case=case,
        kind=attachment.kind,
        taken_at=image.taken_at,
        phash=image.perceptual_hash,
        checked_at=attachment.uploaded_at,
    )
    if image.perceptual_hash is not None:
        (
            check.phash_part0,
            check.phash_part1,
            check.phash_part2,
            check.phash_part3,
        ) = hash_parts(image.perceptual_hash)
    if repair:
        order = current_work_order(case)
        check.work_order = order
        check.latitude, check.longitude = image.latitude, image.longitude
        check.no_time = image.taken_at is None
        check.no_location = image.latitude is None
        tolerance = dt.timedelta(minutes=conf.EVIDENCE_CLOCK_TOLERANCE_MIN)
        if order is not None and image.taken_at is not None:
            check.taken_before_order = image.taken_at < order.issued_at - tolerance
        if image.latitude is not None and case.latitude is not None:
            check.distance_m = round(
                haversine_m(
                    image.latitude, image.longitude, float(case.latitude), float(case.longitude)
                ),
                1,
            )
            check.far_from_site = check.distance_m > conf.EVIDENCE_MAX_DISTANCE_M
    if attachment.kind == "after":
        check.same_as_before = _same_as_a_before_photo(check, image)
    check.save()
    if repair and check.phash is not None:
        for other, bits in _similar(check):
            PhotoReuse.objects.get_or_create(
                photo=check, earlier=other, defaults={"bits_apart": bits}
            )
