"""The nightly dump of the open data set: cases.csv and cases.geojson with their SHA-256, written
to the default storage, and the reading of the latest dump for /open-data/.

Each run writes a new folder `open-data/<UTC time>-<random>/` (the two files, a `.sha256` beside
each in `sha256sum` format, then `manifest.json` last). A folder without its manifest is a run in
progress or one that died: readers skip it. So a reader never sees half a dump, two runs at once
never write over each other, and running the task twice only leaves the same bytes twice; older
folders beyond `keep` are removed.

Rows are read a page at a time (portal/open_data.py) and streamed into temporary files while
they are hashed, so memory does not grow with the number of cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import secrets
import tempfile
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from casework import clock
from portal.open_data import COLUMN_NAMES, case_rows, csv_cell, geojson_feature

log = logging.getLogger(__name__)

ROOT = "open-data"
MANIFEST = "manifest.json"
CSV_NAME = "cases.csv"
GEOJSON_NAME = "cases.geojson"
FILES = {CSV_NAME: "text/csv; charset=utf-8", GEOJSON_NAME: "application/geo+json"}
DEFAULT_KEEP = 3


@dataclass(frozen=True)
class Dump:
    folder: str
    generated_at: dt.datetime
    rows: int
    sha256: dict[str, str]

    def path(self, filename: str) -> str:
        return f"{self.folder}/{filename}"


class _HashingWriter:
    """A text stream over a binary file that hashes what it writes."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.raw.write(data)
        return len(text)


def _folder_name(now: dt.datetime) -> str:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{ROOT}/{stamp}-{secrets.token_hex(3)}"


def open_data_dump(*, keep: int = DEFAULT_KEEP) -> Dump:
    """Write a new dump of every public case and return it; keep the newest `keep` dumps."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    now = clock.now()
    with tempfile.TemporaryFile() as csv_file, tempfile.TemporaryFile() as geo_file:
        csv_out, geo_out = _HashingWriter(csv_file), _HashingWriter(geo_file)
        writer = csv.writer(csv_out, lineterminator="\n")
        writer.writerow(COLUMN_NAMES)
        geo_out.write('{"type":"FeatureCollection","features":[\n')
        rows = 0
        for row in case_rows(now):
            writer.writerow([csv_cell(row[name]) for name in COLUMN_NAMES])
            geo_out.write((",\n" if rows else "") + geojson_feature(row))
            rows += 1
        geo_out.write("\n]}\n")
        sha256 = {CSV_NAME: csv_out.digest.hexdigest(), GEOJSON_NAME: geo_out.digest.hexdigest()}
        folder = _folder_name(now)
        for name, handle in ((CSV_NAME, csv_file), (GEOJSON_NAME, geo_file)):
            handle.seek(0)
            default_storage.save(f"{folder}/{name}", File(handle, name=name))
            checksum = f"{sha256[name]}  {name}\n".encode()
            default_storage.save(f"{folder}/{name}.sha256", ContentFile(checksum))
    manifest = {"generated_at": now.isoformat(), "rows": rows, "sha256": sha256}
    default_storage.save(f"{folder}/{MANIFEST}", ContentFile(json.dumps(manifest).encode()))
    dump = Dump(folder=folder, generated_at=now, rows=rows, sha256=sha256)
    _prune(keep)
    log.info("open data dump %s: %d cases", folder, rows)
    return dump


def _folders() -> list[str]:
    """The dump folders, newest first."""
    if not default_storage.exists(ROOT):
        return []
    folders, _files = default_storage.listdir(ROOT)
    return [f"{ROOT}/{name}" for name in sorted(folders, reverse=True)]


def _read_manifest(folder: str) -> Dump | None:
    name = f"{folder}/{MANIFEST}"
    if not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = json.loads(handle.read())
        return Dump(
            folder=folder,
            generated_at=dt.datetime.fromisoformat(data["generated_at"]),
            rows=int(data["rows"]),
            sha256={key: str(value) for key, value in data["sha256"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("open data manifest %s is unreadable", name)
        return None


def latest_dump() -> Dump | None:
    """The newest complete dump, or None before the first."""
    for folder in _folders():
        dump = _read_manifest(folder)
        if dump is not None:
            return dump
    return None


def _remove(folder: str) -> None:
    try:
        _dirs, files = default_storage.listdir(folder)
        for name in files:
            default_storage.delete(f"{folder}/{name}")
        default_storage.delete(folder)  # an empty folder on local disk; nothing on S3
    except OSError:
        log.warning("open data folder %s could not be removed", folder)


def _prune(keep: int) -> None:
    """Remove complete dumps beyond the newest `keep`, and unfinished ones older than the newest
    complete dump (a run in progress is always newer than the last complete one)."""
    complete = 0
    for folder in _folders():
        if _read_manifest(folder) is None:
            if complete:
                _remove(folder)
            continue
        complete += 1
        if complete > keep:
            _remove(folder)
