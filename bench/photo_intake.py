"""Benchmark: what a photo costs the /complain/ request, before and after the header-only check.

    DEBUG=1 .venv/bin/python -m bench.photo_intake [--rounds 5]

Three photos: a 12-megapixel phone JPEG (4032 × 3024, noise, so that decoding costs what a real
photo costs), the issue's kind of PNG bomb (6000 × 6000 transparent pixels in 140 KB: under the
40-megapixel limit, 144 MB decoded) and a PNG whose header declares 20000 × 20000 pixels.

Baseline (same process, alternating rounds): `casework.uploads.image_check` with the decode
budget lifted, which is what the request did before (decode, EXIF, hash, public copy).
Now: `image_probe`, what the request does now (the rest runs in a worker). Prints the median time
of each and baseline / now; then the peak memory each adds to a fresh interpreter (VmHWM), for
the baseline, the probe and today's full check (the worker's cost, with the budget).
No database is used.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

from bench.photo_peak import photo_peak_growth

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.pop("DATABASE_URL", None)

LIFTED = 4 * 2**30


def photos() -> dict[str, bytes]:
    from PIL import Image

    from tests.factories import png_declaring, png_of_nothing

    buffer = io.BytesIO()
    noise = Image.effect_noise((4032, 3024), 60).convert("RGB")
    noise.save(buffer, "JPEG", quality=90)
    return {
        "phone JPEG 12 MP": buffer.getvalue(),
        "PNG bomb 36 MP": png_of_nothing(6000, 6000),
        "PNG declaring 20000x20000": png_declaring(20_000, 20_000),
    }


def timed(check, content: bytes) -> float:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    start = time.perf_counter()
    try:
        check(SimpleUploadedFile("photo", content))
    except ValidationError:
        pass
    return time.perf_counter() - start


def peak_mb(content: bytes, how: str, budget: int | None) -> tuple[str, float]:
    outcome, grown = photo_peak_growth(content, how, budget)
    return outcome, grown / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from casework.uploads import image_check, image_probe

    inputs = photos()
    print("photo | size | baseline (full check, ms) | now (header, ms) | baseline / now")
    for name, content in inputs.items():
        old, new = [], []
        for _ in range(args.rounds):
            budget = settings.IMAGE_DECODE_MAX_BYTES
            settings.IMAGE_DECODE_MAX_BYTES = LIFTED
            try:
                old.append(timed(image_check, content))
            finally:
                settings.IMAGE_DECODE_MAX_BYTES = budget
            new.append(timed(image_probe, content))
        o, n = statistics.median(old), statistics.median(new)
        print(
            f"{name} | {len(content) / 1024:,.1f} KB | {o * 1000:,.2f} | {n * 1000:,.3f} | "
            f"{o / n:,.1f}x"
        )
    print()
    print("photo | baseline peak MB | header check peak MB | worker's check now, peak MB")
    for name, content in inputs.items():
        old = peak_mb(content, "check", LIFTED)
        probe = peak_mb(content, "probe", None)
        worker = peak_mb(content, "check", None)
        print(
            f"{name} | {old[1]:.0f} ({old[0]}) | {probe[1]:.0f} ({probe[0]}) | "
            f"{worker[1]:.0f} ({worker[0]})"
        )


if __name__ == "__main__":
    main()
