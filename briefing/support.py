"""Whether the sentences an item cites say what the item claims: the support judge.

Every model-written item of a briefing (an actor's role, a position, a risk with its likelihood,
an open question, a timeline event, the title, bottom line and context) becomes a `Claim` stated
the way a reader takes it in, with the ids it cites (the title, and a bottom line or context the
model wrote, cite nothing of their own: they are judged against every sentence the briefing cites;
a bottom line or context that quotes sentences, `overview`, cites them). A judge gives
each one of four verdicts:

- supported: the cited sentences state it;
- partly: they state part of it, or it goes beyond them;
- not_supported: they do not state it (another actor's position, a generic statement, a matter
  they do not raise);
- contradicted: they state the opposite, or another number, date or likelihood.

Five judges answer, the first that can: the facts check (a number, month or weekday the claim
states that no cited sentence writes; no model), the quote check (an actor's role in the very
words a cited sentence sets beside its name, or a bottom line or context that is its sentences
word for word; no model), the attribution (a position put together
from the sentence parse, held to it; no model), the possibility check (a risk that is what its
sentence says may happen, in its words, with the likelihood its words give; no model) and the
model, asked about each remaining claim in a grammar-constrained call with the sentences it cites.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .backends.base import Backend, ChatRequest, Message
    from .record import Attempt
    from .schema import Briefing

Label = Literal["supported", "partly", "not_supported", "contradicted"]
LABELS: tuple[Label, ...] = ("supported", "partly", "not_supported", "contradicted")
# What an item judged so may not be shown as: checked and found wanting.
FAILING: frozenset[str] = frozenset({"not_supported", "contradicted"})
FACTS = "facts"  # the judge that compares the numbers and dates a claim states with its sentences
QUOTED = "quoted"  # the judge that finds a role in the words a cited sentence sets beside the name
ATTRIBUTED = "attributed"  # the judge that finds a position's stance the words the parse attributes to its actor
STATED = "stated"  # the judge that finds a risk the possibility its sentence states, in its words and odds
RAISED = "raised"  # the judge that finds an open question the one its sentence raises, in its words


def judge_name(judge: str) -> str:
    """A judge as a reader is told of it: a rule by what it does, a model by its name."""
    return {FACTS: "the facts check", QUOTED: "the quote check", ATTRIBUTED: "the attribution",
            STATED: "the possibility check", RAISED: "the question check"}.get(judge, judge)


@dataclass(frozen=True)
class Claim:
    """One item of a briefing as a reader takes it in, and the sentences it rests on."""

    item: str  # where it sits: "positions[0]", "risks[1]", "title"
    field: str  # what it is: "position", "risk", "open_question", "timeline", "role", "title", …
    text: str  # "Ana Duarte: wants the port sold", "Risk: … (likelihood: high)"
    cited: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    """A claim's verdict, who gave it, and why where a rule gave it."""

    claim: Claim
    verdict: Label
    judge: str  # FACTS or the model's name
    reason: str = ""


def claims(briefing: Briefing) -> list[Claim]:
    """The briefing's model-written items, in reading order."""
    everything = tuple(briefing.citation_ids())
    # A bottom line or context that quotes sentences (`overview`) cites them; written, it rests on all.
    found = [Claim("title", "title", briefing.title, everything),
             Claim("bottom_line", "bottom_line", briefing.bottom_line,
                   tuple(briefing.bottom_line_citations) or everything),
             Claim("context", "context", briefing.context, tuple(briefing.context_citations) or everything)]
    found += [Claim(f"actors[{i}]", "role", f"{a.name}: {a.role}", tuple(a.citations))
              for i, a in enumerate(briefing.actors) if a.role]
    found += [Claim(f"positions[{i}]", "position", f"{p.actor}: {p.stance}", tuple(p.citations))
              for i, p in enumerate(briefing.positions)]
    found += [Claim(f"risks[{i}]", "risk", f"Risk: {r.title}: {r.description} (likelihood: {r.likelihood})",
                    tuple(r.citations)) for i, r in enumerate(briefing.risks)]
    found += [Claim(f"open_questions[{i}]", "open_question", f"Open question: {q.question}", tuple(q.citations))
              for i, q in enumerate(briefing.open_questions)]
    found += [Claim(f"timeline[{i}]", "timeline", f"{e.date}: {e.event}", tuple(e.citations))
              for i, e in enumerate(briefing.timeline)]
    return found


