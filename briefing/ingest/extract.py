"""The main text of an HTML page, without navigation, ads, captions or footers (trafilatura)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str
    authors: list[str] = field(default_factory=list)
    published: str | None = None


def looks_like_html(raw: bytes, name: str = "", content_type: str = "") -> bool:
    """HTML by content type, file extension, or the document's first tag."""
    if "html" in content_type.lower():
        return True
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    return bool(_HTML_START.match(raw[:2048].lstrip(b"\xef\xbb\xbf")))


def extract_main_text(html: str, origin: str) -> Extracted:
    """The article body and title of a page.

    Raises:
        InputError: no article text could be found (an index page, a login wall, an empty shell).
    """
    import trafilatura
    from trafilatura.deduplication import LRUCache
    from trafilatura.settings import LRU_SIZE

    # Repeated segments are dropped within the page only: trafilatura's own cache lives as long as the
    # process and counts every page read before, so the same page read a few times in one process
    # (a batch, a notebook) came out empty.
    text = trafilatura.extract(html, include_comments=False, include_tables=False, include_images=False,
                               include_links=False, deduplicate=LRUCache(maxsize=LRU_SIZE), favor_precision=True)
    if not text or not text.strip():
        raise InputError(f"{origin}: no article text found in this HTML page")
    metadata = trafilatura.extract_metadata(html)
    if metadata is None:
        return Extracted(title=None, text=text)
    authors = [a.strip() for a in (metadata.author or "").split(";") if a.strip()]
    return Extracted(title=metadata.title or None, text=text, authors=authors, published=metadata.date or None)
