"""Removing page furniture around an article: label trailers, contact lines, share prompts."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_URL = re.compile(r"(?:https?://|www\.)\S+")
# Lines that are navigation or labels wherever they stand.
_FURNITURE = re.compile(
    r"^(?:all categories|categories|tags?|share(?: this(?: article)?)?|related(?: articles| stories)?|"
    r"advertisement|read more|follow us|subscribe|sign up|newsletter|comments?|print|email)\s*:?$",
    re.IGNORECASE,
)


def is_contact(line: str) -> bool:
    """A line that is nothing but an e-mail address, a phone number or a URL (with separators)."""
    rest = _URL.sub("", _PHONE.sub("", _EMAIL.sub("", line)))
    return rest.strip(" \t|,;:-–—·•/") == "" and rest != line


def _is_trailer_line(line: str) -> bool:
    words = line.split()
    label = len(words) <= 3 and not re.search(r"[.!?…\"”’]$", line)
    return not words or is_contact(line) or bool(_FURNITURE.match(line)) or label


def strip_boilerplate(text: str) -> str:
    """Drop contact-only and navigation lines anywhere, and the run of short label lines at the end.

    A trailer such as "All Categories / Tags / +1316… / someone@example.com" never reaches the
    model; a short line inside the article (a subheading) stays.
    """
    lines = [line.strip() for line in text.split("\n")]
    kept = [line for line in lines if not (is_contact(line) or _FURNITURE.match(line))]
    while kept and _is_trailer_line(kept[-1]):
        kept.pop()
    return "\n".join(kept).strip() + "\n" if kept else ""
