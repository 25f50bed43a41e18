"""Checks of what a briefing says that its schema cannot express: fields that repeat each other,
signposts that are only a name, timeline dates the cited sentence does not write, and strings
taken from instructions hidden in a source; and the marks on texts a length cap cut.

Each problem is phrased for the repair prompt; what a repair leaves is shown to the reader as a
warning, and text that carries a hidden instruction's strings is dropped (`drop_smuggled`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .injection import smuggled as _smuggled
from .schema import Briefing, written_texts
from .sources import Source

# Two free-text fields whose word sets overlap this much say the same thing.
REPEAT_JACCARD = 0.8
_WORD = re.compile(r"\w+")


def problems(briefing: Briefing, sentences: dict[str, str]) -> list[str]:
    """Every content problem a reader should know of, one line each (empty when there is none)."""
    return [*_repeats(briefing), *_bare_names(briefing), *_loose_dates(briefing, sentences)]


def taken_from_instructions(briefing: Briefing, sources: list[Source]) -> list[str]:
    """Fields carrying strings of an instruction hidden in a source (or codes and links from
    nowhere), phrased for the repair prompt."""
    return [f"{path} carries {', '.join(map(repr, found))} from text that is not the article (an instruction "
            "aimed at AI, or made up): leave it out" for path, found in smuggled(briefing, sources).items()]


def smuggled(briefing: Briefing, sources: list[Source]) -> dict[str, list[str]]:
    """Model-written fields that carry distinctive strings found only in sentences flagged as
    instructions to AI, or codes, links and addresses found nowhere in the sources."""
    if not sources:
        return {}
    flagged = " ".join(s.text for src in sources for s in src.sentences if s.ai_directed)
    article = " ".join(s.text for src in sources for s in src.sentences if not s.ai_directed)
    return _smuggled({t.path: t.text for t in written_texts(briefing)}, article, flagged)


# What stands in for a required text that had to be dropped.
WITHHELD = "(withheld: it repeated text from an instruction hidden in a source)"


def drop_smuggled(briefing: Briefing, sources: list[Source]) -> list[str]:
    """Remove, in place, every item whose text still carries smuggled strings after the repair:
    list items go (with positions and risks that name a dropped actor); the title, bottom line
    and context are replaced. Returns a warning for each."""
    carried = smuggled(briefing, sources)
    warnings = []
    items: dict[str, set[int]] = {}
    for path, found in carried.items():
        warnings.append(f"{path} dropped: it carried {', '.join(map(repr, found))} from an instruction aimed at AI "
                        "or from nowhere in the sources")
        head = path.split(".")[0]
        if "[" in head:
            name, index = head.rstrip("]").split("[")
            items.setdefault(name, set()).add(int(index))
        elif head == "title":
            briefing.title = sources[0].title[:100] if sources else "Briefing"
        elif head in ("bottom_line", "context"):
            setattr(briefing, head, WITHHELD)
    for name, indexes in items.items():
        kept = [item for i, item in enumerate(getattr(briefing, name)) if i not in indexes]
        setattr(briefing, name, kept)
    names = {a.name for a in briefing.actors}
    briefing.positions = [p for p in briefing.positions if p.actor in names]
    for risk in briefing.risks:
        risk.affected_actors = [a for a in risk.affected_actors if a in names]
    return warnings


# Words too common to tell two sentences apart.
_COMMON = {"that", "this", "with", "from", "have", "been", "were", "will", "would", "their", "they", "before",
           "after", "later", "about", "also", "into", "than", "which", "when", "while", "said", "says"}


def _telling(text: str) -> set[str]:
    return {w for w in _words(text) if len(w) > 3 and w not in _COMMON}


def drop_miscited_events(briefing: Briefing, sentences: dict[str, str], dates: dict[str, list[str]]) -> list[str]:
    """Remove, in place, every timeline event that did not happen on its date: its text comes from
    another sentence than the ones it cites (at most two telling words shared with them, four or
    more and three times as many with that sentence), and that sentence writes a calendar date (a
    year, a month) other than the event's, or no date at all. An event taken from a sentence with
    only a relative date ("a day after" Tuesday) is kept: it may be the day the event cites.
    Returns a warning for each.

    Args:
        dates: the dates the sources write, with the ids of the sentences writing each
            (`sources.date_mentions`).
    """
    written: dict[str, set[str]] = {}
    for date, ids in dates.items():
        if any(ch.isdigit() for ch in date):  # every calendar date `date_mentions` finds has a digit; "Monday" none
            for sid in ids:
                written.setdefault(sid, set()).add(date)
    dated = {sid for ids in dates.values() for sid in ids}
    kept, warnings = [], []
    for i, event in enumerate(briefing.timeline):
        words = _telling(event.event) - _telling(event.date)
        own = len(words & set().union(*(_telling(sentences.get(c, "")) for c in event.citations)))
        shared = {sid: len(words & _telling(text)) for sid, text in sentences.items() if sid not in event.citations}
        source = max(shared, key=lambda sid: shared[sid], default=None)
        if source is None or own > 2 or shared[source] < max(4, 3 * own):
            kept.append(event)
        elif source not in dated:
            warnings.append(f"timeline[{i}] dropped: {event.event!r} is what sentence {source} says, which writes "
                            f"no date, not {event.date!r}")
        elif written.get(source) and event.date not in written[source]:
            warnings.append(f"timeline[{i}] dropped: {event.event!r} is what sentence {source} says, dated "
                            f"{', '.join(sorted(written[source]))} there, not {event.date!r}")
        else:
            kept.append(event)
    briefing.timeline = kept
    return warnings


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def repeats(text: str, other: str) -> bool:
    """Whether one text says what another does: the same words, as sets (Jaccard ≥ 0.8)."""
    words, other_words = _words(text), _words(other)
    union = words | other_words
    return bool(union) and len(words & other_words) / len(union) >= REPEAT_JACCARD


def _repeats(briefing: Briefing) -> Iterator[str]:
    fields = [(t.path, t.text) for t in written_texts(briefing) if t.written.free]
    for i, (path, text) in enumerate(fields):
        for other, other_text in fields[:i]:
            if repeats(text, other_text):
                yield f"{path} repeats {other}: write something that {other} does not already say"
                break


def _bare_names(briefing: Briefing) -> Iterator[str]:
    names = [_words(a.name) for a in briefing.actors]
    for i, risk in enumerate(briefing.risks):
        for j, signpost in enumerate(risk.indicators):
            parts = [_words(p) for p in re.split(r"\s*(?:[;,&/]|\band\b)\s*", signpost) if p.strip()]
            if parts and all(part and any(part <= name for name in names) for part in parts):
                yield (f"risks[{i}].indicators[{j}] ({signpost!r}) is only a name: write an observable event "
                       "to watch for, such as a decision, a vote or a statement")


def _loose_dates(briefing: Briefing, sentences: dict[str, str]) -> Iterator[str]:
    for i, event in enumerate(briefing.timeline):
        cited = " ".join(sentences.get(c, "") for c in event.citations).casefold()
        if event.date.casefold() not in cited:
            yield (f"timeline[{i}]: the date {event.date!r} is not written in its cited sentence(s) "
                   f"{', '.join(event.citations)}: cite the sentence that writes the date, and describe what "
                   "happened on that date")


# Words a finished phrase does not end on: a text near its pattern's cap that ends on one was
# stopped there because the next word did not fit ("… pressure from Russia on").
_DANGLING = {"a", "an", "the", "of", "to", "on", "in", "at", "for", "with", "by", "from", "and", "or", "but",
             "which", "who", "that", "is", "are", "was", "were", "has", "have", "had", "its", "their", "as", "into"}


def mark_cut_text(briefing: Briefing) -> list[str]:
    """End texts that a length cap stopped with "…" at a word boundary; returns their paths.

    A grammar-constrained model is stopped mid-word when it reaches a field's maxLength ("before
    the minister's 2"), or short of a three-word pattern's cap when the next word does not fit
    (`Written.tail`); the reader should see that the text was cut.
    """
    marked = []
    for text in written_texts(briefing):
        value, limit, tail = text.text, text.max_length, text.written.tail
        if limit and len(value) >= limit:
            text.replace(value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—") + "…")
        elif tail and not value.endswith("…") and (cut := _pattern_cut(value, tail)):
            text.replace(cut)
        else:
            continue
        marked.append(text.path)
    return marked


def _pattern_cut(text: str, tail: int) -> str | None:
    """The text marked cut if a pattern that caps what follows its first two words at `tail`
    characters stopped it, else None. Stopped at the cap, maybe mid-word ("and a formerU"), the
    last word goes; stopped within a long word of the cap on a comma or a word a phrase does not
    end on ("… from Russia on"), the last word is whole. Dangling words go too."""
    words = text.split(" ")
    at_cap = len(text.split(" ", 2)[-1]) >= tail
    near = len(text.split(" ", 2)[-1]) >= tail - 15 and len(words) > 3
    if not (at_cap or near and (words[-1].casefold() in _DANGLING or words[-1].endswith((",", ";")))):
        return None
    if at_cap:
        words.pop()
    while len(words) > 3 and words[-1].casefold().strip(",;:") in _DANGLING:  # "…, which has"
        words.pop()
    return " ".join(words).rstrip(" ,;:-–—") + "…"