# --- the facts check -------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty").split()
_SMALL_WORD = re.compile(r"\b(" + "|".join(_SMALL) + r")\b", re.IGNORECASE)
_MONTHS = ("january february march april may june july august september october november december "
           "monday tuesday wednesday thursday friday saturday sunday").split()
# A month or weekday as a date writes it: "Nov. 5", "in March", "Sunday"; "may" the verb is not one.
_DAY_NAME = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|"
                       r"Sat|Sun)(?:[a-z]*)\b\.?")


# A thousands separator as French and other languages write it: "2 000", "150 000" (a space, a
# no-break or a thin space between groups of three digits).
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})(?:[ \u00a0\u202f\u2009](\d{3}))+(?![\d.,]*\d)")


def _numbers(text: str) -> set[str]:
    """The numbers a text writes, thousands separators (also "2 000") and trailing zeros of decimals
    aside, and the small ones it spells out."""
    found = set()
    text = _SPACED_THOUSANDS.sub(lambda m: re.sub(r"\D", "", m.group()), text)
    for raw in _NUMBER.findall(text):
        plain = raw.replace(",", "")
        if "." in plain:
            plain = plain.rstrip("0").rstrip(".")
        found.add(plain)
    found |= {str(_SMALL.index(w.lower())) for w in _SMALL_WORD.findall(text)}
    return found


def _day_names(text: str) -> set[str]:
    """The months and weekdays a text names, by their first three letters."""
    names = set()
    for match in _DAY_NAME.finditer(text):
        word = match.group(0).rstrip(".").lower()
        dated = re.match(r"\s*\d", text[match.end():]) or re.search(r"\b(in|of|since|until|by)\s$",
                                                                      text[:match.start()])
        if word == "may" and not dated:
            continue  # the verb, or a name
        if any(m.startswith(word) or word.startswith(m) for m in _MONTHS):
            names.add(word[:3])
    return names


def facts(claim: Claim, sentences: dict[str, str], shown: Collection[str] | None = None) -> Judgement | None:
    """A verdict from the numbers and dates alone: a number, month or weekday in the claim that no
    cited sentence writes is not supported, and contradicted when the one or two sentences an item
    cites write another of its kind. The title, bottom line and context are checked against every
    sentence shown to the model (`shown`, ids; default: the sentences the briefing cites): a number
    none of them writes comes from elsewhere, an instruction hidden in a source or nowhere.
    None when the claim's are all there (the model judges the rest)."""
    whole = claim.field in _TEXTS and shown is not None
    cited = " ".join(sentences.get(i, "") for i in (shown if whole and shown is not None else claim.cited))
    for kind, read in (("number", _numbers), ("date", _day_names)):
        stated, written = read(claim.text), read(cited)
        missing = sorted(stated - written)
        if missing:
            # Against the whole briefing's evidence (title, bottom line, context) another number is no
            # contradiction: it is about something else.
            verdict: Label = "contradicted" if written and claim.field not in _TEXTS else "not_supported"
            where = "the sentences shown to the model" if whole else "the sentences the briefing cites" \
                if claim.field in _TEXTS else ", ".join(claim.cited) or "nothing"
            return Judgement(claim, verdict, FACTS, f"the {kind} {', '.join(missing)} is in none of {where}")
    return None


# --- the quote check -------------------------------------------------------------------------

def folded(text: str) -> str:
    """Text as the quote check compares it: casefolded, curly apostrophes straight, spaces single."""
    return " ".join(text.casefold().replace("’", "'").replace("‘", "'").split())


