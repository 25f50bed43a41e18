"""PDF sources: the text layer, read with pdfminer.six and rebuilt into readable paragraphs.

pdfminer.six (MIT) was chosen over pypdf (BSD) by measurement on a three-column Federal Register
rulemaking (`bench/pdf_extraction.py`, against poppler's pdftotext): rebuilt by the steps below,
both keep 99.7-99.8 % of pdftotext's body words with no hyphen-split word or running header left,
but pdfminer gives each character's position, size and font, which finding headings, footnotes
and footnote references needs. From pypdf's layout text (a fixed-width picture of each page,
without sizes) 15 paragraphs stay cut mid-sentence, footnote references stay glued to words
("alert,5 and") and a few lines mix two columns; from pdfminer none. pypdf is 3-5 times faster.

From the characters of each page to `Document.text`:

1. lines: characters grouped into lines by pdfminer; rotated characters (margin stamps, printing
   slugs) dropped; raised small digits after a word (footnote references) dropped, after a number
   kept as superscripts (10⁶); a line with a wide gap in it split in two;
2. furniture: running headers and footers (lines repeated on many pages once digits are ignored)
   and page numbers at the top or bottom of a page dropped;
3. gutters: line numbers in the margin (court transcripts number every line) dropped;
4. reading order: columns found by the vertical gap between them and read one after the other;
   lines that cross the gap (titles, full-width blocks) cut the page into bands read in turn;
5. footnotes: small print at the foot of a column moved after the page's body (before a
   paragraph that goes on to the next page, so that page offsets stay in order);
6. paragraphs: wrapped lines joined, a paragraph ending at an indent, a vertical gap, a change
   of font size or weight, a bullet, or a line that ends before the next line's first word
   would have filled it; a paragraph cut mid-sentence at the end of a column or page goes on
   at the top of the next one, past a block in another type size (a masthead, a caption); a
   word hyphenated at a line end is joined when the document spells it without the hyphen (or
   writes it nowhere), and keeps its hyphen when the document writes it so, when the second part
   starts with a capital or a digit, after a word in capitals (EPA-approved), before "and"/"or"
   (pre- and post-flight), or in a URL or e-mail address; dashes (2019–21) join without a space.

Each paragraph is one line of `Document.text`, paragraphs are separated by a blank line, and
`Document.pages` holds the offset at which each page's text starts.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from itertools import accumulate
from typing import TYPE_CHECKING

from ..errors import InputError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from pdfminer.layout import LTChar, LTComponent, LTPage, LTTextLine
    from pdfminer.pdfdocument import PDFDocument

__all__ = ["Document", "Line", "Page", "Steps", "extract_pdf", "read_pages", "rebuild"]


@dataclass(frozen=True)
class Document:
    """A document's readable text, one paragraph a line, and where each page starts in it."""

    text: str
    title: str | None
    pages: list[int]  # offset in `text` of each page's first character; pages[0] == 0

    def page_at(self, offset: int) -> int:
        """The page (1-based) of the character at `offset` in `text`."""
        return max(1, bisect_right(self.pages, offset))


@dataclass
class Line:
    """A line of text on a page, in points from the page's top-left corner."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size most of its characters have
    bold: bool = False  # (almost) all of it bold
    page: int = 0  # 0-based
    head: tuple[float, bool] | None = None  # size and boldness of its first word, if not the line's
    tail: tuple[float, bool] | None = None  # and of its last word

    @property
    def starts(self) -> tuple[float, bool]:
        return self.head or (self.size, self.bold)

    @property
    def ends(self) -> tuple[float, bool]:
        return self.tail or (self.size, self.bold)


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Steps:
    """The rebuilding steps (all on by default); the benchmark turns them off one at a time."""

    superscripts: bool = True
    furniture: bool = True
    gutters: bool = True
    columns: bool = True
    footnotes: bool = True
    paragraphs: bool = True
    dehyphenate: bool = True


_MIN_CHARACTERS = 10  # fewer letters and digits than this in the whole file: no text layer
_ENCRYPTED = "{origin}: this PDF is encrypted; decrypt it first, e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf"
_NO_TEXT = "{origin}: this PDF has no text layer (a scan?): run OCR first, e.g. ocrmypdf in.pdf out.pdf"
_UNDECODABLE = ("{origin}: this PDF's text cannot be decoded (its fonts map no characters to Unicode): "
                "run OCR first, e.g. ocrmypdf --force-ocr in.pdf out.pdf")


def extract_pdf(data: bytes, origin: str) -> Document:
    """The text of a PDF's text layer as readable paragraphs, its metadata title and page offsets.

    Raises:
        InputError: encrypted with a password, no text layer (a scan), undecodable fonts, or a
            damaged file.
    """
    pages, title = read_pages(data, origin, Steps())
    return rebuild(pages, title=title, origin=origin)


# --- reading: pdfminer.six ---------------------------------------------------------------------


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """pdfminer logs every oddity of a file as a warning; only errors are worth a user's attention."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _damaged(origin: str, error: Exception) -> InputError:
    detail = " ".join(str(error).split())[:120] or type(error).__name__
    return InputError(f"{origin}: not a readable PDF, the file looks damaged ({detail})")


