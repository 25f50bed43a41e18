"""The one path from sources to a validated, grounded briefing: request, check, repair once, ground."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from . import actors, content, grounding, schema, stages, templates
from .backends.base import Backend, ChatRequest, ChatResult, Message, ProgressCallback, schema_in_prompt
from .document import Attempt, BriefingDocument
from .errors import ModelRefusedError, TooLargeError, TruncatedOutputError, ValidationFailedError
from .schema import LENGTHS, Briefing, Length, json_schema, mark_cut_text
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

    @property
    def quotes(self) -> dict[str, str]:
        """Each cited sentence's text, copied from its source, by id."""
        return self.grounding.quotes

    def to_document(self) -> BriefingDocument:
        """The document `--format json` writes and `briefing render` reads back."""
        return BriefingDocument.from_run(self)


def build_messages(sources: list[Source], options: GenerateOptions, prompt_set: templates.PromptSet,
                   length: Length, candidates: list[actors.Candidate] | None = None,
                   notes: list[stages.Note] | None = None) -> list[Message]:
    """The system and user messages; source text enters only the user message, fenced as data."""
    common = {"audience": options.audience, "language": options.language, "vars": dict(options.vars)}
    system = prompt_set.render(templates.SYSTEM, **common)
    user = prompt_set.render(
        templates.REQUEST,
        sources=[as_read(source) for source in sources],
        fence=templates.delimiter(sources),
        focus=options.focus,
        limits=length.limits(),
        withhold_suspicious=options.withhold_suspicious,
        actors=actors.describe((candidates or [])[:length.described_actors]),
        also_named=[c.name for c in (candidates or [])[length.described_actors:]],
        notes=notes or [],
        **common,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


@dataclass(frozen=True)
class Verdict:
    """One output checked: the briefing and its grounding when it is valid, the errors that make it
    invalid (sent back for repair, as is text carrying a hidden instruction's strings), and the
    content problems a reader is warned of (repeats, bare names, loose dates: a repair costs a
    second full generation, which on a small local model measured no better)."""

    checked: tuple[Briefing, grounding.GroundingReport] | None
    errors: list[str]
    problems: list[str]

    @property
    def to_repair(self) -> list[str]:
        return self.errors


def validate(answer: str, sources: list[Source], mentions: dict[str, tuple[str, list[str]]] | None = None,
             also_named: list[str] | None = None) -> Verdict:
    """Parse, validate, ground and review one output.

    Args:
        answer: the model's answer.
        sources: the sources it was asked about.
        mentions: each actor's kind and the ids of the sentences naming it, when the actors were the
            names the sources write (the model then writes only their roles).
        also_named: the names listed after those, with no role asked for.
    """
    import json

    from pydantic import ValidationError

    try:
        data = schema.cite_actors(json.loads(answer), mentions or {}, also_named or [])
        briefing = Briefing.model_validate(data)
    except json.JSONDecodeError as e:
        return Verdict(None, [f"(top level): not valid JSON ({e.msg}, line {e.lineno})"], [])
    except ValidationError as e:
        return Verdict(None, [_describe(err) for err in e.errors(include_url=False)][:20], [])
    report = grounding.check(briefing, sources)
    if not report.ok:
        return Verdict(None, report.errors(), [])
    taken = content.taken_from_instructions(briefing, sources)
    return Verdict((briefing, report), taken, content.problems(briefing, grounding.sentence_index(sources)))


def _describe(err: Any) -> str:
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return f"{where}: {err['msg']}"


def _check_stop(result: ChatResult, max_tokens: int) -> None:
    if result.refusal:
        raise ModelRefusedError(f"the model refused: {' '.join(result.refusal.split())[:200]}")
    if result.finish_reason == "content_filter":
        raise ModelRefusedError("the model's content filter stopped the answer")
    if result.finish_reason == "length":
        raise TruncatedOutputError(
            f"the model's answer was cut off at {max_tokens} tokens: raise --max-tokens or shorten the sources"
        )


def _call(
    backend: Backend, request: ChatRequest, kind: str, progress: ProgressCallback | None
) -> tuple[ChatResult, Attempt]:
    start = time.monotonic()
    result = backend.chat(request, progress)
    attempt = Attempt(kind=kind, prompt_tokens=result.usage.prompt_tokens,
                      completion_tokens=result.usage.completion_tokens, finish_reason=result.finish_reason,
                      seconds=round(time.monotonic() - start, 2), errors=[])
    _check_stop(result, request.max_tokens)
    return result, attempt


@dataclass(frozen=True)
class Prepared:
    """Everything decided before a model is called: the request and what it will cost."""

    request: ChatRequest
    prompt_set: templates.PromptSet
    prompt_tokens: int
    counted_with: str
    context_window: int | None
    sent: list[Message]  # the messages as the backend will send them (plain JSON mode adds the schema)
    candidates: list[actors.Candidate]  # the listed actors (named-actors mode), most named first
    described: int  # how many of them, from the first, the model gives a role

    @property
    def mentions(self) -> dict[str, tuple[str, list[str]]]:
        """Each listed actor's kind and the sentences naming it."""
        return {c.name: (c.kind, c.sentence_ids) for c in self.candidates}

    @property
    def also_named(self) -> list[str]:
        """The listed actors the model is not asked to describe."""
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
    shown = [s.id for src in sources for s in src.sentences if not (s.suspicious and options.withhold_suspicious)]
    dates = {d: kept for d, ids in date_mentions(sources).items() if (kept := [i for i in ids if i in shown])}
    if candidates is None:
        candidates = actors.find(sources, set(shown))[:length.named_actors] if options.named_actors else []
    # A withheld sentence cannot be cited; the actors are the names the sources write most.
    request_schema = json_schema(shown, dates, length, [c.name for c in candidates] or None, length.described_actors)
    messages = build_messages(sources, options, prompt_set, length, candidates, notes)
    request = ChatRequest(messages, request_schema, options.max_tokens, options.temperature, options.seed)
    sent = schema_in_prompt(messages, request_schema) if backend.structured_mode == "json_object" else messages
    tokens, how = backend.count_tokens(sent)
    return Prepared(request, prompt_set, tokens, how, backend.context_window, sent, candidates,
                    length.described_actors)


def fits(prepared: Prepared) -> bool:
    """Whether the prompt and the answer fit the model's window (an unknown window always fits)."""
    window = prepared.context_window
    return not window or prepared.prompt_tokens + prepared.request.max_tokens <= window


def plan_stages(sources: list[Source], backend: Backend, options: GenerateOptions) -> stages.Plan:
    """How sources too long for one call would be read in parts (for --dry-run).

    Raises:
        TooLargeError: even staged, they cannot be read.
    """
    shown = {s.id for src in sources for s in src.sentences if not (s.suspicious and options.withhold_suspicious)}
    return stages.plan(sources, backend, options, shown)


def _staged(sources: list[Source], backend: Backend, options: GenerateOptions, prepared: Prepared,
            progress: ProgressCallback | None) -> tuple[Prepared, list[Attempt]]:
    """Notes from each part, then the briefing request built from them."""
    from .paths import state_dir

    plan = plan_stages(sources, backend, options)
    log.info(plan.describe())

    def call(request: ChatRequest, kind: str) -> tuple[str, Attempt]:
        result, attempt = _call(backend, request, kind, progress)
        return result.content, attempt

    notes, attempts = stages.take_notes(plan, sources, backend, options, prepared.prompt_set, call,
                                        state_dir() / "notes")
    if not notes:
        raise TooLargeError("the notes taken from the parts of the sources cite nothing; the sources cannot be "
                            "briefed in stages with this model")
    log.info("briefing from %d notes citing %d sentences", len(notes), len({c for n in notes for c in n.citations}))
    # The actors are the names the whole sources write most, not only the notes: a party named
    # in a background section the notes pass over is still one. Each is shown in two sentences
    # that name it, so that it can be cited.
    view = stages.condensed(sources, notes, [i for c in prepared.candidates for i in c.sentence_ids[:2]])
    kept = {s.id for src in view for s in src.sentences}
    named = [replace(c, sentence_ids=[i for i in c.sentence_ids if i in kept]) for c in prepared.candidates]
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
             progress: ProgressCallback | None = None) -> BriefingRun:
    """Ask the backend for a briefing of the sources, validate it, repair once, and ground it.

    Args:
        sources: loaded sources (see `load_sources`).
        backend: any object implementing `backends.Backend`.
        options: audience, focus, limits and the user's prompt folder.
        progress: called while the model works (token counts where the backend has them).

    Raises:
        TruncatedOutputError, ModelRefusedError: the model stopped without a usable answer.
        ValidationFailedError: the repaired output still failed; its `raw_output` holds the answer.
        TooLargeError: the sources do not fit the model's context window (nothing was sent).
        BackendError, ConfigError: the backend or the templates failed.
    """
    options = options or GenerateOptions()
    started = time.monotonic()
    prepared = prepare(sources, backend, options)
    attempts: list[Attempt] = []
    if not fits(prepared):
        prepared, attempts = _staged(sources, backend, options, prepared, progress)
    check_budget(prepared)
    request, prompt_set = prepared.request, prepared.prompt_set

    result, attempt = _call(backend, request, "generate", progress)
    verdict = validate(result.content, sources, prepared.mentions, prepared.also_named)
    attempt.errors = verdict.to_repair
    attempts.append(attempt)
    if verdict.to_repair:
        repair = prompt_set.render(templates.REPAIR, errors=attempt.errors, vars=dict(options.vars))
        answer: list[Message] = [{"role": "assistant", "content": result.content}, {"role": "user", "content": repair}]
        result, attempt = _call(backend, replace(request, messages=[*request.messages, *answer]), "repair", progress)
        repaired = validate(result.content, sources, prepared.mentions, prepared.also_named)
        attempt.errors = repaired.to_repair
        attempts.append(attempt)
        # A repair that breaks what was valid is not taken; one that leaves more to fix neither.
        if repaired.checked is not None or verdict.checked is None:
            if verdict.checked is None or len(repaired.errors) <= len(verdict.errors):
                verdict = repaired
    if verdict.checked is None:
        raise _validation_failed(result.content, attempts)
    briefing, report = verdict.checked  # text still carrying an instruction's strings is dropped below
    sentences = grounding.sentence_index(sources)
    dropped = content.drop_smuggled(briefing, sources)  # never rendered, whatever the repair did
    dropped += content.drop_miscited_events(briefing, sentences, date_mentions(sources))
    if dropped:
        report = grounding.check(briefing, sources)
    # What the repair left, for the reader.
    report.warnings.extend([*dropped, *content.problems(briefing, sentences)])
    mark_cut_text(briefing)
    return BriefingRun(
        briefing=briefing,
        grounding=report,
        sources=sources,
        model=result.model,
        backend=backend.name,
        structured_output=backend.structured_mode,
        prompt_hashes=dict(sorted(prompt_set.hashes.items())),
        attempts=attempts,
        seconds=time.monotonic() - started,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        ai_directed_shown=not options.withhold_suspicious,
    )


def _validation_failed(content: str, attempts: list[Attempt]) -> ValidationFailedError:
    errors = attempts[-1].errors
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return ValidationFailedError(
        f"the model's output failed validation after {len(attempts)} attempts ({errors[0]}{more})",
        raw_output=content,
        errors=errors,
        n_attempts=len(attempts),
    )
