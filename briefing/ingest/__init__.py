"""Ingest: bytes to clean text to sources. Files, standard input and URLs are read (`read`),
decoded (`decode`), reduced to their main text when they are HTML (`extract`) and cleaned of
page furniture (`clean`); `sources.make_source` then numbers the sentences."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..settings import SourceLimits
from ..sources import About, Source, make_source
from .clean import separate
from .decode import clean_characters, decode
from .extract import extract_main_text, looks_like_html
from .read import read

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
    text = decode(raw.body, raw.origin, raw.charset)
    title, authors, published = None, [], None
    if looks_like_html(raw.body, raw.name, raw.content_type):
        page = extract_main_text(text, raw.origin)
        text, title, authors, published = page.text, page.title, page.authors, page.published
    article = separate(clean_characters(text))
    about = About(authors=article.authors or authors, credits=article.credits, dateline=article.dateline,
                  published=published)
    return make_source(article.text, source_id=source_id, origin=raw.origin, raw=raw.body, title=title, about=about)


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
