"""How much a photo check raises a fresh interpreter's peak memory: used by bench/photo_intake.py
and tests/casework/test_photo_limits.py.

    python -m bench.photo_peak probe|check FILE    # prints: accepted|refused BYTES
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_kb() -> int:
    # VmHWM, this process's peak resident memory in kB. Unlike getrusage's ru_maxrss it starts
    # afresh at exec (ru_maxrss keeps the peak of the parent that forked us).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def photo_peak_growth(content: bytes, how: str, budget: int | None = None) -> tuple[str, int]:
    """Run `image_probe` ("probe") or `image_check` ("check") on `content` in a new interpreter
    (decode budget `budget` bytes, or the setting's default) and return its outcome and how many
    bytes its peak resident memory grew."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)  # nothing here touches a database
    if budget is not None:
        env["IMAGE_DECODE_MAX_BYTES"] = str(budget)
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        handle.write(content)
        handle.flush()
        done = subprocess.run(
            [sys.executable, "-m", "bench.photo_peak", how, handle.name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    outcome, grown = done.stdout.split()
    return outcome, int(grown)


def _measure(how: str, path: str) -> None:
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casework.uploads import image_check, image_probe

    check = {"probe": image_probe, "check": image_check}[how]
    content = Path(path).read_bytes()
    before = _peak_kb()
    try:
        check(SimpleUploadedFile("photo", content))
        outcome = "accepted"
    except ValidationError:
        outcome = "refused"
    print(outcome, (_peak_kb() - before) * 1024)


if __name__ == "__main__":
    _measure(sys.argv[1], sys.argv[2])
