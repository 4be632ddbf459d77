"""Checking and storing photos attached to a case.

A file is accepted for what it is, not what it is called: Pillow must recognise it as one of the
allowed formats, within the byte and pixel limits, and decode it fully.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image

from casework import clock
from casework.models import Attachment, Case

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    name: str
    format: str
    content_type: str
    width: int
    height: int
    sha256: str


def image_check(upload, *, field: str = "photos") -> CheckedImage:
    """Read an uploaded file and prove it is a real, decodable image within limits."""
    max_bytes = settings.MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            {field: _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20}}
        )
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(
            {field: _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20}}
        )
    not_image = ValidationError(
        {field: _("The file is not a photo we can read (JPEG, PNG or WebP).")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise not_image
                if width * height > MAX_PIXELS:
                    raise ValidationError(
                        {
                            field: _("The photo has too many pixels (at most %(mp)d megapixels).")
                            % {"mp": MAX_PIXELS // 1_000_000}
                        }
                    )
                probe.load()  # decodes every byte: a truncated file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            {
                field: _("The photo has too many pixels (at most %(mp)d megapixels).")
                % {"mp": MAX_PIXELS // 1_000_000}
            }
        ) from None
    except Exception:
        raise not_image from None
    return CheckedImage(
        content=content,
        name=getattr(upload, "name", "") or "photo",
        format=fmt,
        content_type=ALLOWED_FORMATS[fmt],
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def attachment_store(
    case: Case, image: CheckedImage, *, kind: str, uploaded_by, saved: list[str]
) -> Attachment:
    """Save the file and its row. Names of saved files go to `saved`, for clean-up on rollback."""
    filename = f"{case.tracking_code}-{kind}-{image.sha256[:16]}.{EXTENSIONS[image.format]}"
    attachment = Attachment(
        case=case,
        kind=kind,
        original_name=image.name[:255],
        content_type=image.content_type,
        size=len(image.content),
        sha256=image.sha256,
        width=image.width,
        height=image.height,
        uploaded_by=uploaded_by,
        uploaded_at=clock.now(),
    )
    attachment.file.save(filename, ContentFile(image.content), save=False)
    saved.append(attachment.file.name)
    attachment.save()
    return attachment


def files_discard(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass
