"""The briefing schema (v1): what the model must return, validated by pydantic.

The pydantic models are the one definition of a briefing: length caps, patterns, which fields
cite sentences and which texts the model writes in its own words (`Written`, walked by
`written_texts`). The JSON schema sent to the model is derived from them (`request_schema`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

SCHEMA_VERSION = 1
CITATION_PATTERN = r"^[1-9][0-9]*\.[1-9][0-9]*$"
# A named actor's role: a phrase of three words or more ("Secretary of State on his last trip"), up
# to about 80 characters; a single word came out as a label ("Country", "Organization"). Measured:
# at 60 characters after the first two words the sample's output ran 10% longer with no role better,
# and two roles came out the same; the local sampler closes a role at a phrase end before the cap.
# No braces either: the small model once tried to close the JSON inside a role ("… region}}},").
ROLE_PATTERN = r'^[^"\\\[\]{}\x00-\x1f ]{1,20} [^"\\\[\]{}\x00-\x1f ]{1,20} [^"\\\[\]{}\x00-\x1f]{1,40}$'
# A role the sources give in their own words (`actors.Candidate.source_role`, filled in by the
# pipeline, never by the model) may be a title of one word ("President") or run longer: "spokesman
# for the Pennsylvania Department of Transportation". The model's own roles keep ROLE_PATTERN (the
# request schema sends it).
SOURCE_ROLE_PATTERN = r'^[^"\\\[\]{}\x00-\x1f ]{1,30}(?: [^"\\\[\]{}\x00-\x1f]{1,120})?$'
# Words a role in the sources' words does not end on: cut there, it is not the phrase the sentence
# gives ("economist at"). The actor finder does not take such a role, nor the quote check.
ROLE_OPEN_END = frozenset({"a", "an", "the", "and", "or", "of", "in", "at", "for", "with", "to", "on", "from", "by",
                           "as"})
# A stance: three words or more. One word ("neutral") says nothing an analyst can use, and two
# actors' one-word stances are the same field twice.
STANCE_PATTERN = r'^[^"\\\[\]{}\x00-\x1f ]{1,30} [^"\\\[\]{}\x00-\x1f ]{1,30} [^"\\\[\]{}\x00-\x1f]{1,170}$'
# A signpost in words, at least two: small models otherwise fill it with sentence ids ("1.17"), a
# key's name ("citations") or a bare name. The pattern also keeps quotes, brackets, backslashes and
# control characters out, as regex-built grammars would not escape them.
SIGNPOST_PATTERN = r'^[^0-9"\\\[\]:\x00-\x1f ][^"\\\[\]:\x00-\x1f ]{0,29} [^"\\\[\]:\x00-\x1f]{1,80}$'

# Each pattern in words, for the repair prompt: a model reads rules better than regular expressions.
PATTERN_RULES = {
    CITATION_PATTERN: "cite a sentence id such as 1.4",
    ROLE_PATTERN: "write three words or more, at most about 80 characters, without quotes, brackets, braces or "
                  "backslashes",
    SOURCE_ROLE_PATTERN: "write one word or more, at most about 150 characters, without quotes, brackets, braces "
                         "or backslashes",
    STANCE_PATTERN: "write three words or more, at most about 230 characters, without quotes, brackets, braces or "
                    "backslashes",
    SIGNPOST_PATTERN: "write an observable event in two words or more, not opening with a digit, without quotes, "
                      "brackets, colons or backslashes",
}


@dataclass(frozen=True)
class Written:
    """Field metadata: text the model writes in its own words (the copy checks, the checks for
    instructions' strings and the cut marks read it).

    Attributes:
        free: a sentence a reader expects to say something new (a repeat of another is a fault);
            else a label (a title, a name, an issue, a date).
        tail: for a field whose pattern caps what follows its first words, that cap (where the
            pattern stops a text; see `content.mark_cut_text` and `steering`).
        lead: how many words come before the capped part (two for a role or a stance, one for a
            signpost).
    """

    free: bool
    tail: int | None = None
    lead: int = 2


LABEL = Written(free=False)
FREE = Written(free=True)


class Cited:
    """Field metadata: the ids of the sentences an item cites."""


CitationId = Annotated[str, StringConstraints(pattern=CITATION_PATTERN)]
# The same id cited twice is cited once.
Citations = Annotated[list[CitationId], Field(min_length=1, max_length=2),
                      AfterValidator(lambda ids: list(dict.fromkeys(ids))), Cited()]
# The sentences a bottom line or context quotes, when it is theirs (`overview`); none when the model
# wrote it.
Quoted = Annotated[list[CitationId], Field(max_length=2), AfterValidator(lambda ids: list(dict.fromkeys(ids))),
                   Cited()]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
# Two sentences: measured, a bottom line ran to the 240 characters of `Text` in 12 of 30 briefings.
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]
Role = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240,
                                        pattern=SOURCE_ROLE_PATTERN)]
Stance = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240, pattern=STANCE_PATTERN)]
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
    name: Annotated[Short, LABEL]
    kind: ActorKind
    # None: an actor the briefing lists as named in the sources, without a role. Where the actors are
    # the names the sources write, a role is the sources' own words (`actors.Candidate.source_role`,
    # see `request_schema.from_answer`) and the model writes none.
    role: Annotated[Role | None, Written(free=True, tail=40)] = None
    # Not asked for when the actors are the names the sources write (see `request_schema`): it
    # measured as the field small models copy most, the same words under every actor.
    interests: Annotated[Text | None, FREE] = None
    citations: Citations


class Position(_Strict):
    actor: Short = Field(description="Exactly the name of a listed actor.")
    issue: Annotated[Short, LABEL]
    stance: Annotated[Stance, Written(free=True, tail=170)]
    citations: Citations


class Risk(_Strict):
    title: Annotated[Short, LABEL]
    description: Annotated[Text, FREE]
    likelihood: Level
    impact: Level
    horizon: Horizon
    indicators: Annotated[list[Signpost], Field(min_length=1, max_length=2), Written(free=False, tail=80, lead=1)]
    affected_actors: Annotated[list[Short], Field(max_length=3)]
    citations: Citations


class OpenQuestion(_Strict):
    question: Annotated[Short, FREE]
    why_it_matters: Annotated[Text, FREE]
    what_would_resolve_it: Annotated[Text, FREE]
    citations: Citations


class TimelineEvent(_Strict):
    # Event and evidence come before the date: a model then picks the date from what it cited.
    event: Annotated[Text, FREE]
    citations: Citations
    date: Annotated[Short, LABEL] = Field(description="As written in the cited sentence.")


class Briefing(_Strict):
    """A policy briefing; every item cites sentence ids of the sources."""

    title: Annotated[Short, LABEL]
    bottom_line: Annotated[Paragraph, FREE]
    context: Annotated[Paragraph, FREE]
    # Where the bottom line and context are sentences of the sources (`overview`), the ones they quote.
    bottom_line_citations: Quoted = []
    context_citations: Quoted = []
    actors: Annotated[list[Actor], Field(min_length=1, max_length=24)]
    positions: Annotated[list[Position], Field(max_length=10)]
    # A request asks for at least one of each (`request_schema`); the support check may drop the
    # last one the sources do not bear out.
    risks: Annotated[list[Risk], Field(max_length=5)]
    open_questions: Annotated[list[OpenQuestion], Field(max_length=4)]
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
        return list(dict.fromkeys(i for _, ids in _walk(self, "", Cited) for i in ids))


def most(field_name: str) -> int:
    """The most items a briefing's list field may hold."""
    return next(int(m.max_length) for m in Briefing.model_fields[field_name].metadata if hasattr(m, "max_length"))


@dataclass
class WrittenText:
    """One text the model wrote, where it sits, and how to replace it."""

    path: str  # "title", "actors[0].role", "risks[1].indicators[0]"
    text: str
    written: Written
    max_length: int | None
    _owner: BaseModel
    _name: str
    _index: int | None

    def replace(self, text: str) -> None:
        """Put `text` in this text's place."""
        if self._index is None:
            setattr(self._owner, self._name, text)
        else:
            getattr(self._owner, self._name)[self._index] = text
        self.text = text


def written_texts(briefing: Briefing) -> list[WrittenText]:
    """Every text the model wrote in its own words, by path, in the order of the schema (quotes are
    copied from the sources, kinds and levels are chosen from lists, citations are ids)."""
    return [text for text, _ in _walk(briefing, "", Written)]


def _walk(model: BaseModel, prefix: str, marker: type[Any]) -> Iterator[tuple[Any, Any]]:
    """(item, value) for every field of `model`, and of the models it holds, whose metadata has a
    `marker`: a `WrittenText` for `Written` (one per string of a list), the field's value else."""
    for name, info in type(model).model_fields.items():
        value, path = getattr(model, name), f"{prefix}{name}"
        found = next((m for m in info.metadata if isinstance(m, marker)), None)
        if found is not None and marker is Written:
            items = [(None, value)] if not isinstance(value, list) else list(enumerate(value))
            for index, item in items:
                if isinstance(item, str):
                    where = path if index is None else f"{path}[{index}]"
                    yield WrittenText(where, item, found, _max_length(info), model, name, index), item
        elif found is not None:
            yield value, value
        for index, item in enumerate(value) if isinstance(value, list) else []:
            if isinstance(item, BaseModel):
                yield from _walk(item, f"{path}[{index}].", marker)


def _max_length(info: Any) -> int | None:
    """The length cap of a string field (or of the string of an optional one)."""
    constraints = [m for m in info.metadata if isinstance(m, StringConstraints)]
    for arg in get_args(info.annotation):
        constraints += [m for m in getattr(arg, "__metadata__", ()) if isinstance(m, StringConstraints)]
    return next((c.max_length for c in constraints if c.max_length), None)


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


def text_limits() -> dict[str, tuple[int | None, Written]]:
    """Each model-written field's name (as the request's JSON writes it: "role", "stance",
    "indicators") with its length cap and its `Written` metadata, from every model of a briefing."""
    limits: dict[str, tuple[int | None, Written]] = {}
    for model in (Briefing, Actor, Position, Risk, OpenQuestion, TimelineEvent):
        for name, info in model.model_fields.items():
            written = next((m for m in info.metadata if isinstance(m, Written)), None)
            if written is not None:
                limits.setdefault(name, (_max_length(info), written))
    return limits
