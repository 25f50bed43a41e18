"""How well PDF text extraction keeps a document's body, against poppler's pdftotext.

The reference is poppler's `pdftotext -bbox-layout` (poppler-utils) run on the same file: its
lines in its reading order, less running headers and footers (lines at the top, bottom or side
of a page that recur, digits aside, on 40 % of the pages or more) and page numbers, with a line
that ends with a hyphen joined to the next. For each extractor:

- body kept: the share of the reference's words found in the extracted text (multiset overlap;
  words compared without their hyphens, so "non-normal" and "nonnormal" count alike, and
  "require- ments" does not count as "requirements");
- extra: the share of extracted words the reference does not have;
- split left: words still broken by a line-end hyphen: "require- ments", or "require-ments"
  where the document writes "requirements" and never "require-ments" inside a line;
- furniture: occurrences of the reference's running headers and footers left in the text;
- order: how much of the text is in pdftotext's order (the longest run of the two texts' shared
  six-word sequences that both have in the same order, as a share of those sequences);
- broken: paragraphs that stop mid-sentence (no closing punctuation, the next one starts in
  lowercase): for raw extractors, nearly every line;
- time: wall seconds of the extraction (best of --repeat runs).

    python bench/pdf_extraction.py FILE.pdf [--alternative] [--steps] [--repeat N]

--alternative adds pypdf (its plain text, and its layout text through the same rebuilding) and
pdfminer.six's own text; --steps reruns the chosen extractor with each rebuilding step left out.
pdftotext must be on PATH (Debian: apt-get install poppler-utils); pypdf only for --alternative.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import shutil
import subprocess
import sys
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import fields, replace
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

from briefing.ingest.pdf import Line, Page, Steps, extract_pdf, read_pages, rebuild

WORD = re.compile(r"\w+(?:[-\u2010]\w+)*")
XHTML = "{http://www.w3.org/1999/xhtml}"
SUSPENDED = {"and", "or", "to", "nor", "und", "et", "ou"}  # "pre- and post-flight" keeps its hyphen and space


def words(text: str) -> list[str]:
    return [w.replace("-", "").replace("\u2010", "") for w in WORD.findall(text.casefold())]


def key(line: str) -> str:
    return " ".join(re.sub(r"\d+", "#", line).casefold().split())


class Reference:
    """poppler's text of a PDF (`pdftotext -bbox-layout`: its reading order, with each line's box),
    split into body and furniture.

    Furniture: a line in the top or bottom tenth of a page or in a side margin, recurring (digits
    aside) on 40 % of the pages or more, and page numbers there. A line that ends with a hyphen is
    joined to the next (words are compared without their hyphens).
    """

    def __init__(self, pdf: Path) -> None:
        if not shutil.which("pdftotext"):
            sys.exit("pdftotext not found: install poppler-utils (Debian: apt-get install poppler-utils)")
        command = ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"]
        root = ElementTree.fromstring(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        pages: list[list[tuple[str, bool]]] = []  # each line's text, and whether it is at an edge
        for page in root.iter(f"{XHTML}page"):
            width, height = float(page.get("width", 0)), float(page.get("height", 0))
            lines = []
            for line in page.iter(f"{XHTML}line"):
                text = " ".join(word.text or "" for word in line.iter(f"{XHTML}word"))
                box = [float(line.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")]
                edge = box[3] < 0.1 * height or box[1] > 0.9 * height or box[2] < 0.06 * width \
                    or box[0] > 0.94 * width
                lines.append((text, edge))
            pages.append(lines)
        seen: Counter[str] = Counter()
        for lines in pages:
            seen.update({key(text) for text, edge in lines if edge})
        needed = max(2, math.ceil(0.4 * len(pages)))
        self.furniture = {k for k, n in seen.items() if n >= needed and re.search(r"[^\W\d_]{2}", k)}
        body: list[str] = []
        self.furniture_count = 0
        self.inner: set[str] = set()  # the document's own spellings, from inside lines
        for lines in pages:
            for text, edge in lines:
                if edge and (key(text) in self.furniture or re.fullmatch(r"\d{1,5}", text)):
                    self.furniture_count += 1
                    continue
                self.inner.update(WORD.findall(text.casefold())[1:-1])
                if body and re.search(r"\w[-\u2010]$", body[-1]):
                    body[-1] += text
                else:
                    body.append(text)
        self.body = "\n".join(body)
        self.words = Counter(words(self.body))


def split_left(text: str, reference: Reference) -> list[str]:
    """Words still broken by a line-end hyphen in `text`."""
    found = []
    for m in re.finditer(r"([^\W\d_]+)[-\u2010]\s+([^\W\d_]+)", text):
        if m.group(2)[:1].islower() and m.group(2).casefold() not in SUSPENDED:
            found.append(m.group(0))
    for m in re.finditer(r"(?<![\w-])([^\W\d_]+)[-\u2010]([^\W\d_]+)(?![\w-])", text):
        a, b = m.group(1).casefold(), m.group(2).casefold()
        if b[:1].islower() and a + b in reference.inner and f"{a}-{b}" not in reference.inner:
            found.append(m.group(0))
    return found


def furniture_left(text: str, reference: Reference) -> int:
    normalised = key(text.replace("\n", " "))
    return sum(normalised.count(k) for k in reference.furniture)


def order(text: str, reference: Reference, n: int = 6) -> float:
    """Share of the shared, unique n-word sequences that appear in the reference's order."""
    def grams(tokens: list[str]) -> dict[tuple[str, ...], int]:
        counts = Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return {g: i for i in range(len(tokens) - n + 1) if counts[g := tuple(tokens[i:i + n])] == 1}
    ours, theirs = grams(words(text)), grams(words(reference.body))
    shared = sorted((i, theirs[g]) for g, i in ours.items() if g in theirs)
    tails: list[int] = []  # longest increasing subsequence of the reference positions
    for _, j in shared:
        k = bisect_left(tails, j)
        tails[k:k + 1] = [j]
    return len(tails) / len(shared) if shared else 0.0


