"""Shared by the report commands: turn errors into one line, write the file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError


def one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        text = "; ".join(str(m) for m in exc.messages)
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def fail(exc: Exception) -> CommandError:
    if isinstance(exc, (ValidationError, PermissionDenied)):
        return CommandError(one_line(exc))
    return CommandError(f"{type(exc).__name__}: {one_line(exc)}")


def out_path(value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_dir():
        raise CommandError(f"--out {value} is a directory; give a file name")
    if not path.parent.is_dir():
        raise CommandError(f"--out {value}: folder {path.parent} does not exist")
    return path


def write_whole(path: Path, content: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    handle, temporary = tempfile.mkstemp(prefix=".report-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
