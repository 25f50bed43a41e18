"""Bytes to clean text: refuse binary files, detect encodings, drop invisible characters."""

from __future__ import annotations

import logging
import re
import unicodedata

from ..errors import InputError

log = logging.getLogger(__name__)

# Leading bytes of formats people mistake for documents, and what to call them in a message.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (Word .docx files are read; .xlsx, .epub and other ZIP formats are not)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"GGUF", "a GGUF model file"),
    (b"RIFF", "a RIFF media file (audio or video)"),
    (b"ID3", "an MP3 audio file"),
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Format characters (Unicode category Cf: zero-width, bidi controls, tags, soft hyphen…) can hide
# text from a reader while the model still sees it. They go, except the joiners that some
# scripts need inside words (ZWJ in emoji and Indic text, ZWNJ in Persian).
_KEEP_FORMAT = {"\u200c", "\u200d"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def sniff_binary(raw: bytes, origin: str) -> None:
    """Refuse bytes that are not text, naming what they look like.

    Raises:
        InputError: a known binary signature, or NUL bytes without a UTF-16/32 byte-order mark.
    """
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            raise InputError(f"{origin}: looks like {kind}, not text")
    if b"\x00" in raw[:8192] and not any(raw.startswith(bom) for bom, _ in _BOMS[1:]):
        raise InputError(f"{origin}: looks like a binary file (it has NUL bytes), not text")


def decode(raw: bytes, origin: str, declared: str | None = None) -> str:
    """Decode document bytes: a BOM, then the declared charset, then UTF-8, then detection.

    Raises:
        InputError: binary content, or text in no encoding that can be detected.
    """
    sniff_binary(raw, origin)
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw.decode(codec)
    for codec in filter(None, (declared, "utf-8")):
        try:
            return raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return _detected(raw, origin)


# When the detector scores several code pages the same (short Western text often ties
# cp1250 with cp1252), the one most documents are actually written in wins.
_COMMON = ("cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r")


def _detected(raw: bytes, origin: str) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))
    if not matches:
        raise InputError(f"{origin}: not text in any encoding that could be detected")
    top = [m for m in matches if (m.chaos, m.coherence) == (matches[0].chaos, matches[0].coherence)]
    best = min(top, key=lambda m: _COMMON.index(m.encoding) if m.encoding in _COMMON else len(_COMMON))
    log.info("%s: not UTF-8; decoded as %s", origin, best.encoding)
    return str(best)


def clean_characters(text: str) -> str:
    """Drop invisible format characters and stray control characters; normalise line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = "".join(ch for ch in text if ch in _KEEP_FORMAT or unicodedata.category(ch) != "Cf")
    return _CONTROL.sub("", text)