def read_pages(data: bytes, origin: str, steps: Steps) -> tuple[list[Page], str | None]:
    """The lines of every page (step 1) and the metadata title.

    Raises:
        InputError: encrypted with a password, damaged, no pages, or fonts without Unicode.
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with _quiet("pdfminer"):
        try:
            document = PDFDocument(PDFParser(BytesIO(data)))  # the empty password opens owner-only encryption
        except PDFEncryptionError as e:
            raise InputError(_ENCRYPTED.format(origin=origin)) from e
        except Exception as e:  # a parser of untrusted bytes fails in many ways; all mean "damaged"
            raise _damaged(origin, e) from e
        title = _title(document)
        manager = PDFResourceManager(caching=True)
        # boxes_flow=None: no box ordering by pdfminer (the columns are found below); all_texts:
        # text inside form XObjects too.
        device = PDFPageAggregator(manager, laparams=LAParams(all_texts=True, boxes_flow=None))
        interpreter = PDFPageInterpreter(manager, device)
        pages: list[Page] = []
        unmapped = total = 0
        failed: list[Exception] = []
        try:
            for number, pdf_page in enumerate(PDFPage.create_pages(document)):
                try:
                    interpreter.process_page(pdf_page)
                    page, counts = _page(device.get_result(), number, steps)
                except PDFEncryptionError:
                    raise
                except Exception as e:  # one damaged page (a broken font, a bad stream): the others still count
                    log.warning("%s: page %d cannot be read and is left out (%s)", origin, number + 1, e)
                    failed.append(e)
                    page, counts = Page(width=0.0, height=0.0), (0, 0)
                pages.append(page)
                unmapped, total = unmapped + counts[0], total + counts[1]
        except PDFEncryptionError as e:
            raise InputError(_ENCRYPTED.format(origin=origin)) from e
        except Exception as e:
            raise _damaged(origin, e) from e
    if not pages:
        raise InputError(f"{origin}: this PDF has no pages")
    if len(failed) == len(pages):
        raise _damaged(origin, failed[0]) from failed[0]
    if total and unmapped > total / 3:
        raise InputError(_UNDECODABLE.format(origin=origin))
    return pages, title


def _title(document: PDFDocument) -> str | None:
    """The title in the document information dictionary, if it is a real one."""
    from pdfminer.pdftypes import resolve1

    for info in document.info:
        value = resolve1(info.get("Title"))
        if isinstance(value, bytes):
            value = _decode_pdf_string(value)
        if isinstance(value, str) and (title := _meaningful_title(value)):
            return title
    return None


def _decode_pdf_string(value: bytes) -> str:
    from pdfminer.utils import decode_text

    if not value.startswith((b"\xfe\xff", b"\xff\xfe")) and any(b > 127 for b in value):
        try:
            return value.decode("utf-8")  # some producers write UTF-8 where PDFDocEncoding belongs
        except UnicodeDecodeError:
            pass
    return decode_text(value)


_FILE_TITLE = re.compile(r"(?i)^(?:untitled\b.*|document\d*|microsoft (?:word|powerpoint|excel) - .*|slide \d+|"
                         r"powerpoint presentation|.*\.(?:docx?|pdf|indd|rtf|odt|tex|dvi|ps|qxd|pages|txt|html?|xml)"
                         r"|[a-z]:\\.*|/.*|[\w-]*\d[\w-]*)$")


def _meaningful_title(value: str) -> str | None:
    """A metadata title worth showing: not empty, not a file name or a placeholder an editor wrote."""
    title = " ".join(unicodedata.normalize("NFC", value).replace("\x00", "").split())
    if len(title) < 3 or not any(ch.isalpha() for ch in title) or _FILE_TITLE.match(title):
        return None
    return title


def _text_lines(container: Iterable[LTComponent]) -> Iterator[LTTextLine]:
    from pdfminer.layout import LTContainer, LTTextLine

    for item in container:
        if isinstance(item, LTTextLine):
            yield item
        elif isinstance(item, LTContainer):
            yield from _text_lines(item)


def _page(layout: LTPage, number: int, steps: Steps) -> tuple[Page, tuple[int, int]]:
    """A page's lines, and how many of its characters have no Unicode mapping, of how many."""
    page = Page(width=layout.width, height=layout.height)
    unmapped = total = 0
    for text_line in _text_lines(layout):
        for segment in _segments(text_line):
            total += len(segment)
            unmapped += sum(1 for ch in segment if ch.get_text().startswith("(cid:"))
            line = _line(segment, text_line, layout, number, steps)
            if line is not None:
                page.lines.append(line)
    return page, (unmapped, total)


