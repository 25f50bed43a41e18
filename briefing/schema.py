"""The briefing schema (v1): what the model must return, validated by pydantic."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

SCHEMA_VERSION = 1
CITATION_PATTERN = r"^[1-9][0-9]*\.[1-9][0-9]*$"
# Above this many sentences the citation enum makes grammars and requests too large; a pattern
# is sent instead and the pipeline's own check still rejects unknown ids.
MAX_ENUM_IDS = 600
# A named actor's role: a phrase of three words or more ("Secretary of State on his last trip"), up
# to about 80 characters; a single word came out as a label ("Country", "Organization").
# No braces either: the small model once tried to close the JSON inside a role ("… region}}},").
ROLE_PATTERN = r'^[^"\\\[\]{}\x00-\x1f ]{1,20} [^"\\\[\]{}\x00-\x1f ]{1,20} [^"\\\[\]{}\x00-\x1f]{1,40}$'
# A stance, as the answer is asked for it: three words or more. One word ("neutral") says nothing an
# analyst can use, and two actors' one-word stances are the same field twice.
STANCE_PATTERN = r'^[^"\\\[\]{}\x00-\x1f ]{1,30} [^"\\\[\]{}\x00-\x1f ]{1,30} [^"\\\[\]{}\x00-\x1f]{1,170}$'
# Where these patterns stop a text: the length of what follows its first two words (see `mark_cut_text`).
PATTERN_TAILS = {("Actor", "role"): 40, ("Position", "stance"): 170}
# Words a finished phrase does not end on: a text near its pattern's cap that ends on one was
# stopped there because the next word did not fit ("… pressure from Russia on").
_DANGLING = {"a", "an", "the", "of", "to", "on", "in", "at", "for", "with", "by", "from", "and", "or", "but",
             "which", "who", "that", "is", "are", "was", "were", "has", "have", "had", "its", "their", "as", "into"}

CitationId = Annotated[str, StringConstraints(pattern=CITATION_PATTERN)]
# The same id cited twice is cited once.
Citations = Annotated[list[CitationId], Field(min_length=1, max_length=2),
                      AfterValidator(lambda ids: list(dict.fromkeys(ids)))]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
# A signpost in words, at least two: small models otherwise fill it with sentence ids ("1.17"), a
# key's name ("citations") or a bare name. The pattern also keeps quotes, brackets, backslashes and
# control characters out, as regex-built grammars would not escape them.
SIGNPOST_PATTERN = r'^[^0-9"\\\[\]:\x00-\x1f ][^"\\\[\]:\x00-\x1f ]{0,29} [^"\\\[\]:\x00-\x1f]{1,80}$'
Signpost = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SIGNPOST_PATTERN)]
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
    "person",  # the kinds below are what the name finder can tell (see `actors.KINDS`)
    "organisation",
    "group",
    "other",
]
Horizon = Literal["weeks", "months", "years"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actor(_Strict):
    name: Short
    kind: ActorKind
    # None: an actor the briefing lists as named in the sources, without a role in the model's
    # words (the model describes only the first `Length.described_actors`; see `cite_actors`).
    role: Text | None = None
    # Not asked for when the actors are the names the sources write (see `json_schema`): it measured
    # as the field small models copy most, the same words under every actor.
    interests: Text | None = None
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
    actors: Annotated[list[Actor], Field(min_length=1, max_length=24)]
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
    include all of its words or the other way round, ignoring case ("Duarte" → "Ana Duarte").
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
    # A model that lists the actors itself gives each one a role.
    actor = schema["$defs"]["Actor"]
    actor["properties"]["role"] = next(t for t in actor["properties"]["role"]["anyOf"] if t["type"] == "string")
    actor["required"] = [*actor["required"][:2], "role", *actor["required"][2:]]
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
    # When the actors are the names the sources write most (see `actors.find`): how many the
    # briefing lists, and how many of those the model describes (a role costs output tokens; the
    # others are listed as named, citing their mentions).
    named_actors: int
    described_actors: int
    positions: int
    risks: int
    open_questions: int
    timeline: int

    def limits(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in ("actors", "positions", "risks", "open_questions", "timeline")}


LENGTHS = {
    length.name: length
    for length in (
        Length("short", actors=3, named_actors=16, described_actors=12, positions=3, risks=2, open_questions=1,
               timeline=2),
        Length("standard", actors=4, named_actors=20, described_actors=16, positions=4, risks=3, open_questions=2,
               timeline=3),
        # The schema's maxima.
        Length("long", actors=8, named_actors=24, described_actors=16, positions=8, risks=5, open_questions=4,
               timeline=6),
    )
}


def json_schema(citation_ids: list[str] | None = None, dates: dict[str, list[str]] | None = None,
                length: Length | None = None, actor_names: list[str] | None = None,
                described: int | None = None) -> dict[str, Any]:
    """The JSON schema sent to the backend. Citations may name only real sentence ids; a timeline
    event takes a date the sources write and cites only sentences that write that date (sources
    without dates get an empty timeline).

    Args:
        citation_ids: the ids of every numbered source sentence; None keeps the generic pattern.
        dates: date expressions found in the sources with the ids of their sentences; None leaves
            the timeline free.
        length: how many items each list may hold (default: standard).
        actor_names: the briefing's actors, the names the sources write most (see `actors.find`):
            the answer gives each one's role, keyed by name, and positions and affected actors
            may name only these (kinds and citations are added by `cite_actors`).
        described: how many of `actor_names`, from the first, get a role (default: all).
    """
    schema = copy.deepcopy(_BASE)
    defs = schema["$defs"]
    for field_name, most in (length or LENGTHS["standard"]).limits().items():
        schema["properties"][field_name]["maxItems"] = most
    if citation_ids and len(citation_ids) <= MAX_ENUM_IDS:
        for name in ("Actor", "Position", "Risk", "OpenQuestion", "TimelineEvent"):
            defs[name]["properties"]["citations"]["items"] = {"enum": list(citation_ids), "type": "string"}
    if dates:
        # The date first, from those the sources write, then only the sentences that write it,
        # then what happened: one alternative per date, so the date and its evidence agree.
        # (Measured on bench/quality.py: 3/4 events paired right; asked for the event first, 0/2.)
        event = defs.pop("TimelineEvent")["properties"]
        citations = event["citations"]
        defs["EventText"] = event["event"]
        defs["TimelineEvent"] = {"anyOf": [
            {"type": "object", "additionalProperties": False, "required": ["date", "citations", "event"],
             "properties": {"date": {"enum": [date], "type": "string"},  # enum: more servers know it than const
                            "citations": {**citations, "items": {"enum": ids, "type": "string"}},
                            "event": {"$ref": "#/$defs/EventText"}}}
            for date, ids in dates.items()]}
    elif dates is not None:
        schema["properties"]["timeline"]["maxItems"] = 0
    defs["Position"]["properties"]["stance"]["pattern"] = STANCE_PATTERN
    if actor_names:
        names = {"enum": list(actor_names), "type": "string"}
        # The actors are these names, in this order: the model writes only each one's role, as an
        # object keyed by name that `cite_actors` turns back into the briefing's list.
        # {"role": …} rather than a bare string: keyed straight to a string, the small model
        # wrote labels ("actor", "issue") instead of roles.
        entry = {"type": "object", "additionalProperties": False, "required": ["role"],
                 "properties": {"role": {"type": "string", "pattern": ROLE_PATTERN}}}
        roles = list(actor_names[:described])
        schema["properties"]["actors"] = {"type": "object", "additionalProperties": False,
                                          "required": roles, "properties": dict.fromkeys(roles, entry)}
        defs["Position"]["properties"]["actor"] = {**names, "description": "One of the listed actors."}
        defs["Risk"]["properties"]["affected_actors"]["items"] = names
    return schema


def cite_actors(data: Any, actors: dict[str, tuple[str, list[str]]], also: list[str] | tuple[str, ...] = ()) -> Any:
    """Turn a decoded answer whose actors were the names the sources write (see
    `json_schema(actor_names=…)`: `{name: {"role": …}}`) back into the briefing's list.

    Args:
        actors: each name's kind and the ids of the sentences that name it (the first two are cited).
        also: the names listed without a role (`json_schema(described=…)`), added after the others.
    """
    if not (actors and isinstance(data, dict) and isinstance(data.get("actors"), dict)):
        return data
    listed = []
    for name, entry in data["actors"].items():
        kind, ids = actors.get(name, ("other", []))
        listed.append({**(entry if isinstance(entry, dict) else {"role": entry}), "name": name, "kind": kind,
                       "citations": ids[:2]})
    for name in also:
        if name not in data["actors"] and name in actors:
            kind, ids = actors[name]
            listed.append({"name": name, "kind": kind, "role": None, "citations": ids[:2]})
    data["actors"] = listed
    return data


_BASE = _base_schema()


def mark_cut_text(model: BaseModel) -> list[str]:
    """End text fields that stop exactly at their length cap with "…" at a word boundary.

    A grammar-constrained model is stopped mid-word when it reaches a field's maxLength
    ("before the minister's 2"); the reader should see that the text was cut. Returns the fields marked.
    """
    marked = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        limit = next((m.max_length for m in info.metadata if isinstance(m, StringConstraints)), None)
        tail = PATTERN_TAILS.get((type(model).__name__, name))
        if isinstance(value, str) and limit and len(value) >= limit:
            head = value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
            setattr(model, name, head + "…")
            marked.append(name)
        elif isinstance(value, str) and tail and not value.endswith("…") and (cut := _pattern_cut(value, tail)):
            setattr(model, name, cut)
            marked.append(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                marked += [f"{name}.{sub}" for sub in mark_cut_text(item)]
    return marked


def _pattern_cut(text: str, tail: int) -> str | None:
    """The text marked cut if a pattern that caps what follows its first two words at `tail`
    characters (`json_schema`) stopped it, else None. Stopped at the cap, maybe mid-word ("and a
    formerU"), the last word goes; stopped within a long word of the cap on a comma or a word a
    phrase does not end on ("… from Russia on"), the last word is whole. Dangling words go too."""
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
