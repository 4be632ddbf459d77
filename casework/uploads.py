"""Checking and storing photos attached to a case.

A file is accepted for what it is, not what it is called: Pillow (with pillow-heif for HEIC) must
recognise it as one of the allowed formats, within the byte and pixel limits, and decode it fully.
The pixel count is read from the header and refused before anything is decoded, so a
decompression bomb never gets to allocate its pixels.

Each accepted photo is kept twice:
- the original bytes, untouched (location EXIF included), for investigators, under
  `settings.PRIVATE_MEDIA_ROOT` at `originals/<sha256>.<ext>` — never served;
- a public copy under `MEDIA_ROOT`, re-encoded from the pixels with a fresh EXIF block that keeps
  only the time it was taken (no GPS, no camera serials, no XMP). HEIC becomes JPEG, so that every
  browser shows it.

`Attachment.sha256` is the hash of the original as uploaded; `Attachment.file` is the public copy.
Apps above casework learn of each stored photo (its EXIF time and place and a perceptual hash,
read here from the one decode) through the `attachment_stored` signal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.dispatch import Signal
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, ImageStat

from casework import clock
from casework.models import Attachment, Case

pillow_heif.register_heif_opener()

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
# The format of the public copy: browsers do not show HEIC.
PUBLIC_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
MAX_PIXELS = 40_000_000
PRIVATE_PREFIX = "private:"

# Sent after a photo's row and files are saved, inside the service's transaction.
# kwargs: attachment (Attachment), image (CheckedImage)
attachment_stored = Signal()


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    name: str
    format: str
    content_type: str
    width: int
    height: int
    sha256: str
    # What the photo says about itself (from the original's EXIF), None when it does not say.
    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    # 64-bit difference hash of the picture (signed, to fit a bigint); None for a featureless one.
    perceptual_hash: int | None = None
    public_content: bytes = b""
    public_format: str = ""

    @property
    def public_content_type(self) -> str:
        return ALLOWED_FORMATS[self.public_format or self.format]


def _too_many_pixels(field: str) -> ValidationError:
    return ValidationError(
        {
            field: _("The photo has too many pixels (at most %(mp)d megapixels).")
            % {"mp": MAX_PIXELS // 1_000_000}
        }
    )


def image_check(upload, *, field: str = "photos") -> CheckedImage:
    """Read an uploaded file and prove it is a real, decodable image within limits.

    Passing a `CheckedImage` returns it as it is, so callers may check early and hand the result
    on to a service that checks again."""
    if isinstance(upload, CheckedImage):
        return upload
    max_bytes = settings.MAX_UPLOAD_BYTES
    too_large = ValidationError(
        {field: _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20}}
    )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise too_large
    not_image = ValidationError(
        {field: _("The file is not a photo we can read (JPEG, PNG, WebP or HEIC).")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(ALLOWED_FORMATS)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise not_image
                # The header's size is checked before any pixel is decoded.
                if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                    raise _too_many_pixels(field)
                probe.load()  # decodes every byte: a truncated file fails here
                exif = probe.getexif()
                taken_at = _exif_taken_at(exif)
                latitude, longitude = _exif_position(exif)
                upright = ImageOps.exif_transpose(probe)
                phash = perceptual_hash(upright)
                public_format = PUBLIC_FORMATS[fmt]
                public_content = _public_copy(probe, upright, exif, public_format)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(field) from None
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
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
        perceptual_hash=phash,
        public_content=public_content,
        public_format=public_format,
    )


# EXIF ----------------------------------------------------------------------------------------

_DATE_TAGS = (36867, 36868)  # DateTimeOriginal, DateTimeDigitized (in the Exif IFD)
_OFFSET_TAGS = (36881, 36882)  # OffsetTimeOriginal, OffsetTimeDigitized
_DATETIME = 306  # DateTime (IFD0)


def _exif_taken_at(exif: Image.Exif) -> dt.datetime | None:
    """When the photo was taken. EXIF times have no zone unless an offset tag says one: without
    it, the camera is taken to be on local (Kazakh) time."""
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    raw, offset = None, None
    for date_tag, offset_tag in zip(_DATE_TAGS, _OFFSET_TAGS, strict=True):
        if sub.get(date_tag):
            raw, offset = sub.get(date_tag), sub.get(offset_tag)
            break
    raw = raw or exif.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = dt.datetime.strptime(raw.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone: dt.tzinfo = ZoneInfo(settings.TIME_ZONE)
    if isinstance(offset, str):
        try:
            parsed = dt.datetime.strptime(offset.strip().rstrip("\x00"), "%z")
            zone = parsed.tzinfo or zone
        except ValueError:
            pass
    return naive.replace(tzinfo=zone)


def _degrees(value, ref) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode(errors="ignore")
    if isinstance(ref, str) and ref.strip().upper() in ("S", "W"):
        degrees = -degrees
    return degrees


def _exif_position(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat, lon = _degrees(gps[2], gps.get(1)), _degrees(gps[4], gps.get(3))
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:  # a camera without a fix writes zeros
        return None, None
    return round(lat, 7), round(lon, 7)


# Perceptual hash -----------------------------------------------------------------------------

FEATURELESS_STDDEV = 3.0


def perceptual_hash(image: Image.Image) -> int | None:
    """A 64-bit difference hash (dHash): each bit says whether a cell of a 9×8 greyscale thumbnail
    is brighter than its right neighbour. It survives rescaling and recompression, so the same
    photo sent twice lands within a few bits. A featureless picture (one flat colour) has no
    identity worth comparing: None."""
    grey = image.convert("L")
    grey.thumbnail((256, 256))
    if ImageStat.Stat(grey.resize((32, 32))).stddev[0] < FEATURELESS_STDDEV:
        return None
    cells = grey.resize((9, 8), Image.Resampling.LANCZOS).tobytes()
    value = 0
    for row in range(8):
        for col in range(8):
            value = (value << 1) | (cells[row * 9 + col] > cells[row * 9 + col + 1])
    return value - (1 << 64) if value >= 1 << 63 else value


# The public copy -----------------------------------------------------------------------------


def _public_exif(exif: Image.Exif) -> Image.Exif:
    """A fresh EXIF block with only the times: everything else (GPS above all) is left out."""
    fresh = Image.Exif()
    if exif.get(_DATETIME):
        fresh[_DATETIME] = exif[_DATETIME]
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    kept = {tag: sub[tag] for tag in _DATE_TAGS + _OFFSET_TAGS if sub.get(tag)}
    if kept:
        fresh.get_ifd(ExifTags.IFD.Exif).update(kept)
    return fresh


def _public_copy(
    probe: Image.Image, upright: Image.Image, exif: Image.Exif, public_format: str
) -> bytes:
    buffer = io.BytesIO()
    options: dict = {"exif": _public_exif(exif).tobytes()}
    icc = probe.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    orientation = exif.get(ExifTags.Base.Orientation, 1)
    if public_format == "JPEG":
        if probe.format == "JPEG" and orientation in (1, None) and probe.mode in ("L", "RGB"):
            probe.save(buffer, "JPEG", quality="keep", **options)
        else:
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            rgb = upright.convert("RGBA" if has_alpha else "RGB")
            if has_alpha:
                flat = Image.new("RGB", rgb.size, (255, 255, 255))
                flat.paste(rgb, mask=rgb.getchannel("A"))
                rgb = flat
            rgb.save(buffer, "JPEG", quality=90, **options)
    elif public_format == "PNG":
        upright.save(buffer, "PNG", **options)
    else:
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA", "P") else "RGB"
        upright.convert(mode).save(buffer, "WEBP", quality=90, **options)
    return buffer.getvalue()


# Storing -------------------------------------------------------------------------------------


def private_storage() -> FileSystemStorage:
    """Where originals live: outside MEDIA_ROOT, so the web server never serves them."""
    return FileSystemStorage(location=str(settings.PRIVATE_MEDIA_ROOT), base_url=None)


def original_name(sha256: str, fmt_or_ext: str) -> str:
    ext = EXTENSIONS.get(fmt_or_ext, fmt_or_ext)
    return f"originals/{sha256}.{ext}"


def original_of(attachment: Attachment) -> Path | None:
    """The path of a photo's original, for investigators; None when it is not kept."""
    storage = private_storage()
    for ext in EXTENSIONS.values():
        name = original_name(attachment.sha256, ext)
        if storage.exists(name):
            return Path(storage.path(name))
    return None


