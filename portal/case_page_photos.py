"""The public case page's copies of repair photos: the pixels only, re-encoded as JPEG without
any EXIF, ICC or text block (no place, no time, no camera), made once and kept in the default
storage under `portal/photos/`.

The attachment's own file is already the "public copy" of casework.uploads (no GPS, but the
times are kept for the staff); anyone on the internet gets less: nothing but the picture.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from casework.models import Attachment

FOLDER = "portal/photos"
CONTENT_TYPE = "image/jpeg"


def stripped_name(attachment: Attachment) -> str:
    return f"{FOLDER}/{attachment.pk}-{attachment.sha256[:16]}.jpg"


def stripped_bytes(content: bytes) -> bytes:
    """The picture upright, as RGB pixels in a new image: nothing of the source's metadata
    survives, because nothing but the pixels is copied."""
    with Image.open(io.BytesIO(content)) as source:
        upright = ImageOps.exif_transpose(source)
        if upright.mode in ("RGBA", "LA", "P"):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = upright.convert("RGB")
    clean = Image.frombytes("RGB", flat.size, flat.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def stripped_copy(attachment: Attachment) -> str:
    """The name of the photo's stripped copy in the default storage, made on first use (two
    requests at once make the same bytes; either file serves)."""
    name = stripped_name(attachment)
    if default_storage.exists(name):
        return name
    with attachment.file.open("rb") as handle:
        content = stripped_bytes(handle.read())
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # another request wrote it meanwhile: keep one
        default_storage.delete(saved)
    return name
