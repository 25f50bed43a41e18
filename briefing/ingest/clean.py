"""Separating an article from the page furniture around it, for HTML and text sources alike.

What is not the article never becomes a citable sentence: contact and navigation lines, photo
captions and credits, "Trending"/"Related"/"Read more" blocks with the teasers under them, link
labels ("Full Article"), calls to action ("share your photos", "subscribe"), widget text and
repeated paragraphs, and whatever follows the story's closing credit line. Bylines, writing and
editing credits and the dateline are kept as the source's metadata instead.

Rules work on paragraphs (lines); each recognises a kind of furniture by its form, not by the
words of any one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_URL = re.compile(r"(?:https?://|www\.)\S+")
# Lines that are navigation or labels wherever they stand.
_FURNITURE = re.compile(
    r"^(?:all categories|categories|tags?|share(?: this(?: article| story)?)?|related(?: articles| stories)?|"
    r"advertisement|read more|follow us|subscribe|sign up|newsletter|comments?|print|email)\s*:?$",
    re.IGNORECASE,
)
# Link labels: the text of a link to elsewhere, alone on a line.
_LINK_LABEL = re.compile(
    r"^(?:full (?:article|story|coverage)|read (?:more|on|next|the (?:full )?(?:article|story))|continue reading|"
    r"click here(?: .{0,30})?|see (?:more|all|also)|view (?:more|all|gallery|slideshow|comments|photos)|"
    r"watch(?: the)? video|learn more|show (?:more|comments)|more(?: stories)?|back to top|next|previous|"
    r"(?:next|previous) (?:article|story|page))\s*[»›>→…:.]*$",
    re.IGNORECASE,
)
# Headings of blocks that point away from the article: the items under them go too.
_BLOCK_HEADING = re.compile(
    r"^(?:trending(?: now| (?:on|at|in) [\w .]{1,30})?|related(?: (?:coverage|stories|articles|content|links|news|"
    r"reading|topics|videos?))?|read (?:more|next|also)(?: (?:on|from|about) [\w .]{1,30})?|"
    r"recommended(?: for you| stories| reading| videos?)?|"
    r"most (?:read|popular|viewed|shared|watched)(?: [\w .]{1,20})?|"
    r"more (?:from|on|about|in) [\w .'’]{1,40}|(?:more|other|top|latest) (?:stories|headlines|news|videos?)|"
    r"top (?:tips|picks)|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|see also|"
    r"editors?['’]?s? (?:picks?|choice)|popular(?: now)?|what to read next|further reading|in (?:other|case you missed)"
    r"(?: news)?|don['’]t miss|also (?:read|on|see))\s*:?$",
    re.IGNORECASE,
)
# Photo captions and credits: "1 of 4. …", "Photo: …", "NEWSWIRE/Jane Doe", "(Getty Images)".
_CAPTION = re.compile(
    r"^\d{1,3}\s+of\s+\d{1,3}\s*[.:)\-–]"
    r"|^(?:photo|image|picture|caption|credit|file photo|photograph)s?\s*(?:credit)?\s*[:|]"
    r"|\b(?:REUTERS|AP Photo|AFP(?: PHOTO)?|EPA|Getty Images|Bloomberg|Xinhua)\s*/\s*[A-Z]"
    r"|\((?:photo|image|picture)s?\s*(?:by|:|credit)[^)]*\)\s*$"
    r"|\((?:AP|AFP|Reuters|Getty Images|EPA)(?: Photo)?(?:/[^)]*)?\)\s*$",
    re.IGNORECASE,
)
# A link label glued to the end of a teaser: "… told reporters on Monday. Full Article".
_TRAILING_LINK = re.compile(
    r"(?<=[.!?”\"’)])\s+(?:full (?:article|story|coverage)|read (?:more|on|the (?:full )?(?:article|story))|"
    r"continue reading|see (?:more|the full story)|more)\s*[»›>→…:.]*$",
    re.IGNORECASE,
)
# Credits: who wrote, reported, edited. Kept as metadata, never as sentences.
_CREDIT = re.compile(
    r"^\(?\s*(?:(?:additional|further|contributing)\s+)?(?:reporting|writing|written|editing|edited|compiled|"
    r"research|produced|translated|fact[- ]checked)\s+by\b"
    r"|\b(?:contributed|also contributed)\s+(?:to\s+)?(?:this|the)\s+(?:report|story|article|reporting|piece)\b"
    r"|^to contact the (?:reporters?|editors?|authors?|writers?)\b"
    r"|^\(?\s*(?:editing|reporting)\s*:",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?i:by|written by|story by|words by)\s+(?P<names>[A-Z][^.!?]{1,120})$")
# A call to action addressed to the reader: share, send or tell us, subscribe, sign up, download.
_ACTION = re.compile(
    r"\b(?:share|send|submit|upload|tell us|show us|email us|e-mail us)\b[^.!?]{0,40}\b(?:your|us)\b[^.!?]{0,60}"
    r"\b(?:photos?|pictures?|videos?|stories|story|tips?|views?|thoughts|experiences?|images?)\b"
    r"|(?:^|[.!?]\s+)(?:please\s+)?(?:subscribe|sign up|register|follow us|download (?:our|the) app|log in|sign in)\b"
    r"[^.!?]{0,60}\b(?:newsletter|updates|alerts|app|now|today|for free|here|to (?:read|continue|get|receive))\b",
    re.IGNORECASE,
)
# A photo credit at the end of a paragraph: "… the dry season. Photo: Ana Silva" / "(Photo: AFP)".
_TRAILING_CREDIT = re.compile(
    r"(?<=[.!?”\"])\s+\(?(?:photo|image|picture|video)s?(?: credit)?\s*:\s*[^.()]{1,60}\)?\s*$"
    r"|(?<=[.!?”\"])\s+\(?(?-i:[A-Z]{2,}(?: Photo)?/[A-Z])[\w.' -]{1,40}\)?\s*$",
    re.IGNORECASE,
)
_WIDGET = re.compile(r"^(?:loading|please wait|fetching|updating)\b[^.!?]{0,40}(?:\.\.\.|…)\s*$", re.IGNORECASE)
# A dateline: "LISBON (Newswire) -", "OSLO, Mar 3 (AP) —", "LONDON —".
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’\- ]{1,40}?(?:,\s*[A-Z][A-Za-z.'’\- ]{1,30}?)*)"
    r"(?:,?\s+\w{3,9}\.?\s+\d{1,2})?\s*(?:\([A-Za-z.&'’ ]{2,30}\))?\s*(?:-{1,2}|[—–])\s+\S"
)
_TERMINAL = re.compile(r"[.!?…\"”’)]$")


@dataclass(frozen=True)
class Article:
    """The article's paragraphs, and what the page says about it that is not the article."""

    text: str
    authors: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    dateline: str | None = None


