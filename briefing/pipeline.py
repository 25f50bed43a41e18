"""The one path from sources to a validated, grounded briefing: prepare the request, ask, check,
repair once, finish (drop what must not be shown, warn of the rest, mark cut text)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from . import actors, content, grounding, overview, possibility, stages, steering, support, templates, unknowns
from .backends.base import Backend, ChatRequest, ChatResult, Message, ProgressCallback
from .calls import call
from .document import BriefingDocument, GroundingSummary, RunInfo, SourceEntry, SupportEntry
from .errors import ModelRefusedError, TooLargeError, TruncatedOutputError, ValidationFailedError
from .possibility import Possibility
from .record import Attempt, total
from .request_schema import LENGTHS, Length, from_answer, json_schema
from .schema import PATTERN_RULES, ROLE_PATTERN, Briefing
from .settings import GenerateOptions
from .sources import Source, as_read, date_mentions

log = logging.getLogger(__name__)


@dataclass
class BriefingRun:
    """A validated briefing, the quotes of every cited sentence, and how it was made."""

    briefing: Briefing
    grounding: grounding.GroundingReport
    sources: list[Source]
    model: str
    backend: str
    structured_output: str
    prompt_hashes: dict[str, str]
    attempts: list[Attempt]
    seconds: float
    generated_at: str
    ai_directed_shown: bool = False
    support: list[SupportEntry] | None = None  # None: the check was off

    @property
    def quotes(self) -> dict[str, str]:
        """Each cited sentence's text, copied from its source, by id."""
        return self.grounding.quotes

    def to_document(self) -> BriefingDocument:
        """The document `--format json` writes and `briefing render` reads back."""
        return BriefingDocument(
            schema_version=1,  # schema.SCHEMA_VERSION
            briefing=self.briefing,
            quotes=self.quotes,
            sources=[
                SourceEntry(id=s.id, origin=s.origin, title=s.title, sha256=s.sha256, sentences=len(s.sentences),
                            links=s.links, addresses_ai=s.ai_directed_ids, authors=s.about.authors,
                            credits=s.about.credits, dateline=s.about.dateline, published=s.about.published,
                            sentence_pages=[p for p in map(s.page_of, s.sentences) if p is not None])
                for s in self.sources
            ],
            run=RunInfo(
                model=self.model, backend=self.backend, structured_output=self.structured_output,
                prompt_hashes=self.prompt_hashes, attempts=self.attempts, usage=total(self.attempts),
                seconds=round(self.seconds, 2),
                grounding=GroundingSummary(cited=len(self.quotes), warnings=self.grounding.warnings),
                generated_at=self.generated_at,
                ai_directed_shown=self.ai_directed_shown,
                support=self.support,
            ),
        )


