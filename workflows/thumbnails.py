"""Small previews of case photos for lists: a JPEG of at most `SIZE` pixels a side, made from the
photo's public copy (no location EXIF) on first request and kept in the cache.

The public copy was decoded once already within `IMAGE_DECODE_MAX_BYTES` when it was made, so
decoding it again stays within that budget; a JPEG is read at libjpeg's reduced scale (draft
mode), which makes most previews a matter of milliseconds."""

from __future__ import annotations

import io
import logging

from django.core.cache import cache
from PIL import Image

from casework.models import Attachment

log = logging.getLogger(__name__)

SIZE = 96  # CSS pixels; made at twice that for sharp screens
KEEP_S = 7 * 24 * 3600


def thumbnail_bytes(photo: Attachment) -> bytes | None:
    """The preview's JPEG bytes, or None when the photo cannot be read."""
    key = f"workflows:thumb:{photo.pk}:{photo.sha256[:16]}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    edge = SIZE * 2
    try:
        with photo.file.open("rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (edge, edge))
            image.thumbnail((edge, edge))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=80, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("no preview of attachment %s: %s", photo.pk, error)
        return None
    data = buffer.getvalue()
    cache.set(key, data, KEEP_S)
    return data