def _segments(text_line: LTTextLine) -> list[list[LTChar]]:
    """The upright characters of a line, split where a gap wider than 1.5 em separates them (the
    gutter between two columns that pdfminer put on one line, or two cells of a table)."""
    from pdfminer.layout import LTChar

    segments: list[list[LTChar]] = [[]]
    for item in text_line:
        if not isinstance(item, LTChar) or not item.upright:
            continue
        current = segments[-1]
        if current and item.x0 - current[-1].x1 > 1.5 * max(item.size, current[-1].size):
            segments.append([])
        segments[-1].append(item)
    return [s for s in segments if s]


_BOLD = re.compile(r"(?i)bold|black|heavy|demi|semibold")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_REFERENCE = re.compile(r"[0-9*†‡§¶,]")
_UNITS = {"m", "km", "cm", "mm", "ft", "in", "mi", "yd", "sq"}


def _line(chars: list[LTChar], text_line: LTTextLine, layout: LTPage, number: int, steps: Steps) -> Line | None:
    sizes = Counter(round(ch.size * 2) / 2 for ch in chars if not ch.get_text().isspace())
    if not sizes:
        return None
    size = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    normal = [ch for ch in chars if abs(ch.size - size) <= 0.5] or chars
    base = statistics.median(ch.y0 for ch in normal)
    raised = [steps.superscripts and ch.size <= 0.75 * size and ch.y0 > base + 0.2 * size
              and bool(_REFERENCE.fullmatch(ch.get_text())) for ch in chars]
    # The text, with pdfminer's own spacing (its LTAnno spaces) between the characters.
    pieces: list[str] = []
    wanted = {id(ch) for ch in chars}
    run_head: str | None = None  # the text before the current run of raised characters
    i = 0
    for item in text_line:
        if id(item) not in wanted:
            if i and item.get_text() == " " and pieces and not pieces[-1].endswith(" "):
                pieces.append(" ")
            continue
        ch = chars[i]
        text = "" if ch.get_text().startswith("(cid:") else ch.get_text()
        if raised[i]:
            if run_head is None:
                run_head = "".join(pieces)
            text = _superscript(text, run_head, chars[i + 1] if i + 1 < len(chars) and not raised[i + 1] else None)
        else:
            run_head = None
            if i and ch.x0 - chars[i - 1].x1 > 0.3 * size and pieces and not pieces[-1].endswith(" "):
                pieces.append(" ")  # a gap pdfminer did not mark as a space
        pieces.append(text)
        i += 1
    text = _normalise("".join(pieces))
    if not text:
        return None
    plain = [ch for ch, up in zip(chars, raised, strict=True) if not up and not ch.get_text().isspace()]
    return Line(text=text, x0=min(ch.x0 for ch in chars) - layout.x0, x1=max(ch.x1 for ch in chars) - layout.x0,
                top=layout.y1 - max(ch.y1 for ch in normal), bottom=layout.y1 - min(ch.y0 for ch in normal),
                size=size, bold=_style(plain)[1], page=number, head=_style(_first_word(plain)),
                tail=_style(_first_word(plain[::-1])))


def _first_word(chars: list[LTChar]) -> list[LTChar]:
    """The characters of the first word: up to the first gap wider than a fifth of an em."""
    word = chars[:1]
    for a, b in zip(chars, chars[1:], strict=False):
        if abs(b.x0 - a.x1) > 0.2 * a.size and abs(a.x0 - b.x1) > 0.2 * a.size:
            break
        word.append(b)
    return word


def _style(chars: list[LTChar]) -> tuple[float, bool]:
    """The size most of these characters have, and whether (almost) all are bold."""
    if not chars:
        return 0.0, False
    sizes = Counter(round(ch.size * 2) / 2 for ch in chars)
    size = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return size, sum(1 for ch in chars if _BOLD.search(ch.fontname)) >= 0.95 * len(chars)


def _superscript(text: str, head: str, after: LTChar | None) -> str:
    """A raised reference character: kept at the start of a line (a footnote's own number), made a
    superscript after a number or a unit (10⁶, km²), otherwise dropped (a footnote reference)."""
    if not head.strip():
        return text
    word = re.search(r"([^\W\d_]+)$", head)
    if head[-1].isdigit() or (word is not None and word.group(1).lower() in _UNITS):
        return text.translate(_SUPERSCRIPT)
    if after is not None and after.get_text()[:1].isalnum() and not head.endswith(" "):
        return " "  # "alert,5and": the reference went, a space stays
    return ""


_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# Accents some fonts draw as separate spacing characters after (or before) the letter.
_SPACING_ACCENTS = {"\u02c6": "\u0302", "\u00b4": "\u0301", "\u00a8": "\u0308", "\u02dc": "\u0303",
                    "\u00b8": "\u0327", "\u02da": "\u030a", "\u02c7": "\u030c"}