def is_contact(line: str) -> bool:
    """A line that is nothing but an e-mail address, a phone number or a URL (with separators)."""
    rest = _URL.sub("", _PHONE.sub("", _EMAIL.sub("", line)))
    return rest.strip(" \t|,;:-–—·•/") == "" and rest != line


def strip_boilerplate(text: str) -> str:
    """The article text alone (see `separate`)."""
    return separate(text).text


def separate(text: str) -> Article:
    """Split a page's text into the article and its furniture.

    A trailer such as "All Categories / Tags / +1316… / someone@example.com" never reaches the
    model; a short line inside the article (a subheading) stays.
    """
    lines = [line.strip() for line in text.split("\n")]
    authors, credits = [], []
    kept: list[str] = []
    for line in lines:
        byline = _BYLINE.match(line)
        if byline and len(line.split()) <= 16 and not _TERMINAL.search(line.rstrip(".")):
            authors += _names(byline.group("names"))
        elif _CREDIT.search(line) and (len(line.split()) <= 60 or _closing_credit(line)):
            credits.append(line.strip("() "))
            kept.append(_CREDIT_MARK)
        elif line:
            kept.append(_TRAILING_CREDIT.sub("", line))
    kept = _after_closing_credit(kept)
    kept = _drop_blocks(kept)
    kept = [line for line in kept if line != _CREDIT_MARK and not _is_furniture(line)]
    kept = _unique(kept)
    kept, dateline = _dateline(kept)
    while kept and _is_trailer_line(kept[-1]):
        kept.pop()
    body = "\n".join(kept).strip() + "\n" if kept else ""
    return Article(body, list(dict.fromkeys(authors)), list(dict.fromkeys(credits)), dateline)


