"""The bottom line and the context: sentences of the sources, in their words.

Where the actors are the names the sources write, the model does not write the bottom line and the
context: it chooses the sentences that state them (`request_schema.json_schema(overview=…)`), and
the briefing quotes those sentences, citing them (`request_schema.from_answer`). Written by the
embedded model, a bottom line put one leader's policy under another's name and ended on a list of
names, and a context stated what no sentence said; its judge could not tell (bench/RESULTS.md).
A sentence of the sources says what it says, and the reader sees where.

A sentence may open the briefing when it reads on its own: a whole sentence (not a headline), not a
question, not addressed to its reader ("you"), not the writer speaking ("we", outside a quote), in
the sources' voice (not opening on a quotation: one person's words are a position), not pointing
back at what came before (opening on "He", "This" or "But"; "he", "his" or "this success" among its
first words; "…, he said"; "those same years"; "for instance"), not cut off ("…"), and short enough
for the field (`schema.Paragraph`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sources import Source

# The briefing's texts that are sentences of the sources where the request offers them, with how
# many sentences each may quote.
QUOTING = {"bottom_line": 2, "context": 1}
MAX_CHARS = 320  # `schema.Paragraph`
MIN_WORDS = 6
LEADING = 4  # how many of each source's first such sentences the bottom line may quote
# Opening words that point back at what came before: the sentence does not read on its own.
# "This", "these" or "those" not of a time ("this week" is one).
_THIS = (r"\b(?:this|these|those|such)\b(?!\s+(?:year|years|week|weeks|month|months|morning|afternoon|evening|night|"
         r"weekend|quarter|season|summer|winter|spring|fall|autumn|decade|century|day|days|time)\b)")
_POINTS_BACK = re.compile(
    rf"^\W*(?:(?:he|she|it|its|they|them|their|his|her|that|there|here|but|and|so|yet|or|also|however|meanwhile|"
    rf"still|then|instead|both|neither|either|the\s+(?:latter|former))\b|{_THIS})", re.IGNORECASE)
_ADDRESSED = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
# The writer speaking ("We should all…"), outside a quote: an opinion, not what the sources report.
_WRITER = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Ww]e|[Uu]s|[Oo]urs?)\b")
_QUOTE = re.compile(r"“[^”]*”?|\"[^\"]*\"?")
# A sentence ends on a full stop or an exclamation, perhaps inside a quote: a headline or a label
# does not.
_ENDS = re.compile(r"(?<![.…])[.!][\"'”’)]*$")


# Within its first words, outside a quote: a person or thing the sentence before named ("During
# the campaign, he warned…", "Despite his complaints…", "…, he stated"), or "this" of something
# said before ("Despite this success"; "this week" is a time); anywhere, an example of what came
# before.
_OPENING_WORDS = 8
_REFERS = re.compile(rf"\b(?:he|she|they|him|her|them|his|hers|their|theirs)\b|{_THIS}", re.IGNORECASE)
_EXAMPLE = re.compile(r"\bfor (?:instance|example)\b", re.IGNORECASE)
# Anywhere outside a quote: words said by someone the sentence does not name ("…, he said"), or
# the same thing as before ("over those same two years").
_SAID = re.compile(r"\b(?:he|she|they)\s+(?:said|says|added|adds|told|tells|noted|notes|wrote|writes|argued|argues|"
                   r"warned|warns|explained|explains|stated|states|continued|insisted|recalled)\b", re.IGNORECASE)
_SAME = re.compile(r"\b(?:this|that|these|those)\s+same\b", re.IGNORECASE)
# Opening on a quotation: the words of one person, not the sources' own statement.
_QUOTED_OPENING = re.compile(r"^\W*?[“\"‘]")


def reads_alone(text: str) -> bool:
    """Whether a sentence can stand as a briefing's bottom line or context."""
    outside = _QUOTE.sub(" ", text)  # what the sentence says outside its quotes: who said them
    opening = " ".join(outside.split()[:_OPENING_WORDS])
    return (len(text) <= MAX_CHARS and len(text.split()) >= MIN_WORDS and "?" not in text
            and bool(_ENDS.search(text.strip())) and not _POINTS_BACK.match(text) and not _ADDRESSED.search(text)
            and not _WRITER.search(outside) and not _QUOTED_OPENING.match(text) and not _REFERS.search(opening)
            and not _SAID.search(outside) and not _SAME.search(outside) and not _EXAMPLE.search(text))


def find(sources: list[Source], shown: Collection[str]) -> dict[str, str]:
    """The sentences the model is shown that may open the briefing, by id, with their text, in
    reading order."""
    keep = set(shown)
    return {s.id: s.text for src in sources for s in src.sentences if s.id in keep and reads_alone(s.text)}


def choices(found: Mapping[str, str], leading: int = LEADING) -> dict[str, list[str]]:
    """The sentences each text may quote: for the bottom line the first `leading` of each source
    (news puts what matters most first; asked to choose among all of them, the embedded model chose
    an anecdote's "Today, the company employs 30 in the state"); for the context any of them."""
    lead: dict[str, list[str]] = {}
    for i in found:
        lead.setdefault(i.split(".")[0], []).append(i)
    return {"bottom_line": [i for ids in lead.values() for i in ids[:leading]], "context": list(found)}


def text_of(ids: Sequence[str], sentences: Mapping[str, str]) -> tuple[str, list[str]]:
    """The text the sentences `ids` make together, and the ids it quotes: each sentence once, in the
    order chosen, as many as fit the field."""
    used: list[str] = []
    text = ""
    for i in dict.fromkeys(ids):
        joined = f"{text} {sentences[i]}".strip()
        if len(joined) > MAX_CHARS:
            break
        text = joined
        used.append(i)
    return text, used


def quotes(text: str, ids: Sequence[str], sentences: Mapping[str, str]) -> bool:
    """Whether `text` is the sentences `ids`, word for word, in that order."""
    from .support import folded

    return bool(ids) and all(i in sentences for i in ids) and \
        folded(text) == folded(" ".join(sentences[i] for i in ids))