_ACCENTED = re.compile(r"([^\W\d_])([\u02c6\u00b4\u00a8\u02dc\u00b8\u02da\u02c7])"
                       r"|([\u02c6\u00b4\u00a8\u02dc\u02da\u02c7])([^\W\d_])")


def _combine(match: re.Match[str]) -> str:
    letter, accent = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    composed = unicodedata.normalize("NFC", letter + _SPACING_ACCENTS[accent])
    return composed if len(composed) == 1 else match.group(0)


def _normalise(text: str) -> str:
    text = text.translate(_LIGATURES).replace("\u00a0", " ")
    text = _ACCENTED.sub(_combine, text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\u00ad")
    return " ".join(text.split())


# --- rebuilding: the same steps for any reader of lines ------------------------------------------


def rebuild(pages: list[Page], *, title: str | None, origin: str, steps: Steps | None = None) -> Document:
    """Readable paragraphs from the lines of every page (steps 2 to 6 of the module's list).

    Raises:
        InputError: the pages hold (almost) no text: no text layer.
    """
    steps = steps or Steps()
    if sum(ch.isalnum() for page in pages for line in page.lines for ch in line.text) < _MIN_CHARACTERS:
        raise InputError(_NO_TEXT.format(origin=origin))
    if steps.furniture:
        _drop_furniture(pages)
    if steps.gutters:
        for page in pages:
            _drop_line_numbers(page)
    lines = [line for page in pages for line in page.lines]
    body_size = _body_size(lines)
    vocabulary = _Vocabulary(lines)
    body = _Assembler(vocabulary, steps, _line_gap(pages), body_size)
    pending: list[list[_Piece]] = []  # footnotes waiting for a paragraph that goes on to the next page
    for number, page in enumerate(pages):
        runs = _order(page.lines) if steps.columns else [_rows(page.lines)]
        notes: list[list[Line]] = []
        if steps.footnotes:
            runs, notes = _split_footnotes(runs, body_size, page.height)
        for run in runs:
            geometry = _Geometry.of(run)
            for i, line in enumerate(run):
                started = body.add(line, geometry, same_run=i > 0)
                if started and pending:
                    new = body.paragraphs.pop()
                    body.paragraphs.extend(pending)
                    body.paragraphs.append(new)
                    pending = []
        if notes:
            assembler = _Assembler(vocabulary, steps, body.gap, body_size)
            for run in notes:
                geometry = _Geometry.of(run)
                for i, line in enumerate(run):
                    assembler.add(line, geometry, same_run=i > 0)
            current = body.paragraphs[-1] if body.paragraphs else None
            if current is None or not body.is_open():
                body.paragraphs.extend(assembler.paragraphs)
            elif current[0].page == number:  # before the paragraph that goes on: pages stay in order
                body.paragraphs[-1:-1] = assembler.paragraphs
            else:
                pending.extend(assembler.paragraphs)
    body.paragraphs.extend(pending)
    text, offsets = _join_paragraphs(body.paragraphs, len(pages), "\n\n" if steps.paragraphs else "\n")
    if not text.strip():
        raise InputError(_NO_TEXT.format(origin=origin))
    return Document(text=text, title=title, pages=offsets)


def _body_size(lines: list[Line]) -> float:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0] if sizes else 10.0


def _line_gap(pages: list[Page]) -> float:
    """The usual space between one line's bottom and the next line's top, in points."""
    gaps: list[float] = []
    for page in pages:
        ordered = sorted(page.lines, key=lambda line: (round(line.x0 / 20), line.top))
        for a, b in zip(ordered, ordered[1:], strict=False):
            gap = b.top - a.bottom
            if abs(a.x0 - b.x0) < 3 * a.size and abs(a.size - b.size) < 0.5 and -0.5 * a.size < gap < 2 * a.size:
                gaps.append(gap)
    return statistics.median(gaps) if gaps else 2.0


# Step 2: running headers, footers and page numbers.

_PAGE_NUMBER = re.compile(r"(?i)^(?:page|p\.|pg\.?|seite|página|pagina|pág\.?)?\s*[-–—(\[]?\s*"
                          r"(?:\d{1,5}|[ivxlcdm]{1,7})\s*[-–—)\]]?\s*(?:(?:of|/|de|sur|von|di|из)\s*\d{1,5})?$")


def _furniture_key(text: str) -> str:
    return " ".join(re.sub(r"\d+", "#", text).casefold().split())


def _edge_lines(page: Page) -> list[Line]:
    """Lines in the top three or bottom three rows of a page, within its top or bottom 15 %."""
    if not page.lines:
        return []
    rows: list[float] = []
    for top in sorted(line.top for line in page.lines):
        if not rows or top - rows[-1] > 2:
            rows.append(top)
    upper = rows[min(2, len(rows) - 1)]
    lower = rows[max(0, len(rows) - 3)]
    return [line for line in page.lines
            if (line.top <= upper + 2 and line.top < 0.15 * page.height)
            or (line.top >= lower - 2 and line.bottom > 0.85 * page.height)]