def broken(text: str) -> int:
    """Paragraphs (non-empty lines) that stop mid-sentence: no closing punctuation, and the next
    paragraph starts in lowercase. A sentence cut in two cannot be cited whole."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return sum(1 for a, b in zip(lines, lines[1:], strict=False)
               if not re.search(r"[.!?:;,)\"'’”\]]$", a) and b[:1].islower())


def measure(name: str, extract: Callable[[], str], reference: Reference, repeat: int) -> None:
    best = math.inf
    text = ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = extract()
        best = min(best, time.perf_counter() - start)
    got = Counter(words(text))
    shared = sum((reference.words & got).values())
    kept = shared / max(1, sum(reference.words.values()))
    extra = 1 - shared / max(1, sum(got.values()))
    splits = split_left(text, reference)
    print(f"{name:<34} {sum(got.values()):>6} {kept:>6.1%} {extra:>6.1%} {len(splits):>6} "
          f"{furniture_left(text, reference):>6} {order(text, reference):>6.1%} {broken(text):>6} {best:>6.2f}")
    if splits:
        shown = sorted({" ".join(split.split()) for split in splits})
        print(f"{'':<34} split left: {', '.join(shown[:6])}{' …' if len(shown) > 6 else ''}")


def pypdf_plain(data: bytes) -> str:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # "Rotated text discovered", font notices

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def pypdf_pages(data: bytes) -> list[Page]:
    """pypdf's layout text as lines for the same rebuilding: pypdf's public API has no character
    positions, so each run of text its layout mode prints apart (three spaces or more) becomes a
    line, at the place of its characters in that fixed-width text (half an em a character)."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    size = 10.0
    pages = []
    for number, pdf_page in enumerate(PdfReader(BytesIO(data)).pages):
        text = pdf_page.extract_text(extraction_mode="layout")
        page = Page(width=float(pdf_page.mediabox.width), height=0.0)
        rows = text.splitlines()
        for row_index, row in enumerate(rows):
            for m in re.finditer(r"\S+(?: {1,2}\S+)*", row):
                top = row_index * size * 1.2
                page.lines.append(Line(text=m.group(0), x0=m.start() * size / 2, x1=m.end() * size / 2, top=top,
                                       bottom=top + size, size=size, page=number))
        page.height = len(rows) * size * 1.2
        pages.append(page)
    return pages


def pdfminer_plain(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(BytesIO(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--alternative", action="store_true", help="also measure pypdf and pdfminer's own text")
    parser.add_argument("--steps", action="store_true", help="also leave out each rebuilding step in turn")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    data = args.pdf.read_bytes()
    reference = Reference(args.pdf)
    print(f"{args.pdf.name}: reference pdftotext -bbox-layout, "
          f"{sum(reference.words.values())} body words, {reference.furniture_count} header/footer lines\n")
    print(f"{'extractor':<34} {'words':>6} {'kept':>6} {'extra':>6} {'split':>6} {'furn.':>6} {'order':>6} "
          f"{'broken':>6} {'sec':>6}")
    measure("pdfminer.six + rebuild (chosen)", lambda: extract_pdf(data, args.pdf.name).text, reference, args.repeat)
    if args.steps:
        for step in fields(Steps):
            steps = replace(Steps(), **{step.name: False})

            def run(steps: Steps = steps) -> str:
                pages, title = read_pages(data, args.pdf.name, steps)
                return rebuild(pages, title=title, origin=args.pdf.name, steps=steps).text

            measure(f"  without {step.name}", run, reference, args.repeat)
        nothing = Steps(**{step.name: False for step in fields(Steps)})
        measure("  without any step (lines as read)", lambda: rebuild(read_pages(data, "", nothing)[0], title=None,
                                                                     origin="", steps=nothing).text,
                reference, args.repeat)
    if args.alternative:
        measure("pdfminer.six extract_text", lambda: pdfminer_plain(data), reference, args.repeat)
        measure("pypdf extract_text", lambda: pypdf_plain(data), reference, args.repeat)
        measure("pypdf layout + rebuild", lambda: rebuild(pypdf_pages(data), title=None, origin=args.pdf.name).text,
                reference, args.repeat)


if __name__ == "__main__":
    main()