def attachment_store(
    case: Case, image: CheckedImage, *, kind: str, uploaded_by, saved: list[str]
) -> Attachment:
    """Save the public copy, the original and the row. Names of files saved here go to `saved`,
    for clean-up on rollback (originals with the `private:` prefix)."""
    public_format = image.public_format or image.format
    public_content = image.public_content or image.content
    filename = f"{case.tracking_code}-{kind}-{image.sha256[:16]}.{EXTENSIONS[public_format]}"
    attachment = Attachment(
        case=case,
        kind=kind,
        original_name=image.name[:255],
        content_type=ALLOWED_FORMATS[public_format],
        size=len(public_content),
        sha256=image.sha256,
        width=image.width,
        height=image.height,
        uploaded_by=uploaded_by,
        uploaded_at=clock.now(),
    )
    attachment.file.save(filename, ContentFile(public_content), save=False)
    saved.append(attachment.file.name)
    storage = private_storage()
    original = original_name(image.sha256, image.format)
    if not storage.exists(original):
        # The name is the content's hash: the same bytes uploaded again share one original.
        written = storage.save(original, ContentFile(image.content))
        saved.append(PRIVATE_PREFIX + written)
    attachment.save()
    attachment_stored.send(sender=Attachment, attachment=attachment, image=image)
    return attachment


def files_discard(names: list[str]) -> None:
    for name in names:
        try:
            if name.startswith(PRIVATE_PREFIX):
                private_storage().delete(name[len(PRIVATE_PREFIX) :])
            else:
                default_storage.delete(name)
        except OSError:
            pass
