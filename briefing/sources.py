"""Loading source documents and splitting them into numbered, citable sentences."""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .errors import InputError

if TYPE_CHECKING:
    import pysbd

DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_MAX_SOURCES = 20
# What GFM would autolink: http(s) URLs and www. names, without trailing punctuation.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")


@dataclass(frozen=True)
class Sentence:
    """One citable sentence: `id` is "<source>.<n>", `start`/`end` index the source text."""

    id: str
    start: int
    end: int
    text: str
    # In a paragraph that addresses an AI model ("ignore previous instructions"); withheld from the prompt.
    suspicious: bool = False


@dataclass(frozen=True)
class Source:
    """A loaded document and its numbered sentences."""

    id: str
    origin: str
    title: str
    sha256: str
    text: str
    sentences: list[Sentence] = field(repr=False)

    @property
    def label(self) -> str:
        """How the prompt names the source: a URL as given, a file by its name only (a local path
        can say more about the user than the document, and would make requests differ by folder)."""
        return self.origin if "://" in self.origin or self.origin == "stdin" else Path(self.origin).name

    @property
    def suspicious_ids(self) -> list[str]:
        """Ids of sentences in paragraphs that address an AI model."""
        return [s.id for s in self.sentences if s.suspicious]

    @cached_property
    def links(self) -> list[str]:
        """The http(s) URLs this source writes, in order, each once (the only links a report may keep)."""
        return list(dict.fromkeys(m.group() for m in URL.finditer(self.text) if m.group().startswith("http")))


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


# Text written to steer a model rather than to inform a reader. A paragraph with any of these is
# withheld from the prompt (it stays in the source, citable and quotable) and the user is warned.
_INJECTION = re.compile(
    r"\bignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|rules)"
    r"|\b(?:system|developer)\s+(?:notice|prompt|message|mode|instructions?)\b"
    r"|\b(?:to|for)\s+the\s+(?:ai|assistant|(?:language\s+)?model|llm|chatbot)\b"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot)\b"
    r"|!\[[^\]]*\]\(|<\s*script\b",
    re.IGNORECASE,
)


def split_sentences(text: str, source_id: str) -> list[Sentence]:
    """Split text into sentences; a line break always ends one (headings, list items)."""
    sentences: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        suspicious = bool(_INJECTION.search(line.group()))
        for span in _segmenter().segment(line.group()):
            chunk = span.sent
            stripped = chunk.strip()
            if not stripped:
                continue
            start = line.start() + span.start + (len(chunk) - len(chunk.lstrip()))
            end = start + len(stripped)
            sentences.append(Sentence(f"{source_id}.{len(sentences) + 1}", start, end, stripped, suspicious))
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


def make_source(text: str, *, source_id: str, origin: str, raw: bytes | None = None,
                title: str | None = None) -> Source:
    """Build a Source from already decoded, cleaned text.

    Raises:
        InputError: the text is empty.
    """
    if not text.strip():
        raise InputError(f"{origin}: the source is empty (no text to brief)")
    sentences = split_sentences(text, source_id)
    digest = hashlib.sha256(raw if raw is not None else text.encode("utf-8")).hexdigest()
    return Source(source_id, origin, title or sentences[0].text[:160], digest, text, sentences)


@dataclass(frozen=True)
class SourceLimits:
    """What `load_sources` accepts; every field has a CLI option."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_sources: int = DEFAULT_MAX_SOURCES
    timeout: float = 20.0
    max_redirects: int = 5


@dataclass(frozen=True)
class _Raw:
    body: bytes
    origin: str
    name: str = ""
    content_type: str = ""
    charset: str | None = None


def _read_path(path: Path, limits: SourceLimits) -> _Raw:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a document")
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputError(f"{path}: {size:,} bytes is over the limit of {limits.max_bytes:,} bytes (--max-bytes)")
        return _Raw(path.read_bytes(), str(path), name=path.name)
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e})") from e


def _read_stdin(stdin: BinaryIO, limits: SourceLimits) -> _Raw:
    body = stdin.read(limits.max_bytes + 1)
    if len(body) > limits.max_bytes:
        raise InputError(f"stdin: over the limit of {limits.max_bytes:,} bytes (--max-bytes)")
    return _Raw(body, "stdin")


def _read(spec: str | Path, limits: SourceLimits, stdin: BinaryIO | None) -> _Raw:
    text = str(spec)
    if text == "-":
        return _read_stdin(stdin or sys.stdin.buffer, limits)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("http", "https"):
        from .fetch import fetch

        page = fetch(text, timeout=limits.timeout, max_bytes=limits.max_bytes, max_redirects=limits.max_redirects)
        return _Raw(page.body, text, name=page.url.rsplit("/", 1)[-1], content_type=page.content_type,
                    charset=page.charset)
    if scheme:
        raise InputError(f"{text}: only http and https URLs can be fetched")
    return _read_path(Path(spec), limits)


def load_source(spec: str | Path, *, source_id: str = "1", limits: SourceLimits | None = None,
                stdin: BinaryIO | None = None) -> Source:
    """Load one source: a text or HTML file, "-" for standard input, or an http(s) URL.

    HTML is reduced to its main text; text is decoded (UTF-8, a BOM, or a detected encoding),
    invisible characters are removed and trailing page furniture is cut.

    Raises:
        InputError: missing, a directory, too large, binary, undecodable, unfetchable or empty.
    """
    from .clean import strip_boilerplate
    from .decode import clean_characters, decode
    from .extract import extract_main_text, looks_like_html

    limits = limits or SourceLimits()
    raw = _read(spec, limits, stdin)
    text = decode(raw.body, raw.origin, raw.charset)
    title = None
    if looks_like_html(raw.body, raw.name, raw.content_type):
        page = extract_main_text(text, raw.origin)
        text, title = page.text, page.title
    text = strip_boilerplate(clean_characters(text))
    return make_source(text, source_id=source_id, origin=raw.origin, raw=raw.body, title=title)


def load_sources(specs: list[str | Path] | list[str] | list[Path], *, limits: SourceLimits | None = None,
                 stdin: BinaryIO | None = None) -> list[Source]:
    """Load several sources; sentence ids name their source ("2.14" is source 2, sentence 14).

    Raises:
        InputError: no sources, too many, stdin named twice, or any source load_source refuses.
    """
    limits = limits or SourceLimits()
    if not specs:
        raise InputError("no source given: name at least one document, URL or - for stdin")
    if len(specs) > limits.max_sources:
        raise InputError(f"{len(specs)} sources is over the limit of {limits.max_sources} (--max-sources)")
    if [str(s) for s in specs].count("-") > 1:
        raise InputError("standard input (-) can be read only once")
    return [load_source(s, source_id=str(i), limits=limits, stdin=stdin) for i, s in enumerate(specs, 1)]