def build_messages(sources: list[Source], options: GenerateOptions, prompt_set: templates.PromptSet,
                   length: Length, candidates: list[actors.Candidate] | None = None,
                   notes: list[stages.Note] | None = None,
                   holders: dict[str, list[str]] | None = None,
                   possibilities: dict[str, Possibility] | None = None,
                   unsettled: dict[str, str] | None = None,
                   quoting: dict[str, list[str]] | None = None) -> list[Message]:
    """The system and user messages; source text enters only the user message, fenced as data."""
    common = {"audience": options.audience, "language": options.language, "vars": dict(options.vars)}
    system = prompt_set.render(templates.SYSTEM, **common)
    user = prompt_set.render(
        templates.REQUEST,
        sources=[as_read(source) for source in sources],
        fence=templates.delimiter(sources),
        focus=options.focus,
        limits=length.limits(),
        withhold_suspicious=not options.show_ai_directed,
        actors=actors.describe((candidates or [])[:length.described_actors]),
        also_named=[c.name for c in (candidates or [])[length.described_actors:]],
        positions=[{"name": name, "sentences": ids} for name, ids in (holders or {}).items()],
        possibilities=None if possibilities is None else list(possibilities),
        unsettled=None if unsettled is None else list(unsettled),
        overview=quoting,
        notes=notes or [],
        **common,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


@dataclass(frozen=True)
class Verdict:
    """One output checked: the briefing and its grounding when it is valid, and the errors sent back
    for repair (what makes it invalid, and text carrying a hidden instruction's strings)."""

    checked: tuple[Briefing, grounding.GroundingReport] | None
    errors: list[str]


def validate(answer: str, sources: list[Source], mentions: dict[str, tuple[str, list[str]]] | None = None,
             holders: dict[str, list[str]] | None = None,
             stances: dict[str, dict[str, str]] | None = None,
             given: dict[str, tuple[str, str]] | None = None,
             possibilities: dict[str, Possibility] | None = None,
             unsettled: dict[str, str] | None = None, opening: dict[str, str] | None = None) -> Verdict:
    """Parse, validate, ground and review one output.

    Args:
        answer: the model's answer.
        sources: the sources it was asked about.
        mentions: each actor's kind and the ids of the sentences naming it, when the actors were the
            names the sources write (the model then writes none of them).
        holders: the actors whose positions were asked for, with the sentences in which each holds
            one: a position may cite only those (a server in plain JSON mode does not enforce it).
        stances: what each of those sentences says its actor holds: a position's stance.
        given: the roles the sources give in their own words, with the sentence giving each (the
            actors' only roles when the actors are the names the sources write).
        possibilities: what the sentences a risk may cite say may happen: a risk's title,
            description and likelihood, when risks were asked for as citations of them.
        unsettled: the question each sentence an open question may cite raises, when open
            questions were asked for as citations of them.
        opening: the sentences the bottom line and context may quote, when they were asked for as
            the ids of sentences (`overview`).
    """
    import json

    from pydantic import ValidationError

    own: list[str] = []
    try:
        data = from_answer(json.loads(answer), mentions or {}, stances, given, possibilities, unsettled, opening)
        misattributed = _misattributed(data, holders) if holders is not None else []
        misattributed += _uncited(data, "risks", list(possibilities), "states the possibility") \
            if possibilities is not None else []
        misattributed += _uncited(data, "open_questions", list(unsettled), "raises the question") \
            if unsettled is not None else []
        misattributed += _unquoted(data, opening) if opening is not None else []
        if misattributed:
            return Verdict(None, misattributed)
        own = [] if mentions else _unfit_roles(data)
        briefing = Briefing.model_validate(data)
    except json.JSONDecodeError as e:
        return Verdict(None, [f"(top level): not valid JSON ({e.msg}, line {e.lineno})"])
    except ValidationError as e:
        return Verdict(None, [*own, *(_describe(err) for err in e.errors(include_url=False))][:20])
    if own:
        return Verdict(None, own)
    report = grounding.check(briefing, sources)
    if not report.ok:
        return Verdict(None, report.errors())
    return Verdict((briefing, report), content.taken_from_instructions(briefing, sources))


def _unfit_roles(data: Any) -> list[str]:
    """The roles of a decoded answer, where the model listed the actors, that break the pattern the
    request gave them (`schema.ROLE_PATTERN`: the briefing's own allows a source's one-word title),
    for the repair prompt."""
    listed = data.get("actors") if isinstance(data, dict) else None
    return [f"actors.{i}.role: {PATTERN_RULES[ROLE_PATTERN]}" for i, actor in enumerate(listed or [])
            if isinstance(actor, dict) and isinstance(role := actor.get("role"), str)
            and not re.fullmatch(ROLE_PATTERN, role.strip())] if isinstance(listed, list) else []


def _misattributed(data: Any, holders: dict[str, list[str]]) -> list[str]:
    """Positions of a decoded answer that cite a sentence in which their actor does not hold the
    position, or name an actor the sources show holding none, for the repair prompt."""
    positions = data.get("positions") if isinstance(data, dict) else None
    errors = []
    for i, position in enumerate(positions if isinstance(positions, list) else []):
        if not isinstance(position, dict):
            continue
        actor, cited = str(position.get("actor", "")), position.get("citations") or []
        allowed = holders.get(actor, [])
        if not allowed:
            errors.append(f"positions[{i}]: the sources show no position of {actor}; leave it out")
        elif not set(map(str, cited)) <= set(allowed):
            errors.append(f"positions[{i}]: cite only sentences in which {actor} holds the position: "
                          f"{', '.join(allowed)}")
    return errors


def _uncited(data: Any, name: str, allowed: list[str], what: str) -> list[str]:
    """Items of a decoded answer's list `name` (risks, open questions) that cite none of the
    sentences they must (a server in plain JSON mode does not enforce the request's enum), for the
    repair prompt."""
    items = data.get(name) if isinstance(data, dict) else None
    return [f"{name}[{i}]: cite a sentence that {what}: {', '.join(allowed) or 'none'}"
            for i, item in enumerate(items if isinstance(items, list) else [])
            if isinstance(item, dict) and not set(map(str, item.get("citations") or [])) & set(allowed)]


def _unquoted(data: Any, offered: dict[str, str]) -> list[str]:
    """The bottom line or context of a decoded answer still listing ids after `from_answer` quoted
    what it could: ids of sentences not offered (a server in plain JSON mode), for the repair prompt."""
    return [f"{name}: list the ids of sentences that read on their own: {', '.join(offered)}"
            for name in overview.QUOTING if isinstance(data, dict) and isinstance(data.get(name), list)]


def _describe(err: Any) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "string_pattern_mismatch":
        return f"{where}: {PATTERN_RULES.get(err['ctx']['pattern'], err['msg'])}"
    return f"{where}: {err['msg']}"


@dataclass(frozen=True)
class Prepared:
    """Everything decided before a model is called: the request and what it will cost."""

    request: ChatRequest
    prompt_set: templates.PromptSet
    prompt_tokens: int
    counted_with: str
    context_window: int | None
    sent: list[Message]  # the messages as the backend will send them (`Backend.prepare`)
    candidates: list[actors.Candidate]  # the listed actors (named-actors mode), most named first
    described: int  # how many of them, from the first, the request lists with the words the sources describe them in
    holders: dict[str, list[str]]  # the actors whose positions it gives, with the sentences showing them
    stances: dict[str, dict[str, str]]  # what each of those sentences says its actor holds
    # The listed actors whose role the sources give in their own words, with the sentence that
    # gives it (`actors.Candidate.source_role`): their only roles, the model writes none.
    given: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The sentences a risk may cite, with what each says may happen: the risks' descriptions and
    # likelihoods (`possibility`). None: the model writes its risks.
    possibilities: dict[str, Possibility] | None = None
    # The sentences an open question may cite, with the question each raises: the open questions
    # (`unknowns`). None: the model writes its open questions.
    unsettled: dict[str, str] | None = None
    # The sentences the bottom line and context may quote, by id (`overview`). None: the model
    # writes them.
    opening: dict[str, str] | None = None

    @property
    def mentions(self) -> dict[str, tuple[str, list[str]]]:
        """Each listed actor's kind and the sentences naming it."""
        return {c.name: (c.kind, c.sentence_ids) for c in self.candidates}

    @property
    def also_named(self) -> list[str]:
        """The listed actors the request names after the others, without how the sources describe them."""
        return [c.name for c in self.candidates[self.described:]]

    def budget_line(self) -> str:
        """One line: prompt and answer tokens against the context window."""
        need = self.prompt_tokens + self.request.max_tokens
        window = f"{self.context_window:,}" if self.context_window else "an unknown"
        verdict = "" if not self.context_window else (": fits" if need <= self.context_window else ": TOO LARGE")
        return (f"prompt {self.prompt_tokens:,} tokens ({self.counted_with}) + up to "
                f"{self.request.max_tokens:,} output tokens = {need:,} of {window}-token context window{verdict}")


def prepare(sources: list[Source], backend: Backend, options: GenerateOptions | None = None,
            notes: list[stages.Note] | None = None, candidates: list[actors.Candidate] | None = None) -> Prepared:
    """Render the request for these sources and count its tokens; no model is called.

    Args:
        notes: for a staged run, the notes taken from each part (`sources` then holds only the
            sentences they cite).
        candidates: the actors, when already found (a staged run finds them in the whole
            sources); by default the names these sources write most.

    Raises:
        ConfigError: a template fails.
    """
    options = options or GenerateOptions()
    prompt_set = templates.PromptSet(templates.search_dirs(options.prompts))
    length = LENGTHS[options.length or backend.default_length]
    shown = shown_ids(sources, options)
    dates = {d: kept for d, ids in date_mentions(sources).items() if (kept := [i for i in ids if i in shown])}
    if candidates is None:
        found = actors.find(sources, set(shown)) if options.named_actors else []
        candidates = actors.listed(found, length.named_actors, actors.holders(found, length.positions))
    # A withheld sentence cannot be cited; the actors are the names the sources write most, and a
    # position is given only for an actor the sources show holding one, citing where they do.
    holding = actors.holders(candidates, length.positions) if candidates else []
    holders = {c.name: ids for c in holding if (ids := [i for i in c.holds if i in shown])} if candidates else None
    # An actor the sources introduce ("Ana Lee, a senior fellow at …", "Foreign Minister Ana Lee")
    # has that for a role: the sources' words, citing the sentence that gives them, right by
    # construction. The model writes no role.
    given = {c.name: role for c in candidates if (role := c.source_role) is not None and role[1] in shown}
    # A risk is a possibility a sentence states, in its words, with the likelihood its words give.
    # An open question is one a sentence raises, in its words.
    possibilities = possibility.find(sources, shown) if candidates else None
    unsettled = unknowns.find(sources, shown) if candidates else None
    # The bottom line and context are sentences that read on their own, in their words.
    opening = (overview.find(sources, shown) or None) if candidates else None
    quoting = overview.choices(opening) if opening else None
    request_schema = json_schema(shown, dates, length, [c.name for c in candidates] or None, holders,
                                 list(possibilities) if possibilities is not None else None,
                                 list(unsettled) if unsettled is not None else None, quoting)
    messages = build_messages(sources, options, prompt_set, length, candidates, notes, holders, possibilities,
                              unsettled, quoting)
    # The stances are the cited sentences' own words, filled in after the answer: the sampler reads
    # them as texts the briefing shows, so the model does not write them again.
    stated = {i: text for c in holding for i, text in c.stances.items() if i in (holders or {}).get(c.name, [])}
    request = ChatRequest(messages, request_schema, options.max_tokens, options.temperature, options.seed,
                          veto=steering.SetAside(stated, tuple(quoting["context"]) if quoting else (),
                                                 steering.vocabulary(s.text for src in sources for s in src.sentences)))
    sent = backend.prepare(request).messages
    tokens, how = backend.count_tokens(sent)
    return Prepared(request, prompt_set, tokens, how, backend.context_window, sent, candidates,
                    length.described_actors, holders or {}, {c.name: c.stances for c in holding}, given,
                    possibilities, unsettled, opening)


def shown_ids(sources: list[Source], options: GenerateOptions) -> list[str]:
    """The ids of the sentences the model is shown: all but those withheld as AI-directed."""
    return [s.id for src in sources for s in src.sentences if options.show_ai_directed or not s.ai_directed]


def fits(prepared: Prepared) -> bool:
    """Whether the prompt and the answer fit the model's window (an unknown window always fits)."""
    window = prepared.context_window
    return not window or prepared.prompt_tokens + prepared.request.max_tokens <= window


def plan_stages(sources: list[Source], backend: Backend, options: GenerateOptions) -> stages.Plan:
    """How sources too long for one call would be read in parts (for --dry-run).

    Raises:
        TooLargeError: even staged, they cannot be read.
    """
    return stages.plan(sources, backend, options, set(shown_ids(sources, options)))


def _staged(sources: list[Source], backend: Backend, options: GenerateOptions, prepared: Prepared,
            progress: ProgressCallback | None) -> tuple[Prepared, list[Attempt]]:
    """Notes from each part, then the briefing request built from them."""
    from .paths import state_dir

    plan = plan_stages(sources, backend, options)
    log.info(plan.describe())
    notes, attempts = stages.take_notes(plan, sources, backend, options, prepared.prompt_set, state_dir() / "notes",
                                        progress)
    if not notes:
        raise TooLargeError("the notes taken from the parts of the sources cite nothing; the sources cannot be "
                            "briefed in stages with this model")
    log.info("briefing from %d notes citing %d sentences", len(notes), len({c for n in notes for c in n.citations}))
    # The actors are the names the whole sources write most, not only the notes: a party named
    # in a background section the notes pass over is still one. Each is shown in two sentences
    # that name it, so that it can be cited.
    shown = [i for c in prepared.candidates for i in c.sentence_ids[:2]]
    shown += [ids[0] for ids in prepared.holders.values()]  # where each holds its position
    view = stages.condensed(sources, notes, shown)
    kept = {s.id for src in view for s in src.sentences}
    named = [replace(c, sentence_ids=[i for i in c.sentence_ids if i in kept], holds=[i for i in c.holds if i in kept])
             for c in prepared.candidates]
    return prepare(view, backend, options, notes, named), attempts


def check_budget(prepared: Prepared) -> None:
    """Refuse a request that cannot fit the model's context window, before any model call.

    Raises:
        TooLargeError: prompt tokens plus the output allowance exceed the window.
    """
    window, tokens, answer = prepared.context_window, prepared.prompt_tokens, prepared.request.max_tokens
    if window and tokens + answer > window:
        raise TooLargeError(
            f"the sources and prompt are {tokens:,} tokens and the answer may take {answer:,}: more than the "
            f"model's context window of {window:,} tokens; brief fewer or shorter sources, lower --max-tokens, "
            "or use a model with a larger window"
        )


def generate(sources: list[Source], backend: Backend, options: GenerateOptions | None = None,
             progress: ProgressCallback | None = None, judge: Backend | None = None) -> BriefingRun:
    """Ask the backend for a briefing of the sources, validate it, repair once, ground it, and
    check every item against the sentences it cites (`support`; with `options.support_check` off,
    only the title, bottom line and context, which are judged always).

    Args:
        sources: loaded sources (see `load_sources`).
        backend: any object implementing `backends.Backend`.
        options: audience, focus, limits and the user's prompt folder.
        progress: called while the model works (token counts where the backend has them); one
            with a `checking(done, total)` method is also told how far the support check has got.
        judge: the backend that judges support (default: `backend`).

    Raises:
        TruncatedOutputError, ModelRefusedError: the model stopped without a usable answer.
        ValidationFailedError: the repaired output still failed; its `raw_output` holds the answer.
        TooLargeError: the sources do not fit the model's context window (nothing was sent).
        BackendError, ConfigError: the backend or the templates failed.
    """
    options = options or GenerateOptions()
    started = time.monotonic()
    prepared, attempts = _prepared_to_fit(sources, backend, options, progress)
    result, verdict = _ask(prepared, sources, backend, options, progress, attempts)
    if verdict.checked is None:
        raise _validation_failed(result.content, attempts)
    briefing, report = verdict.checked
    repeated = content.drop_repeated_items(briefing)  # before the check: a copy is not worth a judge's call
    # The title, bottom line and context are judged always: an instruction hidden in a source shows
    # as a summary that no sentence shown to the model supports.
    checked = _check_support(briefing, sources, backend, judge or backend, prepared, result.content, options,
                             attempts, getattr(progress, "checking", None),
                             fields=None if options.support_check else support.TEXTS)
    report = grounding.check(briefing, sources)
    briefing, report = _finished(briefing, report, sources, repeated)
    entries = _support_entries(briefing, checked)
    report.warnings.extend(support_warnings(entries or []))
    return BriefingRun(
        briefing=briefing,
        grounding=report,
        sources=sources,
        model=result.model,
        backend=backend.name,
        structured_output=backend.structured_mode,
        prompt_hashes=dict(sorted(prepared.prompt_set.hashes.items())),
        attempts=attempts,
        seconds=time.monotonic() - started,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        ai_directed_shown=options.show_ai_directed,
        support=entries,
    )


def _check_support(briefing: Briefing, sources: list[Source], backend: Backend, judge: Backend, prepared: Prepared,
                   answer: str, options: GenerateOptions, attempts: list[Attempt],
                   on_item: Callable[[int, int], None] | None = None,
                   fields: tuple[str, ...] | None = None) -> list[support.Checked]:
    """Judge the briefing's items, with one repair round by the writer (`support.check`). The
    repair continues the briefing's conversation, which a model in process still holds when the
    facts check's findings are sent back. Each item is judged in a call of its own, not as a turn
    of that conversation: measured, the long context made each item 2.3 times slower and the
    verdicts less accurate (`bench/support.py`, forms `conversation` and `product`). The title,
    bottom line and context, which rest on every sentence the briefing cites, are asked as a turn
    after the request alone, not with those sentences quoted again (`support.judge`), when the
    judge is the writer and keeps the request in its cache (a model in process). A position
    whose stance is its cited sentence's own words is put together from the parse, not written by
    the model: it is held to the parse (`support.attributed`), not judged by a model, and not
    sent back; so is a risk in its sentence's words (`support.stated`) and an open question
    in its sentence's words (`support.raised`)."""
    def repairer(failing: list[support.Judgement]) -> dict[str, Any]:
        import json

        sentences = grounding.sentence_index(sources)
        # The title, bottom line and context rest on every cited sentence: the sources are above.
        items = [{"item": j.claim.item, "claim": j.claim.text, "verdict": j.verdict, "reason": j.reason,
                  "sentences": [] if j.claim.field in ("title", "bottom_line", "context") else
                  [(i, sentences[i]) for i in j.claim.cited if i in sentences]} for j in failing]
        ask = prepared.prompt_set.render(templates.UNSUPPORTED, items=items, vars=dict(options.vars))
        schema = support.repair_schema([j.claim for j in failing], prepared.request.json_schema)
        messages = [*conversation, {"role": "user", "content": ask}]
        request = ChatRequest(messages, schema, options.max_tokens, options.temperature, options.seed,
                              veto=steering.set_aside)
        try:
            result, attempt = call(backend, request, "support repair")
        except (TruncatedOutputError, ModelRefusedError) as e:
            log.info("the support repair gave no answer: %s", e)
            return {}
        attempts.append(attempt)
        try:
            data = json.loads(result.content)
        except json.JSONDecodeError:
            attempt.errors = ["not valid JSON"]
            return {}
        return data if isinstance(data, dict) else {}

    keyed = bool(prepared.holders)  # positions' stances are their sentences' words
    named = bool(prepared.candidates)  # actors' roles are their sentences' words
    stated = prepared.possibilities is not None  # risks are what their sentences say may happen
    asked = prepared.unsettled is not None  # open questions are what their sentences ask
    # Only the writer in process still holds the request: another judge would read it all again.
    after = prepared.request.messages if judge is backend and backend.reuses_prompt_prefix else None
    conversation = [*prepared.request.messages, {"role": "assistant", "content": answer}]
    return support.check(briefing, grounding.sentence_index(sources), judge, repairer, attempts,
                         repairable=lambda claim: not ((keyed and claim.field == "position")
                                                       or (named and claim.field == "role")
                                                       or (stated and claim.field == "risk")
                                                       or (asked and claim.field == "open_question")),
                         on_item=on_item,
                         fields=fields, shown=shown_ids(sources, options), after=after,
                         stances=prepared.stances if keyed else None)


def _support_entries(briefing: Briefing, checked: list[support.Checked]) -> list[SupportEntry]:
    """The record of the check, each item at its place in the final briefing (a dropped one at
    the place it had; one a later check dropped, as dropped)."""
    entries = []
    for record in checked:
        claim = record.judgement.claim
        place = support.locate(briefing, record.item, claim.item)
        action, reason = record.action, record.judgement.reason
        if place is None and action != "dropped":
            action, reason = "dropped", "; ".join(filter(None, [reason, support.REMOVED_ELSEWHERE]))
        entries.append(SupportEntry(item=place or claim.item, claim=claim.text, verdict=record.judgement.verdict,
                                    judge=record.judgement.judge, cited=list(claim.cited), action=action,
                                    reason=reason))
    return entries


def support_warnings(entries: list[SupportEntry]) -> list[str]:
    """One line for the reader per item the check did not find supported, saying what was done."""
    done = {"kept": "kept, marked", "repaired": "kept as repaired, marked", "dropped": "dropped",
            "replaced": "replaced by the cited sentences' own words"}
    lines = []
    for e in entries:
        if e.verdict in support.FAILING or e.action in ("dropped", "replaced"):
            claim = e.claim if len(e.claim) <= 90 else e.claim[:89] + "…"
            why = f": {e.reason}" if e.reason else ""
            judge = support.judge_name(e.judge)
            lines.append(f"support check: {e.item} \"{claim}\" is judged {e.verdict.replace('_', ' ')} by the "
                         f"sentences it cites ({judge}{why}); {done[e.action]}")
    return lines


def _prepared_to_fit(sources: list[Source], backend: Backend, options: GenerateOptions,
                     progress: ProgressCallback | None) -> tuple[Prepared, list[Attempt]]:
    """The briefing request; for sources too long for one call, built from notes taken in parts
    (the attempts are those calls).

    Raises:
        TooLargeError: even so, the request does not fit the window.
    """
    prepared = prepare(sources, backend, options)
    attempts: list[Attempt] = []
    if not fits(prepared):
        prepared, attempts = _staged(sources, backend, options, prepared, progress)
    check_budget(prepared)
    return prepared, attempts


def _ask(prepared: Prepared, sources: list[Source], backend: Backend, options: GenerateOptions,
         progress: ProgressCallback | None, attempts: list[Attempt]) -> tuple[ChatResult, Verdict]:
    """The answer and its verdict, after one repair round if it needed one (`attempts` gains
    each call). A repair that breaks what was valid is not taken; one that leaves more to fix
    neither."""
    request = prepared.request
    result, verdict = _answer(backend, request, "generate", progress, prepared, sources, attempts)
    if not verdict.errors:
        return result, verdict
    repair = prepared.prompt_set.render(templates.REPAIR, errors=verdict.errors, vars=dict(options.vars))
    answer: list[Message] = [{"role": "assistant", "content": result.content}, {"role": "user", "content": repair}]
    again = replace(request, messages=[*request.messages, *answer])
    repaired_result, repaired = _answer(backend, again, "repair", progress, prepared, sources, attempts)
    if (repaired.checked is not None or verdict.checked is None) and (
            verdict.checked is None or len(repaired.errors) <= len(verdict.errors)):
        return repaired_result, repaired
    return repaired_result, verdict


def _answer(backend: Backend, request: ChatRequest, kind: str, progress: ProgressCallback | None,
            prepared: Prepared, sources: list[Source], attempts: list[Attempt]) -> tuple[ChatResult, Verdict]:
    """One call and its verdict, recorded in `attempts`."""
    result, attempt = call(backend, request, kind, progress)
    verdict = validate(result.content, sources, prepared.mentions, prepared.holders if prepared.candidates else None,
                       prepared.stances, prepared.given, prepared.possibilities, prepared.unsettled, prepared.opening)
    attempt.errors = verdict.errors
    attempts.append(attempt)
    return result, verdict


def _finished(briefing: Briefing, report: grounding.GroundingReport, sources: list[Source],
              dropped_before: list[str] | None = None) -> tuple[Briefing, grounding.GroundingReport]:
    """Drop what must never be shown (text still carrying a hidden instruction's strings, events
    the sources date otherwise, copies a support repair made), warn the reader of what the repair
    left and of what was dropped before (`dropped_before`), and mark cut texts."""
    sentences = grounding.sentence_index(sources)
    dropped = [*(dropped_before or []), *content.drop_smuggled(briefing, sources)]
    dropped += content.drop_miscited_events(briefing, sentences, date_mentions(sources))
    dropped += content.drop_repeated_items(briefing)
    if dropped:
        report = grounding.check(briefing, sources)
    report.warnings.extend([*dropped, *content.problems(briefing, sentences)])
    content.mark_cut_text(briefing)
    return briefing, report


def _validation_failed(content: str, attempts: list[Attempt]) -> ValidationFailedError:
    errors = attempts[-1].errors
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return ValidationFailedError(
        f"the model's output failed validation after {len(attempts)} attempts ({errors[0]}{more})",
        raw_output=content,
        errors=errors,
        n_attempts=len(attempts),
    )
