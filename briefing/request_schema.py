"""The JSON schema sent to the model, derived from the briefing's pydantic models (`schema`):
the citation ids a request may use, the dates of its timeline, its actors and its length.

What the answer is validated against is the pydantic model itself; everything here only narrows
it for one request (an enum of real ids, the listed names), so an answer the request schema
allows is one the model accepts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .grounding import sort_ids
from .overview import QUOTING, text_of
from .possibility import Possibility
from .schema import ROLE_PATTERN, Briefing, most

# Above this many sentences the citation enum makes grammars and requests too large; a pattern
# is sent instead and the pipeline's own check still rejects unknown ids.
MAX_ENUM_IDS = 600


def _base_schema() -> dict[str, Any]:
    schema = Briefing.model_json_schema()
    _drop_titles(schema)
    # A model that lists the actors itself gives each one a role.
    actor = schema["$defs"]["Actor"]
    # The model's roles keep the shorter cap; a longer one is the sources' own (`schema.SOURCE_ROLE_PATTERN`).
    actor["properties"]["role"] = {**_role(schema), "pattern": ROLE_PATTERN}
    actor["required"] = [*actor["required"][:2], "role", *actor["required"][2:]]
    for name in ("risks", "open_questions"):  # a briefing may be left with none after its check, not before
        schema["properties"][name]["minItems"] = 1
    for name in QUOTING:  # asked for in place of the texts, where they are sentences (`json_schema(overview=…)`)
        del schema["properties"][f"{name}_citations"]
    return schema


def _role(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of an actor's role (the model's schema allows none, for actors listed without one)."""
    return next(t for t in schema["$defs"]["Actor"]["properties"]["role"]["anyOf"] if t["type"] == "string")


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
    # briefing lists, and how many of those the request names first, with the words the sources
    # describe them in (the others follow as "Also named"; the model writes no actor's role).
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
        Length("short", actors=3, named_actors=16, described_actors=14, positions=3, risks=2, open_questions=1,
               timeline=2),
        # Eight positions: at four, half the development articles' stance-holders could not be shown.
        Length("standard", actors=4, named_actors=20, described_actors=16, positions=8, risks=3, open_questions=2,
               timeline=3),
        # The schema's maxima.
        Length("long", actors=8, named_actors=most("actors"), described_actors=16, positions=most("positions"),
               risks=most("risks"), open_questions=most("open_questions"), timeline=most("timeline")),
    )
}