def quoted(claim: Claim, sentences: dict[str, str]) -> Judgement | None:
    """Supported, with no model asked, when the claim is a bottom line or context that is the
    sentences it cites, word for word (`overview`), or an actor's role that a cited sentence
    gives in the same words, set beside the actor's name ("Ana Lee, a senior fellow at the
    Brookings Institution, said" for "Ana Lee: senior fellow at the Brookings Institution"; an
    age between them may stay: "Lee, 51, co-owner of …") or before it as a title ("Secretary of
    State Ana Lee"). The name may be the surname alone. None otherwise: the model judges it."""
    from .overview import QUOTING, quotes
    from .schema import ROLE_OPEN_END

    if claim.field in QUOTING and quotes(claim.text, claim.cited, sentences):
        return Judgement(claim, "supported", QUOTED, f"the words of {', '.join(claim.cited)}")
    if claim.field != "role":
        return None
    name, _, role = (folded(part) for part in claim.text.partition(": "))
    if not role or role.split()[-1] in ROLE_OPEN_END:
        return None
    names = "|".join(map(re.escape, dict.fromkeys([name, name.split()[-1]] if name else [])))
    if not names:
        return None
    # The phrase ends there: a role cut inside it ("fellow at the Harbour" of "… Harbour Institute") is not it.
    end = r"(?=$|[,.;:!?'\"”)]|\s+(?:in|and|who|which|whose|since|until)\b)"
    beside = re.compile(rf"(?<!\w)(?:{names})\s*,\s*(?:\d{{1,3}}\s*,\s*)?(?:(?:a|an|the)\s+)?{re.escape(role)}{end}")
    before = re.compile(rf"(?<!\w){re.escape(role)}\s+(?:{names})(?!\w)")
    for i in claim.cited:
        text = folded(sentences.get(i, ""))
        if beside.search(text) or before.search(text):
            return Judgement(claim, "supported", QUOTED, f"{i} gives this role in these words")
    return None


# --- the attribution -------------------------------------------------------------------------

# For each actor the sentence parse finds holding a position: each sentence showing it, with what
# that sentence says the actor holds, in its words (`actors.Candidate.stances`).
Stances = dict[str, dict[str, str]]


def attributed(claim: Claim, stances: Stances) -> Judgement | None:
    """Supported, with no model asked, when the claim is a position put together from the parse and
    not written by the model: the actor is one the parse finds holding a position in a sentence the
    position cites, and the stance is what that sentence says it holds, in its words ("Ana Lee: wants
    the port sold" from "Ana Lee said she wants the port sold"). What such a position can get wrong
    is the parse's attribution, and a model shown the sentence does not catch that: on the 41
    positions of the annotated articles (`bench/quality.py`, short and standard length) the
    embedded judge passed all three the parse pinned on the wrong actor and called three right ones
    not supported. None otherwise: the model judges it."""
    if claim.field != "position":
        return None
    for actor, held in stances.items():
        for i in claim.cited:
            if i in held and claim.text == f"{actor}: {held[i]}":
                return Judgement(claim, "supported", ATTRIBUTED, f"the parse finds {actor} holding this in {i}, "
                                 "in these words")
    return None


# --- the possibility check -------------------------------------------------------------------

def stated(claim: Claim, sentences: dict[str, str]) -> Judgement | None:
    """Supported, with no model asked, when the claim is a risk put together from the parse
    (`possibility`): its title and description are what its first cited sentence says may happen,
    in that sentence's words, and its likelihood the one those words give ("Risk: The allies may cut
    aid: the allies may cut aid to the port (likelihood: medium)" citing "Officials fear the allies
    may cut aid to the port."). None otherwise: the model judges it."""
    from .possibility import stated as possibilities

    cited = _first_cited(claim, "risk", sentences)
    found = possibilities([cited])[0] if cited is not None else None
    if found is None or claim.text != f"Risk: {found.headline}: {found.text} (likelihood: {found.likelihood})":
        return None
    return Judgement(claim, "supported", STATED, f"{claim.cited[0]} states this possibility in these words, "
                     f"{found.likelihood} by its words")


def _first_cited(claim: Claim, field: str, sentences: dict[str, str]) -> str | None:
    """The first sentence a claim of this kind cites, which a claim read off the parse is read from."""
    return sentences.get(claim.cited[0]) if claim.field == field and claim.cited else None


def raised(claim: Claim, sentences: dict[str, str]) -> Judgement | None:
    """Supported, with no model asked, when the claim is an open question put together from the
    parse (`unknowns`): the question its first cited sentence raises, in that sentence's words
    ("Open question: Will the bridge reopen?" citing "Officials will decide on Friday whether the
    bridge will reopen or not."). None otherwise: the model judges it."""
    from .unknowns import asked

    cited = _first_cited(claim, "open_question", sentences)
    question = asked([cited])[0] if cited is not None else None
    if question is None or claim.text != f"Open question: {question}":
        return None
    return Judgement(claim, "supported", RAISED, f"{claim.cited[0]} raises this question, in these words")


# --- the model -------------------------------------------------------------------------------

