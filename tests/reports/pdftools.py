"""Reading our PDFs back in tests: text (pypdf), attachments, PDF/A structure, PNG pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import need

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reports"


def reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(content).pages)


def figure(text: str, label: str) -> int:
    match = re.search(rf"^{re.escape(label)}\s+(\d+)\s*$", text, re.MULTILINE)
    assert match, f"no figure line for {label!r}"
    return int(match[1])


def section(text: str, title: str, next_titles: list[str]) -> str:
    start = text.index(title)
    ends = [text.index(t, start + 1) for t in next_titles if t in text[start + 1 :]]
    return text[start : min(ends) if ends else len(text)]


# Tracking codes: random (casework/tracking.py) or the older sequential ones.
CODE = re.compile(r"\b[A-Z]{3}-\d{4}-(?:\d{6}|[0-9A-HJKMNP-TV-Z]{9})\b")


def codes_in(text: str) -> set[str]:
    return set(CODE.findall(text))


def save_pngs(content: bytes, name: str) -> list[Path]:
    """Pages as PNG under artifacts/reports/ for a person to look at."""
    need(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(pdf), str(ARTIFACTS / name)], check=True, timeout=60
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
