"""Citations: every id must name a real sentence; quotes come from the sources, never the model."""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import Briefing
from .sources import Source


@dataclass(frozen=True)
class GroundingReport:
    """What the check found: cited ids, ids no source has, the quotes, and warnings for the reader."""

    cited: list[str]
    unknown: list[str]
    quotes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unknown

    def errors(self) -> list[str]:
        """One message per unknown id, phrased for the repair prompt."""
        return [f"citation {i!r} is not a sentence id of any source" for i in self.unknown]


def sentence_index(sources: list[Source]) -> dict[str, str]:
    """Every sentence id of every source, mapped to its text, in source order."""
    return {s.id: s.text for source in sources for s in source.sentences}


def check(briefing: Briefing, sources: list[Source]) -> GroundingReport:
    """Check every citation id against the sources and copy the cited sentences out of them."""
    index = sentence_index(sources)
    cited = briefing.citation_ids()
    unknown = [i for i in cited if i not in index]
    quotes = {i: index[i] for i in sort_ids(cited) if i in index}
    return GroundingReport(cited, unknown, quotes)


def sort_ids(ids: list[str]) -> list[str]:
    """Ids in document order: "1.2" before "1.10" before "2.1"."""
    return sorted(ids, key=lambda i: tuple(int(p) if p.isdigit() else 0 for p in i.split(".")))