def json_schema(citation_ids: list[str] | None = None, dates: dict[str, list[str]] | None = None,
                length: Length | None = None, actor_names: list[str] | None = None,
                positions: dict[str, list[str]] | None = None,
                possibilities: list[str] | None = None, unknowns: list[str] | None = None,
                overview: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """The JSON schema sent to the backend. Citations may name only real sentence ids; a timeline
    event takes a date the sources write and cites only sentences that write that date (sources
    without dates get an empty timeline).

    Args:
        citation_ids: the ids of every numbered source sentence; None keeps the generic pattern.
        dates: date expressions found in the sources with the ids of their sentences; None leaves
            the timeline free.
        length: how many items each list may hold (default: standard).
        actor_names: the briefing's actors, the names the sources write most (see `actors.find`):
            the answer lists no actors (`from_answer` adds these, with their kinds, citations and
            the roles the sources give), and positions and affected actors may name only these.
        positions: the actors whose positions the briefing gives, each with the ids of the
            sentences in which the sources show it holding one (`actors.holders`): the answer
            gives each one's position, keyed by name, citing only those sentences, so that no
            stance can be pinned on someone who did not take it. None leaves positions free.
        possibilities: the ids of the sentences that state a possibility (`possibility.find`): each
            risk cites one of them; its title, description and likelihood are the sentence's
            (`from_answer`). An empty list asks for no risks; None leaves risks free.
        unknowns: the ids of the sentences that raise a question (`unknowns.find`): each open
            question cites one of them; its question is the sentence's (`from_answer`). An empty
            list asks for none; None leaves open questions free.
        overview: for the bottom line and the context, the ids of the sentences each may quote
            (`overview.choices`): each is the ids of the sentences it quotes, the model's choice
            of them; their texts are those sentences (`from_answer`). None (or none to choose
            from) leaves them free.
    """
    schema = copy.deepcopy(_BASE)
    defs = schema["$defs"]
    for field_name, limit in (length or LENGTHS["standard"]).limits().items():
        schema["properties"][field_name]["maxItems"] = limit
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
    if actor_names:
        names = {"enum": list(actor_names), "type": "string"}
        # The actors are these names, in this order, with the roles the sources give: the model
        # writes none. Asked for roles, the embedded model described actors from what it knows, or
        # from figures about something else ("Michigan: largest employer in the state"), and its
        # judge found 13 of 54 such roles supported by their sentences (bench/RESULTS.md).
        del schema["properties"]["actors"]
        schema["required"].remove("actors")
        defs["Position"]["properties"]["actor"] = {**names, "description": "One of the listed actors."}
        defs["Risk"]["properties"]["affected_actors"]["items"] = names
    if positions is not None:
        schema["properties"]["positions"] = _keyed_positions(defs["Position"]["properties"], positions)
    # With no sentence to cite, the list is empty and its item stays as it was (an empty enum is no grammar).
    if possibilities is not None:
        _at_most(schema["properties"]["risks"], len(possibilities))
    if possibilities:
        defs["Risk"] = _stated_risk(defs["Risk"], possibilities)
    if unknowns is not None:
        _at_most(schema["properties"]["open_questions"], len(unknowns))
    if unknowns:
        defs["OpenQuestion"] = _asked_question(defs["OpenQuestion"], unknowns)
    if overview and all(overview.get(name) for name in QUOTING):
        for name, most_ids in QUOTING.items():
            schema["properties"][name] = {"type": "array", "items": {"enum": overview[name], "type": "string"},
                                          "minItems": 1, "maxItems": most_ids}
        # The context last: the background is a sentence the briefing does not quote already
        # (the embedded model's sampler sets aside one it cites, `steering`).
        schema["properties"]["context"] = schema["properties"].pop("context")
    return schema


def _at_most(array: dict[str, Any], available: int) -> None:
    """A list of no more items than there are sentences to cite, and of one at least where there are."""
    array["maxItems"] = min(array["maxItems"], available)
    array["minItems"] = min(1, available)


def _stated_risk(risk: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """A risk that cites one sentence stating a possibility, first, then rates what the sentence
    does not: its impact, horizon, signposts and whom it affects. The title, description and
    likelihood are the sentence's words (`possibility`), added by `from_answer`: the embedded
    model's own measured 1 of 19 supported, and its titles named other risks than their sentences'."""
    return _citing_one(risk, ids, ("impact", "horizon", "indicators", "affected_actors"))


def _asked_question(question: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """An open question that cites one sentence raising a question, first, then says why it
    matters and what would resolve it. The question is the sentence's (`unknowns`), added by
    `from_answer`: the embedded model's own asked about something else than its sentences, or
    came out garbled."""
    return _citing_one(question, ids, ("why_it_matters", "what_would_resolve_it"))


def _citing_one(item: dict[str, Any], ids: list[str], keep: tuple[str, ...]) -> dict[str, Any]:
    """An item that cites one of these sentences, first, then has only the fields in `keep`."""
    fields = item["properties"]
    citations = {**fields["citations"], "items": {"enum": ids, "type": "string"}, "maxItems": 1}
    return {"type": "object", "additionalProperties": False, "required": ["citations", *keep],
            "properties": {"citations": citations, **{name: fields[name] for name in keep}}}


def _keyed_positions(position: dict[str, Any], holders: dict[str, list[str]]) -> dict[str, Any]:
    """Positions as an object keyed by actor: each cites one or two of its actor's sentences, and
    names the issue; the stance is what the cited sentence says the actor holds, in its own words,
    added by `from_answer` (a small model, asked to write stances, put one actor's words under
    another's name and filled the rest with copies)."""
    def entry(ids: list[str]) -> dict[str, Any]:
        citations = {**position["citations"], "items": {"enum": ids, "type": "string"}}
        return {"type": "object", "additionalProperties": False, "required": ["citations", "issue"],
                "properties": {"citations": citations, "issue": position["issue"]}}

    return {"type": "object", "additionalProperties": False, "required": list(holders),
            "properties": {name: entry(ids) for name, ids in holders.items()}}


def from_answer(data: Any, actors: dict[str, tuple[str, list[str]]] | None = None,
                stances: dict[str, dict[str, str]] | None = None,
                given: Mapping[str, tuple[str, str]] | None = None,
                possibilities: Mapping[str, Possibility] | None = None,
                questions: Mapping[str, str] | None = None, overview: Mapping[str, str] | None = None) -> Any:
    """Turn a decoded answer in the request's keyed shape back into the briefing's lists: the
    actors, where they were the names the sources write (`json_schema(actor_names=…)`), positions
    keyed by actor (`json_schema(positions=…)`), risks citing a sentence that states a
    possibility (`json_schema(possibilities=…)`) and open questions citing a sentence that raises
    one (`json_schema(unknowns=…)`). Anything else is left as it is.

    Args:
        actors: each listed name's kind and the ids of the sentences that name it, in rank order:
            the briefing's actors, whatever the answer lists (a server that ignores the schema may
            write some), each citing the first two sentences naming it.
        stances: for each actor whose position was asked for, what each of its sentences says it
            holds: a keyed position's stance is its first cited sentence's.
        given: the roles the sources give in their own words, each with the id of the sentence
            that gives it (`actors.Candidate.source_role`): the role cites that sentence and the
            first other one naming the actor, in reading order. An actor without one has no role.
        possibilities: what each sentence a risk may cite says may happen: a risk's title,
            description and likelihood are its cited sentence's; a second risk citing the same
            sentence is dropped, as it would say the same.
        questions: the question each sentence an open question may cite raises (`unknowns`): an
            open question's question is its cited sentence's; a second one citing it is dropped.
        overview: the sentences the bottom line and context may quote (`overview.find`): each is
            the text of the ids it lists, citing them. The context's sentence is left out of the
            bottom line where the bottom line has another.
    """
    if not isinstance(data, dict):
        return data
    if overview:
        _quote_sentences(data, overview)
    if possibilities and isinstance(data.get("risks"), list):
        data["risks"] = _from_sentences(data["risks"], lambda p: {
            "title": p.headline, "description": p.text, "likelihood": p.likelihood}, possibilities)
    if questions and isinstance(data.get("open_questions"), list):
        data["open_questions"] = _from_sentences(data["open_questions"], lambda q: {"question": q}, questions)
    if isinstance(data.get("positions"), dict):
        data["positions"] = [_position(name, entry, (stances or {}).get(name, {}))
                             for name, entry in data["positions"].items()]
    if not actors:
        return data
    listed = []
    for name, (kind, ids) in actors.items():
        role, where = (given or {}).get(name, (None, None))
        cited = ids[:2] if where is None else sort_ids([where, *[i for i in ids if i != where][:1]])
        listed.append({"name": name, "kind": kind, "role": role, "citations": cited})
    data["actors"] = listed
    return data


def _quote_sentences(data: dict[str, Any], sentences: Mapping[str, str]) -> None:
    """The bottom line and context as the sentences whose ids they list (ids that are not among
    `sentences` are left for validation to name)."""
    chosen = {name: ids for name in QUOTING if isinstance(ids := data.get(name), list)
              and ids and all(isinstance(i, str) and i in sentences for i in ids)}
    if "bottom_line" in chosen and "context" in chosen:  # one sentence is not said twice
        rest = [i for i in chosen["bottom_line"] if i not in chosen["context"]]
        chosen["bottom_line"] = rest or chosen["bottom_line"]
    for name, ids in chosen.items():
        data[name], data[f"{name}_citations"] = text_of(ids, sentences)


def _from_sentences(items: list[Any], words: Callable[[Any], dict[str, Any]], said: Mapping[str, Any]) -> list[Any]:
    """Each item with the fields its first cited sentence gives (a risk's title, description and
    likelihood; an open question's question); one item per sentence, as a second would say the same."""
    kept, seen = [], set()
    for item in items:
        cited = item.get("citations") if isinstance(item, dict) else None
        first = cited[0] if isinstance(cited, list) and cited and isinstance(cited[0], str) else None
        if first is None or first not in said:
            kept.append(item)  # not in the request's shape: validation says what is wrong
        elif first not in seen:
            seen.add(first)
            # Fields a server writes anyway are not the sentence's: replaced.
            kept.append({**item, **words(said[first])})
    return kept


def _position(name: str, entry: Any, stances: dict[str, str]) -> Any:
    if not isinstance(entry, dict):
        return entry
    cited = [c for c in entry.get("citations", []) if isinstance(c, str)]
    stance = next((stances[c] for c in cited if c in stances), None)
    return {"actor": name, **entry, **({"stance": stance} if stance and "stance" not in entry else {})}


_BASE = _base_schema()
