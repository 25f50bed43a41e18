"""Loading source documents and splitting them into numbered, citable sentences."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import pysbd

DEFAULT_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Sentence:
    """One citable sentence: `id` is "<source>.<n>", `start`/`end` index the source text."""

    id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Source:
    """A loaded document and its numbered sentences."""

    id: str
    origin: str
    title: str
    sha256: str
    text: str
    sentences: list[Sentence] = field(repr=False)

    def sentence(self, sentence_id: str) -> Sentence | None:
        """The sentence with this id, or None."""
        return self._by_id.get(sentence_id)

    @cached_property
    def _by_id(self) -> dict[str, Sentence]:
        return {s.id: s for s in self.sentences}


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str, source_id: str) -> list[Sentence]:
    """Split text into sentences; a line break always ends one (headings, list items)."""
    sentences: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        for span in _segmenter().segment(line.group()):
            chunk = span.sent
            stripped = chunk.strip()
            if not stripped:
                continue
            start = line.start() + span.start + (len(chunk) - len(chunk.lstrip()))
            end = start + len(stripped)
            sentences.append(Sentence(f"{source_id}.{len(sentences) + 1}", start, end, stripped))
    return sentences


_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"  # Nov. 5, January 20th, 2025
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?"  # 5 November 2024
    rf"|{_MONTH}\s+\d{{4}}"  # November 2024
    rf"|\d{{4}}-\d{{2}}-\d{{2}}"  # 2024-11-05
    rf"|(?i:last|next|this)\s+(?:week|month|year|{_WEEKDAY})"
    rf"|{_WEEKDAY}"
    rf"|(?:19|20)\d{{2}})\b"
)


def date_mentions(sources: list[Source]) -> dict[str, list[str]]:
    """Every date expression the sources write, in order, with the ids of the sentences writing it."""
    found: dict[str, list[str]] = {}
    for source in sources:
        for sentence in source.sentences:
            for match in _DATE.finditer(sentence.text):
                ids = found.setdefault(match.group(), [])
                if sentence.id not in ids:
                    ids.append(sentence.id)
    return found


def make_source(text: str, *, source_id: str, origin: str, raw: bytes | None = None) -> Source:
    """Build a Source from already decoded text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{origin}: the source is empty (no text to brief)")
    sentences = split_sentences(text, source_id)
    digest = hashlib.sha256(raw if raw is not None else text.encode("utf-8")).hexdigest()
    title = sentences[0].text[:160] if sentences else origin
    return Source(source_id, origin, title, digest, text, sentences)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a document")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,} bytes")
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e})") from e


def _decode(raw: bytes, origin: str) -> str:
    if b"\x00" in raw[:8192]:
        raise InputError(f"{origin}: looks like a binary file (it has NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{origin}: is not valid UTF-8 text (byte {e.start})") from e


def load_source(path: str | Path, *, source_id: str = "1", max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Load one text file as a Source.

    Raises:
        InputError: the path is missing, a directory, too large, binary, not UTF-8 or empty.
    """
    path = Path(path)
    raw = _read_bytes(path, max_bytes)
    return make_source(_decode(raw, str(path)), source_id=source_id, origin=str(path), raw=raw)


def load_sources(paths: list[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Source]:
    """Load several files; sentence ids name their source ("2.14" is source 2, sentence 14).

    Raises:
        InputError: no paths, or any path that load_source refuses.
    """
    if not paths:
        raise InputError("no source given: name at least one document")
    return [load_source(p, source_id=str(i), max_bytes=max_bytes) for i, p in enumerate(paths, 1)]
