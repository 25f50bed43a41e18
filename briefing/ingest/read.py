"""Reading a source's bytes: a file, standard input or an http(s) URL, each within the size limit."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..settings import SourceLimits


@dataclass(frozen=True)
class Raw:
    """A source's bytes and what is known of them before decoding."""

    body: bytes
    origin: str
    name: str = ""
    content_type: str = ""
    charset: str | None = None


def read(spec: str | Path, limits: SourceLimits, stdin: BinaryIO | None) -> Raw:
    """The bytes of one source: "-" is standard input, http(s) is fetched, anything else a path.

    Raises:
        InputError: missing, a directory, too large or unreadable; another URL scheme.
        FetchError: the URL could not be fetched.
    """
    text = str(spec)
    if text == "-":
        return _read_stdin(stdin or sys.stdin.buffer, limits)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("http", "https"):
        from .fetch import fetch

        page = fetch(text, timeout=limits.fetch_timeout, max_bytes=limits.max_bytes,
                     max_redirects=limits.max_redirects)
        return Raw(page.body, text, name=page.url.rsplit("/", 1)[-1], content_type=page.content_type,
                   charset=page.charset)
    if scheme:
        raise InputError(f"{text}: only http and https URLs can be fetched")
    return _read_path(Path(spec), limits)


def _read_path(path: Path, limits: SourceLimits) -> Raw:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a document")
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputError(f"{path}: {size:,} bytes is over the limit of {limits.max_bytes:,} bytes (--max-bytes)")
        return Raw(path.read_bytes(), str(path), name=path.name)
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e})") from e


def _read_stdin(stdin: BinaryIO, limits: SourceLimits) -> Raw:
    body = stdin.read(limits.max_bytes + 1)
    if len(body) > limits.max_bytes:
        raise InputError(f"stdin: over the limit of {limits.max_bytes:,} bytes (--max-bytes)")
    return Raw(body, "stdin")
