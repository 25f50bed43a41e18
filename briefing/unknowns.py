"""What the sources leave open: the sentences that say something is not known, not decided, not
said or disputed ("it is unclear whether…", "the ministry did not provide details", "the Kremlin
denied the call took place", a question the text asks).

An open question of the briefing, where the actors are the names the sources write, cites one of
these sentences (`request_schema.json_schema(unknowns=…)`): a small model asked for open
questions asked its own ("Why is it important to have reliable transportation?"), which its
cited sentences do not raise; its judge found 1 of 10 supported (bench/RESULTS.md). The model
still writes the question; the support judge holds it to the sentence.

Words alone, no parse: English wording, as the rest of the parse-based reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sources import Source

_SAID = ("say|said|comment|commented|disclose|disclosed|confirm|confirmed|specify|specified|elaborate|explain|"
         "explained|provide|provided|give|given|respond|responded|answer|answered|admit|admitted|deny|decide|"
         "decided|detail|detailed|reveal|revealed|announce|announced")
UNSETTLED = re.compile(
    r"\?"  # a question the text asks
    r"|\b(?:unclear|uncertain(?:ty)?|unknown|undecided|unresolved|unanswered|unconfirmed|unexplained|unverified)\b"
    r"|\bnot\s+(?:yet\s+)?(?:clear|known|certain|decided|confirmed|determined|settled)\b"
    r"|\bremain(?:s|ed)?\s+to\s+be\s+seen\b|\byet\s+to\b|\bwhether\b"
    r"|\b(?:declined|refused|declines|refuses)\s+to\s+(?:say|comment|disclose|confirm|specify|elaborate|explain|"
    r"discuss|answer|give)\b"
    rf"|\b(?:did|does|do|has|have|had|would|will|could)\s*(?:not|n['’]t)\s+(?:yet\s+)?(?:{_SAID})\b"
    r"|\b(?:allegedly|reportedly|purportedly|denied|denies|refuted|refutes|disputed|disputes|contested)\b",
    re.IGNORECASE)


def find(sources: list[Source], shown: Iterable[str] | None = None) -> list[str]:
    """The ids of the sentences (of those in `shown`, when given) that leave something open, in
    reading order."""
    allowed = set(shown) if shown is not None else None
    return [s.id for src in sources for s in src.sentences
            if (allowed is None or s.id in allowed) and UNSETTLED.search(s.text)]