_RULES = ("Judge only from those sentences, not from what you know.\n"
          "- supported: the sentences state the claim (words may differ).\n"
          "- partly: they state part of it, or the claim goes beyond them.\n"
          "- not_supported: they do not state it (another actor's position, a generic statement, something "
          "they do not raise).\n"
          "- contradicted: they state the opposite, or another number, date, actor or likelihood.\n"
          "Reply with the label alone.")
SYSTEM = "You check a briefing against its sources. You are given a claim and the source sentences it cites. " + _RULES
# The same rules as a turn of the briefing's own conversation, after the briefing it checks.
FOLLOW_UP = ("Now check one item of that briefing against the source sentences it cites. " + _RULES
             + "\n\nItem to check:\n")
# The same rules as a turn after the briefing's request, before any answer: the sources are above.
AFTER_REQUEST = ("Do not write the briefing. Instead check one item of a briefing of the sources above against the "
                 "source sentences it cites. " + _RULES + "\n\nItem to check:\n")

_FIELDS = {"open_question": "open question", "bottom_line": "bottom line", "role": "actor's role"}
# The answer is the label alone, a JSON string: each output token costs a model in process a
# forward pass, and `{"verdict": …}` measured twice the tokens for the same label.
SCHEMA = {"type": "string", "enum": list(LABELS)}


# Worked examples put before each claim (`request(shots=True)`), invented (no article of the
# labelled set's): verdicts of each kind, on each kind of item. The same in every call, so a model
# in process reads them once and keeps them in its KV cache. Not the product's default: measured
# on the embedded judge (`bench/support.py --form product-shots`), they raise its balanced
# accuracy (0.709 to 0.760 over two labels) by calling more claims supported, contradicted ones
# too (16 of 50, against 7): more wrong claims shown unmarked.
SHOTS: tuple[tuple[str, str, Label], ...] = (
    ("[1] “Prices will keep rising,” said Mei Tan, an economist at Harbor Bank.",
     "Claim (actor's role): Mei Tan: economist at Harbor Bank", "supported"),
    ("[1] The mayor wants the old bridge closed to trucks.",
     "Claim (position): City council: wants the old bridge closed to trucks", "not_supported"),
    ("[1] The plant will cut 200 jobs by March, the company said.",
     "Claim (timeline): March: the plant cuts 2,000 jobs", "contradicted"),
    ("[1] Analysts warn that the drought could push food prices higher this year.",
     "Claim (risk): Risk: Food prices: the drought may raise food prices (likelihood: medium)", "supported"),
    ("[1] Officials said the storm damaged 40 homes on the coast.",
     "Claim (risk): Risk: Storm damage: the storm damaged 40 homes and shut the airport (likelihood: high)",
     "partly"),
    ("[1] The ministry published its draft budget on Monday.",
     "Claim (open question): Open question: Will the budget bring protests?", "not_supported"),
    ("[1] The central bank kept interest rates unchanged on Thursday.",
     "Claim (timeline): Thursday: the central bank raises interest rates", "contradicted"),
    ("[1] Residents said the new rail line had cut their commute.",
     "Claim (position): Residents: say the rail line made their commute longer", "contradicted"),
    ("[1] Health Minister Ana Diaz opened the new clinic in Tula.",
     "Claim (actor's role): Ana Diaz: Minister of Health", "supported"),
    ("[1] Engineers called the chance of a second collapse extremely low.",
     "Claim (risk): Risk: Second collapse: the dam may collapse again (likelihood: high)", "contradicted"),
)


def _shots() -> list[Message]:
    turns: list[Message] = []
    for cited, claim, label in SHOTS:
        turns += [{"role": "user", "content": f"Cited sentences:\n{cited}\n\n{claim}\n\nVerdict?"},
                  {"role": "assistant", "content": json.dumps(label)}]
    return turns


