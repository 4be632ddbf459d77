"""Memory per decode, measured: each check runs in a fresh interpreter and reports how far its
peak resident memory (the kernel's VmHWM, which counts Pillow's C allocations, unlike
tracemalloc; getrusage's ru_maxrss would carry the forking parent's peak) rose above the peak it
had before the check. The same photo with the budget lifted shows what the measurement sees when
the pixels are decoded."""

import io
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from bench.photo_peak import photo_peak_growth
from casework import outbox
from casework.models import Attachment, OutboxJob
from casework.photo_jobs import JOB_KIND, attachment_process, attachment_process_later
from casework.uploads import image_check, image_probe, original_keep
from tests.factories import image_upload, png_of_nothing

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """36 megapixels (under the 40-megapixel limit) in 140 KB; 144 MB of pixels decoded."""
    return png_of_nothing(6000, 6000)


@pytest.mark.slow
def test_a_decompression_bomb_under_the_pixel_limit_never_gets_its_memory(bomb):
    for how in ("probe", "check"):
        outcome, grown = photo_peak_growth(bomb, how)
        assert outcome == "refused" and grown < 20 * MB, (how, grown / MB)
    # The measurement does see a decode: with the budget lifted the same file costs its pixels.
    outcome, grown = photo_peak_growth(bomb, "check", budget=1024 * MB)
    assert outcome == "accepted" and grown > 130 * MB, grown / MB


def test_a_jpeg_over_the_budget_is_decoded_at_a_reduced_scale(settings):
    settings.IMAGE_DECODE_MAX_BYTES = 320 * 240 * 4 // 3  # a quarter of the pixels fit
    checked = image_check(image_upload("big.jpg", size=(320, 240)))
    assert (checked.width, checked.height) == (320, 240)  # as the camera took it
    public = Image.open(io.BytesIO(checked.public_content))
    assert public.size == (160, 120)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        image_probe(image_upload("big.png", fmt="PNG", size=(320, 240)))
    assert "of memory to open" in refused.value.messages[0]


def test_a_phone_photo_fits_the_budget(settings):
    """4032 × 3024 (12 megapixels, what phones send) is decoded whole."""
    assert 4032 * 3024 * 4 <= settings.IMAGE_DECODE_MAX_BYTES
    assert 5712 * 4284 * 4 <= settings.IMAGE_DECODE_MAX_BYTES  # 24-megapixel HEIC


@pytest.mark.django_db
def test_the_photo_job_stores_once_however_often_it_runs(world):
    case = world.case()
    probed = image_probe(image_upload("a.jpg"))
    original_keep(probed, saved=[])
    attachment_process_later(case, probed, kind="complaint", uploaded_by=None)
    job = OutboxJob.objects.get(kind=JOB_KIND)
    assert outbox.job_run(job.pk) == "done"
    attachment_process(job.payload)  # delivered again
    assert Attachment.objects.filter(case=case).count() == 1
    # Queued again for the same photo of the same case: not written twice.
    attachment_process_later(case, probed, kind="complaint", uploaded_by=None)
    assert OutboxJob.objects.filter(kind=JOB_KIND).count() == 1


@pytest.mark.django_db
def test_a_photo_that_fails_its_decode_is_logged_and_not_published(world, caplog):
    case = world.case()
    whole = image_upload("a.jpg", size=(320, 240)).read()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    probed = image_probe(cut)  # the header is fine
    original_keep(probed, saved=[])
    attachment_process_later(case, probed, kind="complaint", uploaded_by=None)
    job = OutboxJob.objects.get(kind=JOB_KIND)
    with caplog.at_level(logging.WARNING, logger="casework.photo_jobs"):
        assert outbox.job_run(job.pk) == "done"  # no retries: it will never decode
    assert not Attachment.objects.filter(case=case).exists()
    assert f"photo {probed.sha256[:12]} of case {case.tracking_code} is not published" in (
        caplog.text
    )
