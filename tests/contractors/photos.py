"""Real photos for the tests, made with Pillow: textured (so they have a perceptual identity),
with EXIF time and GPS when asked."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}
EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}


def textured(seed: int, size=(320, 240)) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", size, (110, 110, 112))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(20, 120), rng.randrange(20, 90)
        shade = rng.randrange(20, 240)
        draw.rectangle((x, y, x + w, y + h), fill=(shade, shade, rng.randrange(256)))
    return image


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return (IFDRational(degrees), IFDRational(minutes), IFDRational(round(seconds * 10000), 10000))


def exif_for(
    taken_at: dt.datetime | None = None, lat: float | None = None, lon: float | None = None
) -> Image.Exif:
    exif = Image.Exif()
    if taken_at is not None:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[36867] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        offset = taken_at.utcoffset()
        if offset is not None:
            minutes = int(offset.total_seconds() // 60)
            sub[36881] = (
                f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            )
    if lat is not None and lon is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(lon)
    return exif


def photo_bytes(
    seed: int = 1,
    fmt: str = "JPEG",
    *,
    taken_at: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    size=(320, 240),
) -> bytes:
    buffer = io.BytesIO()
    image = textured(seed, size)
    exif = exif_for(taken_at, lat, lon)
    options = {"exif": exif.tobytes()} if taken_at is not None or lat is not None else {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def photo(seed: int = 1, fmt: str = "JPEG", name: str | None = None, **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name or f"photo-{seed}.{EXT[fmt]}", photo_bytes(seed, fmt, **kw), CONTENT_TYPES[fmt]
    )
