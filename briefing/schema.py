"""The briefing schema (v1): what the model must return, validated by pydantic."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SCHEMA_VERSION = 1
CITATION_PATTERN = r"^[1-9][0-9]*\.[1-9][0-9]*$"
# Above this many sentences the citation enum makes grammars and requests too large; a pattern
# is sent instead and the pipeline's own check still rejects unknown ids.
MAX_ENUM_IDS = 600

CitationId = Annotated[str, StringConstraints(pattern=CITATION_PATTERN)]
Citations = Annotated[list[CitationId], Field(min_length=1, max_length=2)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
# A signpost in words: small models otherwise fill it with sentence ids ("1.17"). The pattern
# also keeps quotes and backslashes out, as regex-built grammars would not escape them.
Signpost = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r'^[^0-9"\\\[\]][^"\\\[\]]{0,99}$')]
Level = Literal["low", "medium", "high"]
ActorKind = Literal[
    "government",
    "official",
    "international_org",
    "political_party",
    "military",
    "armed_group",
    "ngo_or_think_tank",
    "company",
    "media",
    "public",
    "other",
]
Horizon = Literal["weeks", "months", "years"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actor(_Strict):
    name: Short
    kind: ActorKind
    role: Text
    interests: Text
    citations: Citations


class Position(_Strict):
    actor: Short = Field(description="Exactly the name of a listed actor.")
    issue: Short
    stance: Text
    citations: Citations


class Risk(_Strict):
    title: Short
    description: Text
    likelihood: Level
    impact: Level
    horizon: Horizon
    indicators: Annotated[list[Signpost], Field(min_length=1, max_length=2)]
    affected_actors: Annotated[list[Short], Field(max_length=3)]
    citations: Citations


class OpenQuestion(_Strict):
    question: Short
    why_it_matters: Text
    what_would_resolve_it: Text
    citations: Citations


class TimelineEvent(_Strict):
    # Event and evidence come before the date: a model then picks the date from what it cited.
    event: Text
    citations: Citations
    date: Short = Field(description="As written in the cited sentence.")


class Briefing(_Strict):
    """A policy briefing; every item cites sentence ids of the sources."""

    title: Short
    bottom_line: Text
    context: Text
    actors: Annotated[list[Actor], Field(min_length=1, max_length=8)]
    positions: Annotated[list[Position], Field(max_length=8)]
    risks: Annotated[list[Risk], Field(min_length=1, max_length=5)]
    open_questions: Annotated[list[OpenQuestion], Field(min_length=1, max_length=4)]
    timeline: Annotated[list[TimelineEvent], Field(max_length=6)]

    @model_validator(mode="after")
    def _positions_name_listed_actors(self) -> Briefing:
        names = [a.name for a in self.actors]
        unknown = []
        for position in self.positions:
            match = listed_name(position.actor, names)
            if match is None:
                unknown.append(position.actor)
            else:
                position.actor = match
        for risk in self.risks:
            risk.affected_actors = [listed_name(n, names) or n for n in risk.affected_actors]
        if unknown:
            listed = ", ".join(names)
            raise ValueError(f"positions name actors not in actors[]: {', '.join(unknown)} (listed: {listed})")
        return self

    def citation_ids(self) -> list[str]:
        """Every cited id, in order of first appearance."""
        seen: dict[str, None] = {}
        items: list[Any] = [*self.actors, *self.positions, *self.risks, *self.open_questions]
        for item in [*items, *self.timeline]:
            seen.update(dict.fromkeys(item.citations))
        return list(seen)


def listed_name(name: str, names: list[str]) -> str | None:
    """The listed actor `name` refers to: an exact match, or the one listed name whose words
    include all of its words or the other way round, ignoring case ("Blinken" → "Antony Blinken").
    None when no listed name, or more than one, fits."""
    if name in names:
        return name
    words = set(_WORD.findall(name.casefold()))
    fits = []
    for candidate in names:
        other = set(_WORD.findall(candidate.casefold()))
        if words and other and (words <= other or other <= words):
            fits.append(candidate)
    return fits[0] if len(fits) == 1 else None


_WORD = re.compile(r"\w+")


def _base_schema() -> dict[str, Any]:
    schema = Briefing.model_json_schema()
    _drop_titles(schema)
    return schema


def _drop_titles(node: Any) -> None:
    """Pydantic's auto titles add tokens to every request and help no model."""
    if isinstance(node, dict):
        if isinstance(node.get("title"), str):
            del node["title"]
        for value in node.values():
            _drop_titles(value)
    elif isinstance(node, list):
        for value in node:
            _drop_titles(value)


