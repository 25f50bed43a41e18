"""Re-checking a saved briefing against its sources: ids, quotes and hashes."""

from __future__ import annotations

from .document import BriefingDocument, SourceEntry
from .grounding import sentence_index
from .sources import Source


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