def _drop_furniture(pages: list[Page]) -> None:
    edges = [_edge_lines(page) for page in pages]
    seen: Counter[str] = Counter()
    for lines in edges:
        seen.update({_furniture_key(line.text) for line in lines})
    needed = max(2, math.ceil(0.4 * len(pages)))
    for page, lines in zip(pages, edges, strict=True):
        drop = {id(line) for line in lines
                if _PAGE_NUMBER.match(line.text) or seen[_furniture_key(line.text)] >= needed}
        page.lines = [line for line in page.lines if id(line) not in drop]


# Step 3: line numbers in a margin.

def _numbered_run(values: list[int]) -> bool:
    """Numbers that count lines: mostly rising by one step (1, 2, 3… or 5, 10, 15…)."""
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    if len(values) < 5 or not steps:
        return False
    step, count = Counter(steps).most_common(1)[0]
    return step in (1, 2, 5, 10) and count >= 0.6 * len(steps)


_COUNTED = re.compile(r"(\d{1,3})(?:\s+|(?=[^\W\d_]))(?=\S)")  # "12 THE COURT:", "12THE COURT:"


def _drop_line_numbers(page: Page) -> None:
    numbers = [line for line in page.lines if re.fullmatch(r"\d{1,3}", line.text)]
    others = [line for line in page.lines if not re.fullmatch(r"\d{1,3}", line.text)]
    if numbers and others:
        left, right = min(line.x0 for line in others), max(line.x1 for line in others)
        margin = sorted((line for line in numbers if line.x1 <= left + 1 or line.x0 >= right - 1),
                        key=lambda line: line.top)
        if _numbered_run([int(line.text) for line in margin]):
            gone = {id(line) for line in margin}
            page.lines = [line for line in page.lines if id(line) not in gone]
    # Numbers that pdfminer kept on the line they count: "12   THE COURT: Good morning."
    prefixed = sorted(((line, m) for line in page.lines if (m := _COUNTED.match(line.text))),
                      key=lambda pair: pair[0].top)
    if len(prefixed) >= max(5, 0.4 * len(page.lines)) and _numbered_run([int(m.group(1)) for _, m in prefixed]):
        lefts = statistics.median(line.x0 for line, _ in prefixed)
        for line, m in prefixed:
            if abs(line.x0 - lefts) <= 3:
                line.x0 += (line.x1 - line.x0) * m.end() / max(1, len(line.text))
                line.text = line.text[m.end():]


# Step 4: reading order.

def _rows(lines: list[Line]) -> list[Line]:
    """Lines top to bottom, and left to right within a row."""
    ordered = sorted(lines, key=lambda line: line.top)
    result: list[Line] = []
    row: list[Line] = []
    for line in ordered:
        if row and line.top - row[0].top > 0.4 * min(line.size, row[0].size):
            result.extend(sorted(row, key=lambda item: item.x0))
            row = []
        row.append(line)
    result.extend(sorted(row, key=lambda item: item.x0))
    return result


def _order(lines: list[Line], depth: int = 0) -> list[list[Line]]:
    """Lines in reading order as runs, each run read top to bottom: a column, or a band of lines
    that cross the gap between columns (a title, a full-width table).

    The page is first cut across where no line stands over a height of three ems (a figure), or
    of one em where the columns above and below differ (a table under three columns of text).
    """
    if not lines:
        return []
    if depth < 12:
        bands = _bands(lines)
        if len(bands) > 1:
            return [run for band in bands for run in _order(band, depth + 1)]
    gutters = _gutters(lines) if depth < 12 and len(lines) >= 4 else []
    if not gutters:
        return [_rows(lines)]
    middle = max(gutters)[1]
    spanning = sorted((line for line in lines if line.x0 < middle < line.x1), key=lambda line: line.top)
    centres = [(line.top + line.bottom) / 2 for line in spanning]
    columns: list[list[Line]] = [[] for _ in range(len(spanning) + 1)]
    for line in lines:
        if not line.x0 < middle < line.x1:
            columns[bisect_right(centres, (line.top + line.bottom) / 2)].append(line)
    runs: list[list[Line]] = []
    for k, band in enumerate(columns):
        runs.extend(_order([line for line in band if line.x1 <= middle], depth + 1))
        runs.extend(_order([line for line in band if line.x1 > middle], depth + 1))
        if k < len(spanning):
            if k and not band and runs and runs[-1] and runs[-1][-1] is spanning[k - 1]:
                runs[-1].append(spanning[k])  # consecutive full-width lines: one run
            else:
                runs.append([spanning[k]])
    return [run for run in runs if run]


