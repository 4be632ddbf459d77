"""Checking and storing photos attached to a case.

A file is accepted for what it is, not what it is called: Pillow (with pillow-heif for HEIC) must
recognise it as one of the allowed formats, within the byte and pixel limits, and decode it fully.
The pixel count is read from the header and refused before anything is decoded, so a
decompression bomb never gets to allocate its pixels; so is a picture whose decoded pixels would
need more than `settings.IMAGE_DECODE_MAX_BYTES` (a large JPEG is decoded at a half, a quarter or
an eighth of its size instead, which libjpeg does without the full-size pixels).

`image_probe` is the header check alone, for a request that must answer fast (the web form): it
keeps the bytes, and the decode, the public copy and the hash follow in a worker
(`casework.photo_jobs`). `image_check` is the whole check, for code that is in a worker already
or whose uploader is a logged-in contractor or inspector.

Each accepted photo is kept twice:
- the original bytes, untouched (location EXIF included), for investigators, in the private
  storage (`settings.PRIVATE_MEDIA_ROOT` or the bucket's private prefix) at
  `originals/<sha256>.<ext>`, handed out only after a permission check (casework.media);
- a public copy under `MEDIA_ROOT`, re-encoded from the pixels with a fresh EXIF block that keeps
  only the time it was taken (no GPS, no camera serials, no XMP). HEIC becomes JPEG, so that every
  browser shows it.

`Attachment.sha256` is the hash of the original as uploaded; `Attachment.file` is the public copy.
Apps above casework learn of each stored photo (its EXIF time and place and a perceptual hash,
read here from the one decode) through the `attachment_stored` signal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
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
# Pillow's own guard: a warning above this many pixels (made an error below), DecompressionBombError
# above twice as many, raised by Image.open before any pixel is read.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
PRIVATE_PREFIX = "private:"
# JPEG decode scales libjpeg offers (draft mode).
JPEG_SCALES = (1, 2, 4, 8)

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


@dataclass(frozen=True)
class ProbedImage:
    """An upload whose header passed: format, size and decode budget. Nothing decoded yet."""

    content: bytes
    name: str
    format: str
    content_type: str
    width: int
    height: int
    sha256: str


def _too_many_pixels(field: str) -> ValidationError:
    return ValidationError(
        {
            field: _("The photo has too many pixels (at most %(mp)d megapixels).")
            % {"mp": MAX_PIXELS // 1_000_000}
        }
    )


def _too_much_memory(field: str, needed: int) -> ValidationError:
    return ValidationError(
        {
            field: _(
                "The photo would need %(needed)d MB of memory to open; at most %(mb)d MB. "
                "Send it as a JPEG or a smaller picture."
            )
            % {"needed": needed // 2**20, "mb": settings.IMAGE_DECODE_MAX_BYTES // 2**20}
        }
    )


def decoded_bytes(width: int, height: int, mode: str) -> int:
    """What Pillow allocates for the pixels: one byte a pixel for 1-bit, grey and palette
    images, two for 16-bit grey, four for everything else (RGB too)."""
    if mode in ("1", "L", "P"):
        per_pixel = 1
    elif mode.startswith("I;16"):
        per_pixel = 2
    else:
        per_pixel = 4
    return width * height * per_pixel


def _read(upload, field: str) -> bytes:
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
    return content


def _not_image(field: str) -> ValidationError:
    return ValidationError(
        {field: _("The file is not a photo we can read (JPEG, PNG, WebP or HEIC).")}
    )


@contextlib.contextmanager
def _opened(content: bytes, field: str) -> Iterator[Image.Image]:
    """The image with only its header read, its format allowed, its pixel count within limits;
    every failure becomes the field's error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(ALLOWED_FORMATS)) as probe:
                width, height = probe.size
                if probe.format not in ALLOWED_FORMATS:
                    raise _not_image(field)
                if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                    raise _too_many_pixels(field)
                yield probe
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(field) from None
    except Exception:
        raise _not_image(field) from None


