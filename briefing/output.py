"""Writing files safely: atomically, never replacing a user's file without --force."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .errors import InputError, OutputExistsError


def check_writable(path: Path, force: bool) -> None:
    """Refuse before any model call if the output cannot or must not be written.

    Raises:
        OutputExistsError: the file exists and force is False.
        InputError: the path is a directory or its folder does not exist.
    """
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name for -o")
    if path.exists() and not force:
        raise OutputExistsError(f"{path} exists; use --force to replace it")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder for the output")


def write_atomic(path: Path, text: str) -> None:
    """Write text to a temp file in the same folder, then rename it over path in one step."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_raw_output(content: str, folder: Path) -> Path | None:
    """Keep a failed model answer for the user; returns its path, or None if it could not be saved."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"briefing-raw-{stamp}-{os.getpid()}.txt"
    try:
        write_atomic(path, content)
    except OSError:
        return None
    return path