def _bands(lines: list[Line]) -> list[list[Line]]:
    """Lines cut into bands across the page at the gaps that separate differently laid out parts."""
    size = statistics.median(line.size for line in lines)
    ordered = sorted(lines, key=lambda line: line.top)
    cuts: list[int] = []  # index in `ordered` of the first line below each cut
    reach = ordered[0].bottom
    for i in range(1, len(ordered)):
        gap = ordered[i].top - reach
        if gap >= 0.8 * size:
            above, below = ordered[cuts[-1] if cuts else 0:i], ordered[i:]
            if gap >= 3 * size or not _same_columns(above, below, size):
                cuts.append(i)
        reach = max(reach, ordered[i].bottom)
    bounds = [0, *cuts, len(ordered)]
    return [ordered[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _same_columns(above: list[Line], below: list[Line], size: float) -> bool:
    mine = sorted(mid for _, mid in _gutters(above)) if len(above) >= 4 else []
    theirs = sorted(mid for _, mid in _gutters(below)) if len(below) >= 4 else []
    if not mine or not theirs:
        return not mine and not theirs
    return len(mine) == len(theirs) and all(abs(a - b) < 2 * size for a, b in zip(mine, theirs, strict=True))


def _gutters(lines: list[Line]) -> list[tuple[int, float]]:
    """The gaps between columns of these lines: (lines in the smaller column, x of the gap's middle).

    A gap is a vertical strip at least half an em wide that (almost) none of the lines narrower
    than 60 % of the text's width cross, with at least two lines of prose (four ems or wider)
    wholly on each side whose heights overlap. Wider lines (titles, full-width blocks) may cross it.
    """
    size = statistics.median(line.size for line in lines)
    x_min, x_max = min(line.x0 for line in lines), max(line.x1 for line in lines)
    narrow = [line for line in lines if line.x1 - line.x0 < 0.6 * (x_max - x_min)]
    if len(narrow) < 4:
        return []
    step = 0.5
    n = int((x_max - x_min) / step) + 1
    delta = [0] * (n + 1)
    for line in narrow:
        delta[int((line.x0 - x_min) / step)] += 1
        delta[min(n, math.ceil((line.x1 - x_min) / step))] -= 1
    cover = list(accumulate(delta[:n]))
    allowed = int(0.05 * len(narrow))
    found: list[tuple[int, float]] = []
    i = 0
    while i < n:
        if cover[i] > allowed:
            i += 1
            continue
        j = i
        while j < n and cover[j] <= allowed:
            j += 1
        lo, hi = x_min + i * step, x_min + j * step
        i = j
        if hi - lo >= max(0.5 * size, 2.0):
            smaller = _columns(narrow, lo, hi, size)
            if smaller is not None:
                found.append((smaller, (lo + hi) / 2))
    return found


def _columns(lines: list[Line], lo: float, hi: float, size: float) -> int | None:
    """How many lines the smaller of two columns split at [lo, hi] holds, or None if they are not
    two columns of prose side by side."""
    left = [line for line in lines if line.x1 <= hi]
    right = [line for line in lines if line.x0 >= lo]
    if len(left) < 2 or len(right) < 2:
        return None
    for side in (left, right):
        if statistics.median(line.x1 - line.x0 for line in side) < 4 * size:
            return None
    top = max(min(line.top for line in left), min(line.top for line in right))
    bottom = min(max(line.bottom for line in left), max(line.bottom for line in right))
    shorter = min(max(line.bottom for line in side) - min(line.top for line in side) for side in (left, right))
    if bottom - top < 0.5 * shorter:
        return None
    return min(len(left), len(right))


# Step 5: footnotes.

def _split_footnotes(runs: list[list[Line]], body_size: float,
                     height: float) -> tuple[list[list[Line]], list[list[Line]]]:
    """Small print at the foot of each run (in the lower 60 % of the page), apart from the body."""
    body: list[list[Line]] = []
    notes: list[list[Line]] = []
    for run in runs:
        k = len(run)
        while k > 0 and run[k - 1].size < 0.85 * body_size and run[k - 1].top > 0.4 * height:
            k -= 1
        if k < len(run) and any(line.size < 0.85 * body_size for line in run[k:]):
            notes.append(run[k:])
            run = run[:k]
        if run:
            body.append(run)
    return body, notes


# Step 6: paragraphs.

@dataclass(frozen=True)
class _Geometry:
    """The left and right edges of a run's lines, for each type size in it (a heading or a code
    listing in another size may stand out of the column)."""

    edges: dict[float, tuple[float, float]]

    @classmethod
    def of(cls, run: list[Line]) -> _Geometry:
        edges: dict[float, tuple[float, float]] = {}
        for line in run:
            left, right = edges.get(line.size, (line.x0, line.x1))
            edges[line.size] = (min(left, line.x0), max(right, line.x1))
        return cls(edges)

    def _of(self, size: float) -> tuple[float, float]:
        return self.edges[min(self.edges, key=lambda known: abs(known - size))]

    def left(self, size: float) -> float:
        return self._of(size)[0]

    def right(self, size: float) -> float:
        return self._of(size)[1]


@dataclass
class _Piece:
    page: int
    separator: str
    text: str


_END = re.compile(r"[.!?][\"'’”)\]»]*$")
_BULLET = re.compile(r"^(?:[•▪◦●■□‣⁃·*]\s*|[-–—]\s|\(?\d{1,2}[.)]\s|\(?[a-zA-Z][.)]\s|\([ivxlc]{1,5}\)\s)")
_BULLET_ALWAYS = re.compile(r"^[•▪◦●■□‣⁃·]")
_LIST_END = re.compile(r"[.!?:;][\"'’”)\]»]*$")
_LEAD_IN = re.compile(r"^[^\W\d_][^:.]{0,40}[:.]\s")
_HYPHENS = "-\u2010"
_DASHES = "\u2011\u2012\u2013\u2014\u2015\u2212"
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_SUSPENDED = {"and", "or", "to", "nor", "und", "oder", "et", "ou"}  # after a suspended hyphen
_URLISH = re.compile(r"(?i)(?:https?://|www\.|@|\.(?:gov|org|com|net|edu|int)\b|/\S*/)")


class _Vocabulary:
    """How a document spells its words inside lines: with a hyphen ("non-normal") or without."""

    def __init__(self, lines: list[Line]) -> None:
        self.words: Counter[str] = Counter()
        for line in lines:
            # A line's last word may be half of one hyphenated at the line end: not counted.
            text = line.text[:-1] if line.text.endswith(tuple(_HYPHENS + "\u00ad")) else line.text
            self.words.update(word.casefold() for word in _WORD.findall(text))

    def join(self, left: str, right: str) -> tuple[str, str]:
        """`left` as it should end and the separator before `right`, when `right` follows it on the
        next line of the same paragraph."""
        last = left[-1:]
        if last == "\u00ad":  # a soft hyphen marks where the word was broken
            return left[:-1], ""
        if last in _DASHES:
            return left, " " if left[-2:-1] == " " else ""
        if (last == "/" and _URLISH.search(left.rsplit(" ", 1)[-1])) or (last == "@" and left[-2:-1].isalnum()):
            return left, ""  # a URL broken after a slash, an e-mail address after its @
        if last not in _HYPHENS or len(left) < 2 or not left[-2].isalnum():
            return left, " "
        head = re.search(r"\S*$", left[:-1])
        token = head.group(0) if head else ""
        tail = right.split(" ", 1)[0]
        if _URLISH.search(token) or _URLISH.search(tail):
            return left, ""
        if tail.casefold() in _SUSPENDED:
            return left, " "  # "pre- and post-flight"
        first = re.match(r"[^\W\d_]+", tail)
        part = re.search(r"[^\W\d_]+$", token)
        prefix = part.group(0) if part else ""
        if first and prefix:  # how the document spells the word elsewhere decides
            joined = (prefix + first.group(0)).casefold()
            hyphenated = (prefix + "-" + first.group(0)).casefold()
            if self.words[hyphenated] and self.words[hyphenated] >= self.words[joined]:
                return left, ""
            if self.words[joined]:
                return left[:-1], ""
        if not first or not tail[:1].islower():
            return left, ""  # Soekarno-Hatta, 9-ANM, COVID-19
        if not prefix or (len(prefix) > 1 and prefix.isupper()) or any(ch.isdigit() for ch in token) \
                or re.search(r"[-\u2010]", token):
            return left, ""  # EPA-approved, A320-based, state-of-the-art
        return left[:-1], ""  # typesetting: require-ments


class _Assembler:
    """Lines into paragraphs: each paragraph a list of pieces, each piece from one page.

    A paragraph that stops mid-sentence where a block in another type size interrupts it (a
    masthead at the top of the next column, a figure's caption) is resumed after the block.
    """

    def __init__(self, vocabulary: _Vocabulary, steps: Steps, gap: float, body_size: float) -> None:
        self.vocabulary = vocabulary
        self.steps = steps
        self.gap = gap
        self.body_size = body_size
        self.paragraphs: list[list[_Piece]] = []
        self.current: list[_Piece] | None = None
        self.last: Line | None = None
        self.geometry: _Geometry | None = None
        self.suspended: tuple[list[_Piece], Line, _Geometry] | None = None

    def is_open(self) -> bool:
        """The current paragraph's last line does not end a sentence: it may go on."""
        return self.last is not None and not _END.search(self.last.text)

    def _body(self, line: Line) -> bool:
        return abs(line.size - self.body_size) <= 0.12 * self.body_size and not line.bold

    def add(self, line: Line, geometry: _Geometry, *, same_run: bool) -> bool:
        """Add a line; True if it starts a new paragraph."""
        previous, previous_geometry = self.last, self.geometry
        if previous is None or previous_geometry is None or self.current is None or not self.steps.paragraphs:
            new = True
        elif same_run:
            new = self._breaks(previous, line, geometry)
        else:
            new = not self._continues(previous, previous_geometry, line, geometry)
        if new and self.suspended is not None and previous is not None and self._body(line) \
                and not self._body(previous):
            paragraph, last, last_geometry = self.suspended
            self.suspended = None
            if self._continues(last, last_geometry, line, geometry):
                self.current = paragraph
                new = False
        elif new and previous is not None and self.current is not None and self.is_open() and self._body(previous) \
                and abs(line.size - previous.size) > 0.12 * self.body_size:
            self.suspended = (self.current, previous, geometry if previous_geometry is None else previous_geometry)
        elif new and self._body(line):
            self.suspended = None
        self.last, self.geometry = line, geometry
        if new:
            self.current = [_Piece(line.page, "", line.text)]
            self.paragraphs.append(self.current)
            return True
        assert self.current is not None
        end = self.current[-1]
        if self.steps.dehyphenate:
            end.text, separator = self.vocabulary.join(end.text, line.text)
        else:
            separator = " "
        self.current.append(_Piece(line.page, separator, line.text))
        return False

    def _breaks(self, previous: Line, line: Line, geometry: _Geometry) -> bool:
        """A line in the same column as the one before it starts a new paragraph."""
        size = max(previous.size, line.size)
        if _restyled(previous, line):
            return True
        if abs(line.top - previous.top) < 0.4 * size:  # the same row: table cells, a split line
            return False
        gap = line.top - previous.bottom
        if gap > self.gap + 0.6 * size or gap < -0.5 * size:
            return True
        if 0.6 * size < line.x0 - geometry.left(line.size) < 10 * size and line.x0 - previous.x0 > 0.6 * size \
                and not _BULLET.match(previous.text):
            return True  # a first-line indent, not the hanging indent of a list item
        if _BULLET_ALWAYS.match(line.text) or (_LIST_END.search(previous.text) and _BULLET.match(line.text)):
            return True
        if _ended_early(previous, line, geometry):
            return True
        return _capitals(previous.text) and not _capitals(line.text)  # DEPARTMENT OF TRANSPORTATION

    def _continues(self, previous: Line, previous_geometry: _Geometry, line: Line, geometry: _Geometry) -> bool:
        """A line that starts a column or a page goes on with the paragraph before it."""
        if _restyled(previous, line) or _END.search(previous.text) or _BULLET.match(line.text):
            return False
        if _ended_early(previous, line, previous_geometry):
            return False
        return line.x0 - geometry.left(line.size) < 0.6 * max(previous.size, line.size)


def _capitals(text: str) -> bool:
    """A line in capitals, as headings are: two or more words, no lowercase letter."""
    return text.isupper() and len(text) < 80 and len(re.findall(r"[^\W\d_]{2,}", text)) >= 2


def _restyled(previous: Line, line: Line) -> bool:
    """The type changes between two lines: where one ends and the other starts, and either in the
    lines as a whole (a heading, a footnote) or to a bold lead-in ("SUMMARY: The agency…"). A
    word in bold or in code type at the end of a line does not end its paragraph."""
    if not _differ(previous.ends, line.starts):
        return False
    if _differ((previous.size, previous.bold), (line.size, line.bold)):
        return True
    return line.starts[1] and not previous.ends[1] and bool(_LEAD_IN.match(line.text))


def _differ(a: tuple[float, bool], b: tuple[float, bool]) -> bool:
    return abs(a[0] - b[0]) > 0.12 * max(a[0], b[0]) or a[1] != b[1]


def _ended_early(previous: Line, line: Line, geometry: _Geometry) -> bool:
    """The next line's first word would have fitted on the previous line: that line was ended on
    purpose (a paragraph's last line, a heading, an address line), not wrapped. Not trusted where
    the next line starts in lowercase and the previous one ends without punctuation: a sentence
    cut in two is worse than two paragraphs run together."""
    if previous.text.endswith(tuple(_HYPHENS + _DASHES + "\u00ad/")):
        return False
    if line.text[:1].islower() and not _LIST_END.search(previous.text):
        return False
    word = line.text.split(" ", 1)[0]
    return previous.x1 + (len(word) * 0.55 + 1.5) * line.size < geometry.right(previous.size)


def _join_paragraphs(paragraphs: list[list[_Piece]], n_pages: int, separator: str) -> tuple[str, list[int]]:
    parts: list[str] = []
    starts: dict[int, int] = {}
    position = 0
    for k, paragraph in enumerate(paragraphs):
        if k:
            parts.append(separator)
            position += len(separator)
        for piece in paragraph:
            parts.append(piece.separator)
            position += len(piece.separator)
            starts.setdefault(piece.page, position)
            parts.append(piece.text)
            position += len(piece.text)
    text = "".join(parts)
    offsets = [0] * n_pages
    following = len(text)
    for page in range(n_pages - 1, -1, -1):
        following = min(starts.get(page, following), following)
        offsets[page] = following
    if offsets:
        offsets[0] = 0
    return text, offsets
