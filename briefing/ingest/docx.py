"""Word (.docx) sources: the body's paragraphs, headings and table cells as text, read with python-docx.

Paragraphs and tables come in the order the body holds them; each paragraph, and each paragraph
of a table cell, is one line of `Document.text`, with a blank line between them. Text in content
controls and text boxes is kept; deleted text (tracked changes), field codes, headers, footers,
footnotes and comments are not. Word has no fixed pages, so `Document.pages` is `[0]`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import TYPE_CHECKING

from ..errors import InputError
from .pdf import Document, _meaningful_title

if TYPE_CHECKING:
    from docx.oxml.xmlchemy import BaseOxmlElement as _Element

__all__ = ["extract_docx"]

_MAX_UNPACKED = 256 * 1024 * 1024  # a .docx this small that unpacks to more is a zip bomb
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# ZIP-based formats that are not Word documents, by a part each one has.
_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file (.odt/.ods/.odp): save it as .docx"),
    ("META-INF/container.xml", "an EPUB book"),
)


def extract_docx(data: bytes, origin: str) -> Document:
    """The text of a Word document's body: paragraphs, headings and table cells, one a line.

    Raises:
        InputError: not a Word document (another ZIP format, a damaged file), or no text in it.
    """
    _check_package(data, origin)
    import docx

    try:
        document = docx.Document(BytesIO(data))
        body = document.element.body
        lines = [" ".join(text.split()) for text in _blocks(body)]
        raw_title = document.core_properties.title
    except Exception as e:  # python-docx and lxml fail in many ways on a damaged package
        detail = " ".join(str(e).split())[:120] or type(e).__name__
        raise InputError(f"{origin}: not a readable Word document ({detail})") from e
    text = "\n\n".join(line for line in lines if line)
    if not text:
        raise InputError(f"{origin}: this Word document has no text")
    return Document(text=text, title=_meaningful_title(raw_title) if raw_title else None, pages=[0])


def _check_package(data: bytes, origin: str) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputError(f"{origin}: not a readable Word document (a damaged ZIP archive: {e})") from e
    if "word/document.xml" not in names:
        kind = next((kind for part, kind in _OTHER_ZIPS if part in names), "a ZIP archive")
        raise InputError(f"{origin}: looks like {kind}, not a Word document")
    if unpacked > _MAX_UNPACKED:
        raise InputError(f"{origin}: unpacks to {unpacked:,} bytes, over the limit of {_MAX_UNPACKED:,}")


def _blocks(container: _Element) -> Iterator[str]:
    """The text of each paragraph in a body, cell or content control, tables cell by cell, in order."""
    for child in container:
        tag = child.tag
        if tag == f"{_W}p":
            yield _paragraph(child)
            for box in child.iter(f"{_W}txbxContent"):
                if not any(ancestor.tag == f"{_MC}Fallback" for ancestor in box.iterancestors()):
                    yield from _blocks(box)
        elif tag == f"{_W}tbl":
            for row in child.iterchildren(f"{_W}tr"):
                for cell in row.iterchildren(f"{_W}tc"):
                    yield from _blocks(cell)
        elif tag == f"{_W}sdt":
            for content in child.iterchildren(f"{_W}sdtContent"):
                yield from _blocks(content)
        elif tag in (f"{_W}customXml", f"{_W}ins", f"{_MC}AlternateContent"):
            yield from _blocks(child)


def _paragraph(paragraph: _Element) -> str:
    """A paragraph's text on one line: its runs, hyperlinks and fields, not its text boxes."""
    parts: list[str] = []
    for element in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
        if _owner(element) is not paragraph:
            continue  # inside a text box: yielded as paragraphs of its own
        if element.tag == f"{_W}t":
            parts.append(element.text or "")
        elif element.tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append(" ")
    return "".join(parts)


def _owner(element: _Element) -> object:
    """The paragraph an element belongs to: its nearest w:p ancestor."""
    return next(element.iterancestors(f"{_W}p"), None)