@dataclass(frozen=True)
class Length:
    """How many items of each list a briefing asks for; output tokens are what local runs wait for."""

    name: str
    actors: int
    positions: int
    risks: int
    open_questions: int
    timeline: int

    def limits(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in ("actors", "positions", "risks", "open_questions", "timeline")}


LENGTHS = {
    length.name: length
    for length in (
        Length("short", actors=3, positions=3, risks=2, open_questions=2, timeline=2),
        Length("standard", actors=4, positions=4, risks=3, open_questions=2, timeline=3),
        Length("long", actors=8, positions=8, risks=5, open_questions=4, timeline=6),  # the schema's maxima
    )
}


def json_schema(citation_ids: list[str] | None = None, dates: dict[str, list[str]] | None = None,
                length: Length | None = None, actor_names: list[str] | None = None) -> dict[str, Any]:
    """The JSON schema sent to the backend. Citations may name only real sentence ids; timeline
    events may cite only sentences that write a date, and use only dates the sources write
    (sources without dates get an empty timeline).

    Args:
        citation_ids: the ids of every numbered source sentence; None keeps the generic pattern.
        dates: date expressions found in the sources with the ids of their sentences; None leaves
            the timeline free.
        length: how many items each list may hold (default: standard).
        actor_names: the actors the sources name (see `actors.find`): actors, positions and
            affected actors may name only these, and an actor's citations are not asked for
            (they come from the sentences that name it, see `cite_actors`).
    """
    schema = copy.deepcopy(_BASE)
    defs = schema["$defs"]
    for field_name, most in (length or LENGTHS["standard"]).limits().items():
        schema["properties"][field_name]["maxItems"] = most
    if citation_ids and len(citation_ids) <= MAX_ENUM_IDS:
        for name in ("Actor", "Position", "Risk", "OpenQuestion", "TimelineEvent"):
            defs[name]["properties"]["citations"]["items"] = {"enum": list(citation_ids), "type": "string"}
    if dates:
        event = defs["TimelineEvent"]["properties"]
        event["date"] = {"enum": list(dates), "type": "string", "description": event["date"]["description"]}
        dated_ids = list(dict.fromkeys(i for ids in dates.values() for i in ids))
        event["citations"]["items"] = {"enum": dated_ids, "type": "string"}
    elif dates is not None:
        schema["properties"]["timeline"]["maxItems"] = 0
    if actor_names:
        names = {"enum": list(actor_names), "type": "string"}
        actor = defs["Actor"]
        actor["properties"]["name"] = names
        del actor["properties"]["citations"]
        actor["required"] = [r for r in actor["required"] if r != "citations"]
        defs["Position"]["properties"]["actor"] = {**names, "description": "One of the listed actors."}
        defs["Risk"]["properties"]["affected_actors"]["items"] = names
        actors = schema["properties"]["actors"]
        actors["minItems"] = min(actors["maxItems"], len(actor_names))  # a short list forgets who matters
    return schema


def cite_actors(data: Any, mentions: dict[str, list[str]]) -> Any:
    """Complete a decoded answer whose actor names were limited to the names the sources write
    (see `json_schema(actor_names=…)`): each actor cites the sentences that name it, and a position
    on one of those names that the answer did not list as an actor is left out (the schema can
    only allow every name the sources write, not just the ones the answer chose)."""
    if not (mentions and isinstance(data, dict) and isinstance(data.get("actors"), list)):
        return data
    listed = []
    for actor in data["actors"]:
        if isinstance(actor, dict) and actor.get("name") in mentions:
            listed.append(actor["name"])
            actor.setdefault("citations", mentions[actor["name"]][:2])
    if isinstance(data.get("positions"), list):
        data["positions"] = [p for p in data["positions"] if not (
            isinstance(p, dict) and p.get("actor") in mentions and listed_name(str(p["actor"]), listed) is None)]
    return data


_BASE = _base_schema()


def mark_cut_text(model: BaseModel) -> list[str]:
    """End text fields that stop exactly at their length cap with "…" at a word boundary.

    A grammar-constrained model is stopped mid-word when it reaches a field's maxLength
    ("prior to Trump's 2"); the reader should see that the text was cut. Returns the fields marked.
    """
    marked = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        limit = next((m.max_length for m in info.metadata if isinstance(m, StringConstraints)), None)
        if isinstance(value, str) and limit and len(value) >= limit:
            head = value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
            setattr(model, name, head + "…")
            marked.append(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                marked += [f"{name}.{sub}" for sub in mark_cut_text(item)]
    return marked