def request(claim: Claim, sentences: dict[str, str], conversation: Sequence[Message] | None = None,
            quote: bool = True, max_tokens: int = 8, shots: bool = False) -> ChatRequest:
    """The call that judges one claim: the sentences it cites, then the claim (the most accurate of
    the forms measured, `bench/support.py`).

    With `conversation` (the briefing's request, with or without its answer) the check is the next
    turn of it, its rules before the item: a model in process keeps the KV cache of the longest common
    beginning of consecutive prompts, so the sources and the rules are read once and each claim
    costs its own sentences, its words and a label. The title, bottom line and context rest on
    every sentence the briefing cites: there they are named by id, the sources being above (and
    every claim's are, with `quote` off). Without it (`briefing verify --support`) the call stands
    alone.
    """
    from .backends.base import ChatRequest

    where = f"Claim ({_FIELDS.get(claim.field, claim.field)}): {claim.text}\n\nVerdict?"
    if conversation is not None and (claim.field in _TEXTS or not quote):
        body = f"Cited sentences: {', '.join(claim.cited)} (in the sources above)\n\n{where}"
    else:
        cited = "\n".join(f"[{i}] {sentences[i]}" for i in claim.cited if i in sentences)
        body = f"Cited sentences:\n{cited}\n\n{where}"
    if conversation is None:
        messages = [{"role": "system", "content": SYSTEM}, *(_shots() if shots else []),
                    {"role": "user", "content": body}]
    else:
        turn = FOLLOW_UP if conversation[-1]["role"] == "assistant" else AFTER_REQUEST
        messages = [*conversation, {"role": "user", "content": turn + body}]
    return ChatRequest(messages, SCHEMA, max_tokens=max_tokens)


# Output tokens the judge asks for: the opening quote and the label's first token ("supported",
# "part", "not", "contr"), which the grammar then holds to one label. Each further token costs a
# model in process a forward pass over the whole context; a reply cut there is read by its prefix
# (`label_of`), and asked again whole when the prefix fits more than one label.
PEEK = 2
WHOLE = 8
NO_VERDICT = "the judge gave no verdict"
# The reason recorded for an item judged but then taken out by another of the briefing's checks (a
# timeline event beside a date it did not happen on, a repeat), not for its verdict.
REMOVED_ELSEWHERE = "removed by another check"


def read(answer: str) -> Label | None:
    """The label of an answer to `request`, or None when it gives none."""
    try:
        verdict = json.loads(answer)
    except ValueError:
        return None
    if isinstance(verdict, dict):  # a server that wraps it
        verdict = verdict.get("verdict")
    return verdict if verdict in LABELS else None


def label_of(answer: str) -> Label | None:
    """The label an answer gives, whole or cut after its first letters ('"not' is not_supported)."""
    whole = read(answer)
    if whole is not None:
        return whole
    stem = answer.strip().strip('"')
    fits = [label for label in LABELS if stem and label.startswith(stem)]
    return fits[0] if len(fits) == 1 else None


def asked_order(numbered: Sequence[tuple[int, Claim]], after_request: bool) -> list[int]:
    """The order to ask the model about claims in (their numbers): the title, bottom line and
    context first when they are asked after the briefing's request (`after_request`), which a model
    in process still holds; then the rest by the ids they cite, in reading order, so that claims
    citing the same sentences follow each other. A model that keeps the longest common beginning of
    consecutive prompts (llama-cpp-python, a server's prompt cache) then reads those sentences once,
    not once per claim: a prompt quotes the cited sentences before the claim. The verdicts are
    the same in any order; the briefing's own order is kept where ids tie."""
    def key(pair: tuple[int, Claim]) -> tuple[bool, tuple[tuple[int, ...], ...], int]:
        n, claim = pair
        first = after_request and claim.field in _TEXTS
        return (not first, () if first else tuple(_order(i) for i in claim.cited), n)

    return [n for n, _ in sorted(numbered, key=key)]


