"""Ingest: bytes to clean text to sources. Files, standard input and URLs are read (`read`);
PDF and Word documents give their text layer (`pdf`, `docx`); anything else is decoded
(`decode`), reduced to its main text when it is HTML (`extract`) and separated from the page
furniture around it (`clean`); the sentences are numbered, those that try to instruct AI models
flagged (`injection`), and `sources.make_source` builds the source."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..injection import flag_sentences
from ..settings import SourceLimits
from ..sources import About, Sentence, Source, make_source, split_sentences
from .clean import separate
from .decode import clean_characters, decode
from .extract import extract_main_text, looks_like_html
from .read import Raw, read

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

__all__ = ["SourceLimits", "load_source", "load_sources"]


def load_source(spec: str | Path, *, source_id: str = "1", limits: SourceLimits | None = None,
                stdin: BinaryIO | None = None) -> Source:
    """Load one source: a text or HTML file, "-" for standard input, or an http(s) URL.

    HTML is reduced to its main text; text is decoded (UTF-8, a BOM, or a detected encoding),
    invisible characters are removed, and the article is separated from the page furniture
    around it: bylines, credits and the dateline become the source's `about`, never sentences.

    Raises:
        InputError: missing, a directory, too large, binary, undecodable, unfetchable or empty.
    """
    limits = limits or SourceLimits()
    raw = read(spec, limits, stdin)
    kind = document_kind(raw)
    if kind is not None:
        return _load_document(raw, kind, source_id)
    text = decode(raw.body, raw.origin, raw.charset)
    title, authors, published = None, [], None
    if looks_like_html(raw.body, raw.name, raw.content_type):
        page = extract_main_text(text, raw.origin)
        text, title, authors, published = page.text, page.title, page.authors, page.published
    article = separate(clean_characters(text))
    about = About(authors=article.authors or authors, credits=article.credits, dateline=article.dateline,
                  published=published)
    return make_source(article.text, source_id=source_id, origin=raw.origin, raw=raw.body, title=title, about=about,
                       sentences=numbered(article.text, source_id))


def numbered(text: str, source_id: str) -> list[Sentence]:
    """The text's sentences, numbered, with those that instruct AI models (or stand in a paragraph
    with a telltale phrase) flagged `ai_directed`."""
    sentences = split_sentences(text, source_id)
    paragraphs = [text[text.rfind("\n", 0, s.start) + 1: _line_end(text, s.start)] for s in sentences]
    flags = flag_sentences([s.text for s in sentences], paragraphs)
    return [replace(s, ai_directed=flag) for s, flag in zip(sentences, flags, strict=True)]


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


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


def document_kind(raw: Raw) -> str | None:
    """"pdf" or "docx" by signature, content type or name; None for text and HTML."""
    head = raw.body[:1024].lstrip()
    if head.startswith(b"%PDF-") or raw.content_type == PDF_TYPE:
        return "pdf"
    if raw.body.startswith(b"PK\x03\x04") and (raw.content_type == DOCX_TYPE or raw.name.lower().endswith(".docx")
                                              or b"word/document.xml" in raw.body[:65536]):
        return "docx"
    return None


def _load_document(raw: Raw, kind: str, source_id: str) -> Source:
    """A PDF or Word document's text, one paragraph a line, with the page of every line.

    Its own extraction drops running headers and footers; the article rules (bylines, teasers)
    are for web pages and are not applied.
    """
    if kind == "pdf":
        from .pdf import extract_pdf

        document = extract_pdf(raw.body, raw.origin)
    else:
        from .docx import extract_docx

        document = extract_docx(raw.body, raw.origin)
    text = clean_characters(document.text)  # characters within lines only: line i stays line i
    pages = _page_starts(document.text, text, document.pages) if len(document.pages) > 1 else []
    return make_source(text, source_id=source_id, origin=raw.origin, raw=raw.body, title=document.title,
                       pages=pages, sentences=numbered(text, source_id))


def _page_starts(extracted: str, cleaned: str, starts: list[int]) -> list[int]:
    """Where each page starts in the cleaned text: cleaning changes characters within lines only,
    so a page that starts inside line i of the extracted text starts inside line i of the cleaned
    one, at the same place where the line is unchanged."""
    line_starts, cleaned_starts = _line_starts(extracted), _line_starts(cleaned)
    lines, cleaned_lines = extracted.split("\n"), cleaned.split("\n")
    mapped = []
    for start in starts:
        i = max(bisect_right(line_starts, start) - 1, 0)
        within = min(start - line_starts[i], len(cleaned_lines[i]))
        if lines[i] != cleaned_lines[i]:  # an invisible character removed: keep the same words
            within = len(clean_characters(lines[i][:within]))
        mapped.append(cleaned_starts[i] + within)
    return mapped


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts
