"""Re-checking a saved briefing against its sources: ids, quotes and hashes, and on request what
each item claims (`verify_support`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .document import BriefingDocument, SourceEntry, SupportEntry
from .grounding import sentence_index
from .sources import Source

if TYPE_CHECKING:
    from .backends.base import Backend


def verify(document: BriefingDocument, sources: list[Source]) -> list[str]:
    """Every problem found, one line each; an empty list means the briefing holds.

    Checks that each listed source's sha256 matches the given file, every cited id names a
    sentence of the given sources, and every quote is that sentence's exact text.
    """
    problems = _hash_problems(document.sources, sources)
    text_of = sentence_index(sources)
    for cited in document.briefing.citation_ids():
        if cited not in text_of:
            problems.append(f"citation {cited}: no such sentence in the sources given")
        elif cited not in document.quotes:
            problems.append(f"citation {cited}: the briefing has no quote of it")
        elif document.quotes[cited] != text_of[cited]:
            problems.append(f"citation {cited}: the quoted text differs from the source")
    return problems


def _hash_problems(listed: list[SourceEntry], sources: list[Source]) -> list[str]:
    problems = []
    if len(listed) != len(sources):
        problems.append(f"the briefing lists {len(listed)} source(s) but {len(sources)} were given")
    for entry, source in zip(listed, sources, strict=False):
        if entry.sha256 != source.sha256:
            problems.append(f"source {entry.id} ({entry.origin}): sha256 differs from {source.origin}")
    return problems


def verify_support(document: BriefingDocument, sources: list[Source], judge: Backend) -> list[SupportEntry]:
    """Every model-written item of a saved briefing judged again against the sentences it cites; a
    position put together from the sentence parse (its actor and stance the parse's, as `generate`
    makes them) is held to the parse again, as `generate` holds it (`support.attributed`), and so
    is a risk (`support.stated`).

    Raises:
        BackendError: the judge's backend failed.
    """
    from . import actors, support
    from .pipeline import shown_ids
    from .settings import GenerateOptions

    shown = set(shown_ids(sources, GenerateOptions()))  # what `generate` shows the model by default
    stances = {c.name: c.stances for c in actors.find(sources, shown)} if document.briefing.positions else {}
    judged = support.judge(judge, support.claims(document.briefing), sentence_index(sources), stances=stances)
    return [SupportEntry(item=j.claim.item, claim=j.claim.text, verdict=j.verdict, judge=j.judge,
                         cited=list(j.claim.cited), action="kept", reason=j.reason) for j in judged]