def judge(backend: Backend, found: Iterable[Claim], sentences: dict[str, str],
          attempts: list[Attempt] | None = None, kind: str = "support",
          on_item: Callable[[int, int], None] | None = None, shown: Collection[str] | None = None,
          shots: bool = False, after: Sequence[Message] | None = None,
          stances: Stances | None = None) -> list[Judgement]:
    """Every claim's verdict: the facts check's, the quote check's or the attribution's (`stances`: the
    parse's, where the briefing's positions were put together from it) where one gives it, the
    model's for the rest. The model's calls are recorded in `attempts` as one (their tokens and
    seconds summed).

    With `after` (the briefing's request) the title, bottom line and context, which rest on every
    sentence the briefing cites, are asked as a turn after it, naming those sentences by id: a
    model in process still holds the request in its KV cache, so each costs its own words, not the
    cited sentences read again (measured: 16 s of the sample's check on the embedded model, all
    but 1 s of it those sentences). Every other claim is asked alone, its sentences quoted.

    An answer that gives no label backs nothing: its claim is not supported.

    Raises:
        BackendError: the judge's backend failed.
        Unanswered: a batch engine has yet to answer some claims (all of them are named).
    """
    from .calls import Unanswered, call
    from .errors import ModelRefusedError
    from .record import Attempt, total

    model = getattr(backend, "model", "model")
    peek = PEEK if backend.structured_mode != "json_object" else WHOLE  # a prompt-only schema may be wrapped
    found = list(found)
    verdicts: dict[int, Judgement] = {}
    for n, claim in enumerate(found):
        ruled = (facts(claim, sentences, shown) or quoted(claim, sentences) or attributed(claim, stances or {})
                 or stated(claim, sentences) or raised(claim, sentences))
        if ruled is not None:
            verdicts[n] = ruled
    calls, waiting = [], []
    for n in asked_order([(n, c) for n, c in enumerate(found) if n not in verdicts], after is not None):
        if on_item is not None:
            on_item(len(verdicts), len(found))
        claim = found[n]
        label, before = None, after if claim.field in _TEXTS else None
        for limit in dict.fromkeys((peek, WHOLE)):
            try:
                result, attempt = call(backend, request(claim, sentences, before, max_tokens=limit, shots=shots),
                                       kind, cut_ok=True)
            except ModelRefusedError:
                break  # a refusal backs nothing
            except Unanswered as e:  # a batch engine's next round asks every claim at once
                waiting += e.custom_ids
                break
            calls.append(attempt)
            label = label_of(result.content)
            if label is not None or result.finish_reason != "length":
                break
        verdicts[n] = Judgement(claim, label or "not_supported", model, "" if label else NO_VERDICT)
    judged = [verdicts[n] for n in range(len(found))]
    if waiting:
        raise Unanswered(waiting)
    if on_item is not None:
        on_item(len(found), len(found))
    if calls and attempts is not None:
        unread, usage = sum(j.reason == NO_VERDICT for j in judged), total(calls)
        attempts.append(Attempt(kind=kind, prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                                finish_reason=calls[-1].finish_reason, seconds=round(sum(a.seconds for a in calls), 2),
                                errors=[f"{unread} of {len(calls)} answers gave no verdict"] if unread else []))
    return judged


def _order(sentence_id: str) -> tuple[int, ...]:
    """Ids in reading order: "1.9" before "1.10"."""
    return tuple(int(part) if part.isdigit() else 0 for part in sentence_id.split("."))


def rate(judged: Sequence[Any]) -> float | None:
    """The share of judged items found supported (entries with a `verdict`), None when none."""
    verdicts = [getattr(j, "verdict", None) or j["verdict"] for j in judged]
    return sum(v == "supported" for v in verdicts) / len(verdicts) if verdicts else None


# --- mending what fails ----------------------------------------------------------------------

RANK: dict[str, int] = {label: n for n, label in enumerate(LABELS)}
_LISTS = ("actors", "positions", "risks", "open_questions", "timeline")
_PATH = re.compile(r"(\w+)\[(\d+)\]$")
_TEXTS = ("title", "bottom_line", "context")
# The fields judged whatever the settings: a summary that states what no sentence shown to the model
# supports is how an instruction hidden in a source shows in the answer.
TEXTS = _TEXTS


def item_of(briefing: Briefing, path: str) -> Any:
    """The object at a claim's place: an actor, position, risk, question or event (the briefing
    itself for the title, bottom line and context)."""
    match = _PATH.match(path)
    return getattr(briefing, match.group(1))[int(match.group(2))] if match else briefing


def locate(briefing: Briefing, item: Any, path: str) -> str | None:
    """Where an item is now, after drops moved the others; None when it is gone."""
    if path in _TEXTS:
        return path
    for name in _LISTS:
        for n, other in enumerate(getattr(briefing, name)):
            if other is item:
                return f"{name}[{n}]"
    return None


def repair_schema(failing: Sequence[Claim], request_schema: dict[str, Any]) -> dict[str, Any]:
    """The answer to a support repair: each failing item again, keyed by its place, in the shape
    the briefing request gave it (its ids, dates and names still enums)."""
    defs = request_schema.get("$defs", {})
    refs = {"risk": "Risk", "open_question": "OpenQuestion", "timeline": "TimelineEvent", "position": "Position"}
    properties: dict[str, Any] = {}
    for claim in failing:
        if claim.field in _TEXTS:
            properties[claim.item] = request_schema["properties"][claim.field]
        elif claim.field == "role":
            properties[claim.item] = defs["Actor"]["properties"]["role"]
        else:
            properties[claim.item] = {"$ref": f"#/$defs/{refs[claim.field]}"}
    return {"type": "object", "additionalProperties": False, "required": list(properties),
            "properties": properties, "$defs": defs}


