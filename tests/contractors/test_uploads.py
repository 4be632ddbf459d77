"""Photo uploads are checked by content: real JPEG/PNG/WebP/HEIC within limits; the original is
kept privately and the public copy carries no location."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from casework import services
from casework.models import Attachment
from casework.uploads import MAX_PIXELS, image_check, original_of
from tests.contractors.photos import photo, photo_bytes

SITE = (50.2839, 57.1670)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "image/jpeg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_real_photos_of_each_format_are_accepted(fmt):
    checked = image_check(photo(3, fmt))
    assert checked.format == fmt
    assert (checked.width, checked.height) == (320, 240)
    public = Image.open(io.BytesIO(checked.public_content))
    public.load()
    assert public.size == (320, 240)
    # HEIC is published as JPEG: browsers do not show HEIC.
    assert public.format == ("JPEG" if fmt == "HEIF" else fmt)
    assert checked.perceptual_hash is not None


def test_the_same_picture_hashes_alike_in_every_format():
    hashes = {image_check(photo(5, fmt)).perceptual_hash for fmt in ("JPEG", "PNG", "WEBP")}
    heic = image_check(photo(5, "HEIF")).perceptual_hash
    assert len(hashes) == 1
    assert bin((hashes.pop() ^ heic) & (2**64 - 1)).count("1") <= 3


def test_a_truncated_file_is_refused():
    content = photo_bytes(7, "JPEG")
    with pytest.raises(ValidationError) as raised:
        image_check(_upload(content[: len(content) // 2]), field="before")
    assert "before" in raised.value.message_dict


def test_a_zip_renamed_jpg_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", photo_bytes(1))
    with pytest.raises(ValidationError) as raised:
        image_check(_upload(buffer.getvalue(), "photo.jpg"))
    assert "not a photo" in str(raised.value.message_dict["photos"][0])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real 1-bit PNG of width × height white pixels: tens of kilobytes on disk, 400 million
    pixels once decoded."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row * 1000) for _ in range(height // 1000)]
    chunks.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )


def test_a_20000_by_20000_pixel_bomb_is_refused_before_decoding():
    bomb = _png_bomb()
    assert len(bomb) < 1_000_000
    with pytest.raises(ValidationError) as raised:
        image_check(_upload(bomb, "bomb.png"))
    assert "too many pixels" in str(raised.value.message_dict["photos"][0])


def test_a_jpeg_header_claiming_huge_dimensions_is_refused():
    content = bytearray(photo_bytes(2, "JPEG"))
    sof = content.find(b"\xff\xc0")
    assert sof > 0
    # SOF0: marker, length (2), precision (1), height (2), width (2)
    content[sof + 5 : sof + 9] = struct.pack(">HH", 20_000, 20_000)
    with pytest.raises(ValidationError) as raised:
        image_check(_upload(bytes(content)))
    assert "too many pixels" in str(raised.value.message_dict["photos"][0])
    assert 20_000 * 20_000 > MAX_PIXELS


def test_a_file_over_the_byte_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as raised:
        image_check(photo(1))
    assert "larger than" in str(raised.value.message_dict["photos"][0])


def test_exif_time_and_position_are_read(world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    taken = dt.datetime(2026, 3, 2, 10, 15, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    checked = image_check(photo(1, "JPEG", taken_at=taken, lat=SITE[0], lon=SITE[1]))
    assert checked.taken_at == taken
    assert abs(checked.latitude - SITE[0]) < 1e-6
    assert abs(checked.longitude - SITE[1]) < 1e-6
    south_west = image_check(photo(1, "PNG", lat=-33.8688, lon=-151.2093))
    assert south_west.latitude < 0 and south_west.longitude < 0


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_public_copy_has_no_location_but_the_private_original_keeps_it(world, settings, fmt):
    case = world.case(photos=[photo(11, fmt, lat=SITE[0], lon=SITE[1])])
    attachment = Attachment.objects.get(case=case)
    public = Image.open(attachment.file.path)
    assert not public.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    original = original_of(attachment)
    assert original is not None
    assert str(original).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not str(original).startswith(str(settings.MEDIA_ROOT))
    assert original.name == f"{attachment.sha256}.{original.suffix[1:]}"
    kept = Image.open(original)
    assert kept.getexif().get_ifd(ExifTags.IFD.GPSInfo)[2]


def test_a_failed_service_leaves_no_files_behind(world, settings):
    import os

    case = world.advance(world.case(), "contractor_notified")
    with pytest.raises(ValidationError):
        services.case_report_repaired(
            case, actor=world.contractor_user, before=[photo(1)], after=[]
        )
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        assert [f for _d, _s, files in os.walk(root) for f in files] == []
