"""Complaint photos finished in a worker.

Anyone may post to the web form, so a request there only reads each photo's header
(`uploads.image_probe`) and keeps the original. Decoding, the public copy without EXIF, the
perceptual hash and the `attachment_stored` signal (the evidence checks) take seconds and a
hundred megabytes for a large picture: they happen here, from an outbox job written in the case's
own transaction (run right after commit when Celery runs eagerly, as on SQLite). Until the job
has run the case has no attachment for the photo; its opening event lists the original's hash.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from casework import clock, outbox
from casework.models import Attachment, Case
from casework.uploads import (
    ProbedImage,
    attachment_store,
    files_discard,
    image_check,
    original_name,
    private_storage,
)

log = logging.getLogger(__name__)

JOB_KIND = "attachment_process"


def attachment_process_later(case: Case, image: ProbedImage, *, kind: str, uploaded_by) -> None:
    """Queue the photo's processing in the current transaction (its original is kept already)."""
    outbox.enqueue(
        JOB_KIND,
        {
            "case": case.pk,
            "kind": kind,
            "sha256": image.sha256,
            "format": image.format,
            "name": image.name[:255],
            "uploaded_by": getattr(uploaded_by, "pk", None),
            "uploaded_at": clock.now().isoformat(),
        },
        dedupe_key=f"{JOB_KIND}:{case.pk}:{kind}:{image.sha256}",
    )


@outbox.handler(JOB_KIND)
def attachment_process(payload: dict[str, Any]) -> None:
    """Decode the kept original, make its public copy, store the attachment. Running it twice
    stores it once; a picture that turns out unreadable is logged and left as its original."""
    case = Case.objects.filter(pk=payload["case"]).first()
    if case is None:
        return
    done = Attachment.objects.filter(case=case, kind=payload["kind"], sha256=payload["sha256"])
    if done.exists():
        return
    with private_storage().open(original_name(payload["sha256"], payload["format"])) as handle:
        content = handle.read()
    try:
        image = image_check(SimpleUploadedFile(payload["name"], content))
    except ValidationError as exc:
        log.warning(
            "photo %s of case %s is not published: %s",
            payload["sha256"][:12],
            case.tracking_code,
            " ".join(exc.messages),
        )
        return
    uploader = None
    if payload.get("uploaded_by"):
        uploader = get_user_model().objects.filter(pk=payload["uploaded_by"]).first()
    saved: list[str] = []
    try:
        with clock.frozen_at(dt.datetime.fromisoformat(payload["uploaded_at"])):
            attachment_store(case, image, kind=payload["kind"], uploaded_by=uploader, saved=saved)
    except BaseException:
        files_discard(saved)
        raise