def apply(briefing: Briefing, claim: Claim, value: Any) -> Any:
    """Put a repaired value in a claim's place; the value it replaced, to undo it with `restore`.

    Raises:
        pydantic.ValidationError: the value is not a valid item of its kind.
    """
    from pydantic import BaseModel

    from .schema import Actor, OpenQuestion, Position, Risk, TimelineEvent

    if claim.field in _TEXTS:
        checked = type(briefing).model_validate({**briefing.model_dump(), claim.field: value})
        old = getattr(briefing, claim.field)
        setattr(briefing, claim.field, getattr(checked, claim.field))
        return old
    match = _PATH.match(claim.item)
    assert match is not None
    items, n = getattr(briefing, match.group(1)), int(match.group(2))
    if claim.field == "role":
        old = items[n].role
        items[n].role = Actor.model_validate({**items[n].model_dump(), "role": value}).role
        return old
    models: dict[str, type[BaseModel]] = {"position": Position, "risk": Risk, "open_question": OpenQuestion,
                                          "timeline": TimelineEvent}
    model = models[claim.field]
    old, items[n] = items[n], model.model_validate(value)
    return old


def restore(briefing: Briefing, claim: Claim, old: Any) -> None:
    """Undo `apply`."""
    if claim.field in _TEXTS:
        setattr(briefing, claim.field, old)
        return
    match = _PATH.match(claim.item)
    assert match is not None
    items, n = getattr(briefing, match.group(1)), int(match.group(2))
    if claim.field == "role":
        items[n].role = old
    else:
        items[n] = old


def plain(briefing: Briefing, field: str, counts: dict[str, int], sentences: dict[str, str]) -> str | None:
    """A title, bottom line or context that states only what the sources do: of the sentences the
    briefing cites, the one it cites most that fits the field, in its own words (a long one cut at
    a clause end that fits). None when no cited sentence gives one."""
    from .schema import written_texts

    cap = next((t.max_length for t in written_texts(briefing) if t.path == field), None) or 320
    ranked = sorted((i for i in counts if i in sentences), key=lambda i: (-counts[i], _order(i)))
    texts = [" ".join(sentences[i].split()) for i in ranked]
    for text in texts:
        if len(text) <= cap:
            return text
    for text in texts:
        ends = [m.start() for m in re.finditer(r"[,;:—–]\s", text[:cap])]
        if ends and ends[-1] > cap // 3:
            return text[:ends[-1]]
    return None


@dataclass
class Checked:
    """An item's judgement and what was done about it, with the item itself (its place may move
    when another is dropped)."""

    judgement: Judgement
    item: Any
    action: Literal["kept", "repaired", "dropped", "replaced"] = "kept"


# Given the items that failed and their judgements: each one written again, keyed by its place.
Repairer = Callable[[list[Judgement]], dict[str, Any]]