_CREDIT_MARK = "\x00credit"


def _names(text: str) -> list[str]:
    """Names in a byline: "Jane Doe and John Roe, AFP" → both names (the outlet stays out)."""
    text = re.split(r"\s*[|•·]\s*|,\s*(?=(?:Reuters|AP|AFP|Bloomberg|CNN|BBC|staff|correspondent)\b)", text)[0]
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", text)
    return [p.strip() for p in parts if p.strip() and p.strip()[0].isupper()]


def _closing_credit(line: str) -> bool:
    """A credit line of any length: in parentheses, opening with who reported or edited, and
    made of names, places and separators ("(Reporting by A in X, B and C in Y; …; Editing by D)")."""
    inner = line.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        return False
    words = re.findall(r"[\w'’.-]+", inner)
    lower = [w for w in words if w[:1].islower() and w not in ("by", "and", "in", "from", "of", "the", "at")]
    return len(words) <= 400 and len(lower) <= max(3, len(words) // 8)


def _is_furniture(line: str) -> bool:
    words = len(line.split())
    return (is_contact(line) or bool(_FURNITURE.match(line)) or (words <= 6 and bool(_LINK_LABEL.match(line)))
            or bool(_TRAILING_LINK.search(line))
            or (words <= 40 and bool(_CAPTION.search(line))) or (words <= 50 and bool(_ACTION.search(line)))
            or bool(_WIDGET.match(line)))


def _after_closing_credit(lines: list[str]) -> list[str]:
    """Whatever follows the story's closing credit line ("(Reporting by …)", "… contributed to this
    report") is the page around the story: teasers, widgets, trending blocks. Kept only when it is
    a large part of the text (then the credit stood inside the story)."""
    marks = [i for i, line in enumerate(lines) if line == _CREDIT_MARK]
    if not marks:
        return lines
    last = marks[-1]
    after = sum(len(line.split()) for line in lines[last + 1:])
    total = sum(len(line.split()) for line in lines if line != _CREDIT_MARK)
    return lines[:last + 1] if last > 0 and after <= total / 4 else lines


def _drop_blocks(lines: list[str]) -> list[str]:
    """A "Trending"/"Related"/"Read more" heading goes with the teasers under it: short labels,
    and any paragraph followed by a link label ("Full Article")."""
    out: list[str] = []
    in_block = False
    for i, line in enumerate(lines):
        if _BLOCK_HEADING.match(line) and len(line.split()) <= 8:
            in_block = True
            continue
        if in_block:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            teaser = ((len(line.split()) <= 8 and not _TERMINAL.search(line)) or bool(_LINK_LABEL.match(following))
                      or bool(_TRAILING_LINK.search(line)))
            if teaser or _LINK_LABEL.match(line):
                continue
            in_block = False
        out.append(line)
    return out


def _unique(lines: list[str]) -> list[str]:
    """A paragraph a widget repeats is kept once."""
    seen: set[str] = set()
    out = []
    for line in lines:
        key = " ".join(re.findall(r"\w+", line.casefold()))
        if len(key.split()) >= 4 and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return out


def _dateline(lines: list[str]) -> tuple[list[str], str | None]:
    """The place of the story's dateline; a line that is only that place ("LISBON") goes."""
    for i, line in enumerate(lines[:4]):
        match = _DATELINE.match(line)
        if not match:
            continue
        place = match.group("place").strip(" ,")
        if not place.replace(" ", "").replace(",", "").replace(".", "").isupper():
            continue
        kept = [other for j, other in enumerate(lines) if not (j < i and other.strip(" ,.") == place)]
        return kept, place
    return lines, None


def _is_trailer_line(line: str) -> bool:
    words = line.split()
    label = len(words) <= 3 and not _TERMINAL.search(line)
    return not words or is_contact(line) or bool(_FURNITURE.match(line)) or label
