"""A minimal PDF writer for tests: text in the standard Helvetica fonts at given places, no dependency.

Each page is a list of `Run`s; a run is one line of text, made of parts that may be smaller and
raised (superscripts). Coordinates are in points from the page's top-left corner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 612, 792


@dataclass
class Run:
    x: float
    y: float  # baseline, from the top of the page
    text: str
    size: float = 10
    bold: bool = False
    parts: list[tuple[str, float, float]] = field(default_factory=list)  # (text, size, rise) after `text`


def sup(run: Run, text: str, after: str = "") -> Run:
    """`run` followed by a raised, smaller `text` (a footnote reference), then `after`."""
    run.parts += [(text, run.size * 0.55, run.size * 0.4), (after, run.size, 0)]
    return run


def _string(text: str) -> str:
    out = []
    for byte in text.encode("cp1252"):
        ch = chr(byte)
        out.append("\\" + ch if ch in "()\\" else ch if 32 <= byte < 127 else f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


def _content(runs: list[Run], rect: bool) -> bytes:
    ops = ["0.5 g 72 400 468 300 re f"] if rect else []
    for run in runs:
        font = "F2" if run.bold else "F1"
        ops.append(f"BT /{font} {run.size} Tf 1 0 0 1 {run.x} {HEIGHT - run.y} Tm {_string(run.text)} Tj")
        for text, size, rise in run.parts:
            ops.append(f"/{font} {size} Tf {rise} Ts {_string(text)} Tj")
        ops.append("0 Ts ET")
    return "\n".join(ops).encode("latin-1")


def make_pdf(pages: list[list[Run]], *, title: str | None = None, password_protected: bool = False,
             drawing: bool = False) -> bytes:
    """A PDF of these pages. `password_protected` adds a standard security handler whose user
    password is not empty (the text itself is left as is: a reader must refuse before that);
    `drawing` paints a grey rectangle on every page (a page with graphics but no text)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # the page tree, written once the pages are known
    add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for runs in pages:
        stream = _content(runs, drawing)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (WIDTH, HEIGHT, content)))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    trailer = b"/Root 1 0 R"
    if title is not None:
        trailer += b" /Info %d 0 R" % add(b"<< /Title " + _string(title).encode("latin-1") + b" >>")
    if password_protected:
        o, u = "7a" * 32, "3c" * 32
        trailer += b" /Encrypt %d 0 R" % add(f"<< /Filter /Standard /V 1 /R 2 /O <{o}> /U <{u}> /P -44 >>".encode())
    trailer += b" /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def column(x: float, top: float, lines: list[str], *, indent: set[int] | None = None, size: float = 10,
           pitch: float = 12) -> list[Run]:
    """Lines set one under another from `top`; the lines numbered in `indent` start one em in."""
    return [Run(x + (size if i in (indent or set()) else 0), top + i * pitch, line, size=size)
            for i, line in enumerate(lines)]