def check(briefing: Briefing, sentences: dict[str, str], judge_backend: Backend, repairer: Repairer | None,
          attempts: list[Attempt] | None = None, repairable: Callable[[Claim], bool] = lambda _: True,
          on_item: Callable[[int, int], None] | None = None, fields: Collection[str] | None = None,
          shown: Collection[str] | None = None, after: Sequence[Message] | None = None,
          stances: Stances | None = None) -> list[Checked]:
    """Judge every model-written item against the sentences it cites; send what is contradicted, or
    what the facts check finds unsupported, back once (`repairer`) and keep a repair only where it
    is judged better; then take out what is still contradicted: an item is dropped (an actor keeps
    its place, without the role), a title, bottom line or context is replaced by the words of the
    sentence the briefing cites most that fits (`plain`). What the model judges not supported
    stays, for the reader to see marked: the embedded judge measured below 0.8 balanced accuracy
    (README, What is checked).

    The facts check's findings are sent back first, before any model judges: a model in process
    still holds the writer's conversation in its KV cache, so the repair reads only its own
    question. What the model then judges contradicted is sent back after, if it was not already.

    `fields` limits the check to those fields (`TEXTS`: the title, bottom line and context).
    `after` is the briefing's request, which the title, bottom line and context are asked after (`judge`);
    `stances`, the parse's, which positions put together from it are held to (`attributed`).
    `shown` (ids of the sentences the model was shown) is what the facts check holds the title,
    bottom line and context to; one that still states a number or date none of them writes after
    its repair is replaced, as a contradicted one is (an instruction hidden in a source shows so).

    Raises:
        BackendError: the judge's or the writer's backend failed.
    """
    def chosen() -> list[Claim]:
        return [c for c in claims(briefing) if fields is None or c.field in fields]

    early = [j for c in chosen() if (j := facts(c, sentences, shown)) is not None and repairable(c)]
    sent = _send_back(briefing, early, repairer)
    judged = judge(judge_backend, chosen(), sentences, attempts, on_item=on_item, shown=shown, after=after,
                   stances=stances)
    records = {j.claim.item: Checked(j, item_of(briefing, j.claim.item)) for j in judged}
    _settle(briefing, sent, records)
    late = [j for j in judged if _sent_back(j) and repairable(j.claim) and j.claim.item not in sent]
    again = _send_back(briefing, late, repairer)
    if again:
        now = {c.item: c for c in claims(briefing)}
        for verdict in judge(judge_backend, [now[item] for item in again], sentences, attempts, shown=shown,
                             after=after, stances=stances):
            records[verdict.claim.item] = Checked(verdict, item_of(briefing, verdict.claim.item))
        _settle(briefing, again, records)
    counts: dict[str, int] = {}
    for cited in (c.cited for c in claims(briefing) if c.field not in _TEXTS):
        for i in cited:
            counts[i] = counts.get(i, 0) + 1
    for record in records.values():
        found = record.judgement
        if found.verdict == "contradicted" or (found.claim.field in _TEXTS and found.judge == FACTS
                                               and found.verdict in FAILING):
            _take_out(briefing, record, counts, sentences)
    return list(records.values())


def _sent_back(judgement: Judgement) -> bool:
    """Whether a verdict is trusted enough to act on: "contradicted" from either judge, and anything
    the facts check finds. The embedded model's "not supported" measured wrong for 42 % of the
    supported items of the labelled set (`bench/support.py`): it is a warning, not a rewrite."""
    return judgement.verdict == "contradicted" or (judgement.judge == FACTS and judgement.verdict in FAILING)


# For each item sent back and rewritten: the value it replaced and its verdict before.
Sent = dict[str, tuple[Claim, Any, Judgement]]


def _send_back(briefing: Briefing, failing: list[Judgement], repairer: Repairer | None) -> Sent:
    """Ask for the failing items again and put each valid answer in its place (judged after)."""
    from pydantic import ValidationError

    if not failing or repairer is None:
        return {}
    answers = repairer(failing)
    sent: Sent = {}
    for judgement in failing:
        claim = judgement.claim
        if claim.item not in answers:
            continue
        try:
            sent[claim.item] = (claim, apply(briefing, claim, answers[claim.item]), judgement)
        except (ValidationError, TypeError, ValueError):
            continue
    return sent


def _settle(briefing: Briefing, sent: Sent, records: dict[str, Checked]) -> None:
    """Keep each repair judged better than what it replaced; put the rest back as they were."""
    for item, (claim, old, before) in sent.items():
        if RANK[records[item].judgement.verdict] < RANK[before.verdict]:
            records[item].action = "repaired"
        else:
            restore(briefing, claim, old)
            records[item] = Checked(before, item_of(briefing, item))


def _take_out(briefing: Briefing, record: Checked, counts: dict[str, int], sentences: dict[str, str]) -> None:
    """Drop or replace an item judged contradicted (or a text the facts check still fails)."""
    claim = record.judgement.claim
    if claim.field in _TEXTS:
        text = plain(briefing, claim.field, counts, sentences)
        if text is not None:
            setattr(briefing, claim.field, text)
            record.action = "replaced"
            return
        # Never the contradicted text: a statement that claims nothing.
        setattr(briefing, claim.field, "What the sources state" if claim.field == "title"
                else "The sources' own words are quoted below.")
        record.action = "replaced"
        return
    if claim.field == "role":
        record.item.role = None
    else:
        name = _PATH.match(claim.item).group(1)  # type: ignore[union-attr]
        setattr(briefing, name, [x for x in getattr(briefing, name) if x is not record.item])
    record.action = "dropped"