def _decode_scale(probe: Image.Image, field: str) -> int:
    """1 when the pixels fit the decode budget; for a JPEG that does not, the smallest of
    libjpeg's reductions (2, 4, 8) that fits. Anything else that does not fit is refused."""
    width, height = probe.size
    budget = settings.IMAGE_DECODE_MAX_BYTES
    scales = JPEG_SCALES if probe.format == "JPEG" else (1,)
    for scale in scales:
        if decoded_bytes(-(-width // scale), -(-height // scale), probe.mode) <= budget:
            return scale
    raise _too_much_memory(field, decoded_bytes(width, height, probe.mode))


def image_probe(upload, *, field: str = "photos") -> ProbedImage:
    """The header check alone: an allowed format, within the byte, pixel and decode-memory
    limits. Reads no pixel, so it costs the same for a bomb as for a thumbnail."""
    content = _read(upload, field)
    with _opened(content, field) as probe:
        _decode_scale(probe, field)
        fmt = probe.format
        width, height = probe.size
    return ProbedImage(
        content=content,
        name=getattr(upload, "name", "") or "photo",
        format=fmt,
        content_type=ALLOWED_FORMATS[fmt],
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def image_check(upload, *, field: str = "photos") -> CheckedImage:
    """Read an uploaded file and prove it is a real, decodable image within limits.

    Passing a `CheckedImage` returns it as it is, so callers may check early and hand the result
    on to a service that checks again."""
    if isinstance(upload, CheckedImage):
        return upload
    content = upload.content if isinstance(upload, ProbedImage) else _read(upload, field)
    with _opened(content, field) as probe:
        fmt = probe.format
        width, height = probe.size
        scale = _decode_scale(probe, field)
        if scale > 1:
            probe.draft(probe.mode, (-(-width // scale), -(-height // scale)))
        probe.load()  # decodes every byte: a truncated file fails here
        exif = probe.getexif()
        taken_at = _exif_taken_at(exif)
        latitude, longitude = _exif_position(exif)
        upright = ImageOps.exif_transpose(probe)
        phash = perceptual_hash(upright)
        public_format = PUBLIC_FORMATS[fmt]
        public_content = _public_copy(probe, upright, exif, public_format)
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


def private_storage() -> Storage:
    """Where originals live: apart from the public copies, never served by URL alone
    (settings.STORAGES["private"]: PRIVATE_MEDIA_ROOT, or a prefix of the private bucket)."""
    return storages["private"]


def original_name(sha256: str, fmt_or_ext: str) -> str:
    ext = EXTENSIONS.get(fmt_or_ext, fmt_or_ext)
    return f"originals/{sha256}.{ext}"


def original_name_of(attachment: Attachment) -> str | None:
    """The private storage's name of a photo's original; None when it is not kept."""
    storage = private_storage()
    for ext in EXTENSIONS.values():
        name = original_name(attachment.sha256, ext)
        if storage.exists(name):
            return name
    return None


def original_content_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1]
    formats = [fmt for fmt, known in EXTENSIONS.items() if known == ext]
    return ALLOWED_FORMATS[formats[0]] if formats else "application/octet-stream"


def original_of(attachment: Attachment) -> Path | None:
    """The local path of a photo's original (local storage only); None when it is not kept."""
    name = original_name_of(attachment)
    return Path(private_storage().path(name)) if name else None


def original_keep(image: CheckedImage | ProbedImage, *, saved: list[str]) -> None:
    """Keep the uploaded bytes in the private storage (once: the name is the content's hash, so
    the same bytes uploaded again share one original)."""
    storage = private_storage()
    original = original_name(image.sha256, image.format)
    if not storage.exists(original):
        written = storage.save(original, ContentFile(image.content))
        saved.append(PRIVATE_PREFIX + written)


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
    original_keep(image, saved=saved)
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
