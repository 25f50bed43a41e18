"""Sources as the pipeline sees them: documents split into numbered, citable sentences, and their dates."""

from __future__ import annotations

import hashlib
import re
import threading
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import pysbd

# What GFM would autolink: http(s) URLs and www. names, without trailing punctuation.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")


@dataclass(frozen=True)
class Sentence:
    """One citable sentence: `id` is "<source>.<n>", `start`/`end` index the source text."""

    id: str
    start: int
    end: int
    text: str
    # Tries to instruct an AI model reading it ("ignore previous instructions"; see `injection`):
    # withheld from the prompt unless the user shows it, still citable and quotable.
    ai_directed: bool = False

    @property
    def suspicious(self) -> bool:
        """`ai_directed` under the name `request.j2` reads it by (kept for users' copies of it)."""
        return self.ai_directed


@dataclass(frozen=True)
class About:
    """What a source says about itself besides its text: shown with the source, never cited."""

    authors: list[str] = field(default_factory=list)  # from a byline or the page's metadata
    credits: list[str] = field(default_factory=list)  # "Reporting by …; Editing by …", "… contributed"
    dateline: str | None = None  # the place a story was filed from ("LISBON")
    published: str | None = None  # the page's publication date, as its metadata gives it


@dataclass(frozen=True)
class Source:
    """A loaded document and its numbered sentences."""

    id: str
    origin: str
    title: str
    sha256: str
    text: str
    sentences: list[Sentence] = field(repr=False)
    about: About = field(default_factory=About)
    # Where each page starts in `text` (page n at pages[n - 1]); empty for sources without pages.
    pages: list[int] = field(default_factory=list, repr=False)

    def page_of(self, sentence: Sentence) -> int | None:
        """The page a sentence starts on, for paged documents (PDF)."""
        return bisect_right(self.pages, sentence.start) if self.pages else None

    @property
    def label(self) -> str:
        """How the prompt names the source: a URL as given, a file by its name only (a local path
        can say more about the user than the document, and would make requests differ by folder)."""
        return self.origin if "://" in self.origin or self.origin == "stdin" else Path(self.origin).name

    @property
    def ai_directed_ids(self) -> list[str]:
        """Ids of the sentences that try to instruct an AI model."""
        return [s.id for s in self.sentences if s.ai_directed]

    @cached_property
    def links(self) -> list[str]:
        """The http(s) URLs this source writes, in order, each once (the only links a report may keep)."""
        return list(dict.fromkeys(m.group() for m in URL.finditer(self.text) if m.group().startswith("http")))


_LOCAL = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """pysbd's segmenter, one per thread: it keeps the text it splits on itself (the items of a
    batch may be read at once)."""
    if not hasattr(_LOCAL, "segmenter"):
        import pysbd

        _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return _LOCAL.segmenter


def split_sentences(text: str, source_id: str) -> list[Sentence]:
    """Split text into sentences; a line break always ends one (headings, list items)."""
    spans = [(line.start() + start, line.start() + end) for line in re.finditer(r"[^\n]+", text)
             for start, end in _spans(line.group())]
    return [Sentence(f"{source_id}.{n}", start, end, text[start:end]) for n, (start, end) in enumerate(spans, 1)]


# Where pysbd cuts but a reader would not: after "a.m."/"p.m." before a time zone or a lowercase
# word ("9 a.m. ET scheduled start"), and after a piece with no word in it ("<!" of "<!-- … -->").
_TIME_ZONE = re.compile(r"(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T|IST|JST|AEST|local time)\b")
_CLOCK = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)


def _spans(line: str) -> list[tuple[int, int]]:
    """Sentence spans of one line, whitespace trimmed, with pysbd's wrong cuts mended."""
    spans: list[tuple[int, int]] = []
    for span in _segmenter().segment(line):
        chunk = span.sent
        stripped = chunk.strip()
        if not stripped:
            continue
        start = span.start + (len(chunk) - len(chunk.lstrip()))
        end = start + len(stripped)
        if spans and _joins(line[spans[-1][0]:spans[-1][1]], stripped):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _joins(previous: str, current: str) -> bool:
    if not any(c.isalnum() for c in previous):
        return True
    return bool(_CLOCK.search(previous)) and (current[:1].islower() or bool(_TIME_ZONE.match(current)))


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


def as_read(source: Source) -> Source:
    """The source as a model reads it: chat-template and role markup made inert in each sentence,
    so that no sentence can open or close a turn or reach a tokenizer as a special token. The
    source itself (its text, hash and quotes) is unchanged."""
    from .injection import neutralise_markup

    return replace(source, sentences=[replace(s, text=neutralise_markup(s.text)) for s in source.sentences])


def make_source(text: str, *, source_id: str, origin: str, raw: bytes | None = None,
                title: str | None = None, about: About | None = None, pages: list[int] | None = None,
                sentences: list[Sentence] | None = None) -> Source:
    """Build a Source from already decoded, cleaned text.

    Args:
        sentences: the text's sentences, already split and flagged (`ingest` marks those that
            instruct AI models); by default the text is split here and none is flagged.

    Raises:
        InputError: the text is empty.
    """
    if not text.strip():
        raise InputError(f"{origin}: the source is empty (no text to brief)")
    sentences = split_sentences(text, source_id) if sentences is None else sentences
    digest = hashlib.sha256(raw if raw is not None else text.encode("utf-8")).hexdigest()
    return Source(source_id, origin, title or sentences[0].text[:160], digest, text, sentences, about or About(),
                  pages or [])
