"""Sources longer than the model's window, briefed in stages instead of refused.

The sentences are split at paragraph boundaries into parts that fit the window with room for
the answer; from each part the model takes notes (the points that matter: actors, positions,
risks, dated events), each citing the part's own sentence ids. The briefing is then written from
the notes and the sentences they cite, under their original ids, so the evidence section still
quotes the sources and `briefing verify` still holds.

Each part's notes are kept on disk, keyed by model, templates, options and the part's text: a run
stopped with Ctrl-C resumes where it stopped, and a second briefing of the same report (another
`--focus`) reuses them. Against a server, parts are read concurrently.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import steering, templates
from .backends.base import Backend, ChatRequest, Message, ProgressCallback
from .calls import Unanswered, call, each
from .errors import TooLargeError
from .record import Attempt
from .settings import GenerateOptions
from .sources import Sentence, Source, as_read

log = logging.getLogger(__name__)

# The most points one part's notes may hold, and how long each may be.
MAX_POINTS = 8
POINT_CHARS = 200
# Output tokens a part's notes may take: 8 points of about 60 tokens.
NOTES_TOKENS = 768
# What a part's prompt adds to its sentences: the system message, instructions and ids.
OVERHEAD_TOKENS = 400


@dataclass(frozen=True)
class Part:
    """A run of whole paragraphs of the sources, small enough for one notes call."""

    number: int
    sentences: list[Sentence]
    source_ids: list[str]
    tokens: int


@dataclass(frozen=True)
class Note:
    point: str
    citations: list[str]


@dataclass(frozen=True)
class Plan:
    """How a source set too long for one call is read: its parts, and the calls they take."""

    parts: list[Part]
    window: int

    def describe(self) -> str:
        sizes = ", ".join(f"{p.tokens:,}" for p in self.parts)
        return (f"staged: the sources do not fit one {self.window:,}-token call; {len(self.parts)} parts "
                f"(about {sizes} tokens of source text), {len(self.parts)} notes calls of up to {NOTES_TOKENS} "
                "output tokens each, then 1 briefing call from the notes and the sentences they cite")


def plan(sources: list[Source], backend: Backend, options: GenerateOptions, shown: set[str]) -> Plan:
    """Split the shown sentences into parts that fit the window, at paragraph boundaries.

    Raises:
        TooLargeError: the window is unknown, or too small for even one paragraph and the notes.
    """
    window = backend.context_window
    if not window:
        raise TooLargeError("the sources are too long for one call and the model's window is unknown: "
                            "set --context-window to brief them in stages")
    # At most half the window a part: on the development PDF, a small model reading 7,000 tokens at
    # once noted only the first sentences of each part (3 notes of 8, all from the first page).
    budget = min(window - NOTES_TOKENS - OVERHEAD_TOKENS, window // 2)
    parts: list[Part] = []
    current: list[Sentence] = []
    current_tokens = 0
    for paragraph in _paragraphs(sources, shown):
        tokens = backend.count_tokens([{"role": "user", "content": "\n".join(s.text for s in paragraph)}])[0]
        tokens += 6 * len(paragraph)  # the "[1.23] " before each sentence
        if tokens > budget:
            raise TooLargeError(f"one paragraph of the sources ({paragraph[0].id}…) is {tokens:,} tokens: more "
                                f"than a {window:,}-token window can read with room for notes")
        if current and current_tokens + tokens > budget:
            parts.append(_part(len(parts) + 1, current, current_tokens))
            current, current_tokens = [], 0
        current += paragraph
        current_tokens += tokens
    if current:
        parts.append(_part(len(parts) + 1, current, current_tokens))
    return Plan(parts, window)


def _part(number: int, sentences: list[Sentence], tokens: int) -> Part:
    return Part(number, sentences, list(dict.fromkeys(s.id.split(".")[0] for s in sentences)), tokens)


def _paragraphs(sources: list[Source], shown: set[str]) -> list[list[Sentence]]:
    """Sentences grouped by the line (paragraph) they stand on, in order."""
    paragraphs: list[list[Sentence]] = []
    for source in sources:
        line = -1
        for sentence in source.sentences:
            if sentence.id not in shown:
                continue
            here = source.text.count("\n", 0, sentence.start)
            if here != line or not paragraphs:
                paragraphs.append([])
                line = here
            paragraphs[-1].append(sentence)
    return paragraphs


def take_notes(plan: Plan, sources: list[Source], backend: Backend, options: GenerateOptions,
               prompt_set: templates.PromptSet, folder: Path,
               progress: ProgressCallback | None = None) -> tuple[list[Note], list[Attempt]]:
    """The notes of every part, from the cache where a run already took them.

    Args:
        folder: where notes are kept between runs.
        progress: called while the model works.
    """
    requests = [request_for(part, sources, options, prompt_set, plan) for part in plan.parts]
    keys = [_key(backend, prompt_set, options, part, request) for part, request in zip(plan.parts, requests,
                                                                                       strict=True)]

    def one(index: int) -> tuple[list[Note], Attempt | None]:
        part, request, key = plan.parts[index], requests[index], keys[index]
        cached = _load(folder / f"{key}.json")
        if cached is not None:
            log.info("part %d/%d: notes from an earlier run", part.number, len(plan.parts))
            return cached, None
        log.info("part %d/%d: reading %s-%s (%s tokens)", part.number, len(plan.parts), part.sentences[0].id,
                 part.sentences[-1].id, f"{part.tokens:,}")
        result, attempt = call(backend, request, f"notes {part.number}/{len(plan.parts)}", progress)
        notes = _parse(result.content, {s.id for s in part.sentences})
        _save(folder / f"{key}.json", notes)
        return notes, attempt

    def asked(index: int) -> tuple[list[Note], Attempt | None] | Unanswered:
        try:
            return one(index)
        except Unanswered as e:  # a batch engine's next round asks for every part at once
            return e

    workers = min(options.concurrency, len(plan.parts)) if backend.parallel_requests else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = each(list(pool.map(asked, range(len(plan.parts)))))
    notes = [note for part_notes, _ in results for note in part_notes]
    return notes, [attempt for _, attempt in results if attempt is not None]


def request_for(part: Part, sources: list[Source], options: GenerateOptions, prompt_set: templates.PromptSet,
                plan: Plan) -> ChatRequest:
    """The notes request of one part. It leaves `--focus` out: the briefing call asks the question,
    so a second briefing of the same report with another focus reuses the notes."""
    ids = [s.id for s in part.sentences]
    shown = {s.id for s in part.sentences}
    view = [as_read(replace(src, sentences=[s for s in src.sentences if s.id in shown])) for src in sources
            if src.id in part.source_ids]
    common = {"audience": options.audience, "language": options.language, "vars": dict(options.vars)}
    messages: list[Message] = [
        {"role": "system", "content": prompt_set.render(templates.SYSTEM, **common)},
        {"role": "user", "content": prompt_set.render(
            templates.NOTES, sources=view, fence=templates.delimiter(sources), part=part.number,
            parts=len(plan.parts), points=MAX_POINTS, **common)},
    ]
    return ChatRequest(messages, notes_schema(ids), NOTES_TOKENS, options.temperature, options.seed,
                       veto=steering.set_aside)


def notes_schema(ids: list[str]) -> dict[str, Any]:
    """The JSON schema of one part's notes: points, each citing the part's sentence ids."""
    point = {"type": "object", "additionalProperties": False, "required": ["point", "citations"],
             "properties": {"point": {"type": "string", "minLength": 1, "maxLength": POINT_CHARS},
                            "citations": {"type": "array", "minItems": 1, "maxItems": 3,
                                          "items": {"enum": ids, "type": "string"}}}}
    return {"type": "object", "additionalProperties": False, "required": ["points"],
            "properties": {"points": {"type": "array", "minItems": 1, "maxItems": MAX_POINTS, "items": point}}}


def _parse(answer: str, ids: set[str]) -> list[Note]:
    """The notes of an answer; points whose citations are not the part's own are left out."""
    try:
        data = json.loads(answer)
    except json.JSONDecodeError:
        return []
    points = data.get("points") if isinstance(data, dict) else None
    notes = []
    for item in points if isinstance(points, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("point"), str):
            continue
        cited = [c for c in item.get("citations") or [] if isinstance(c, str) and c in ids]
        if cited and item["point"].strip():
            notes.append(Note(" ".join(item["point"].split())[:POINT_CHARS], cited))
    return notes


def _key(backend: Backend, prompt_set: templates.PromptSet, options: GenerateOptions, part: Part,
         request: ChatRequest) -> str:
    """Same model, templates, options and text: the same notes."""
    material = json.dumps({"model": backend.model, "backend": backend.name, "messages": request.messages,
                           "schema": request.json_schema, "max_tokens": request.max_tokens,
                           "temperature": options.temperature, "seed": options.seed}, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _load(path: Path) -> list[Note] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Note(str(n["point"]), [str(c) for c in n["citations"]]) for n in data["notes"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(path: Path, notes: list[Note]) -> None:
    from .output import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"notes": [{"point": n.point, "citations": n.citations} for n in notes]}))
    except OSError:
        log.warning("could not keep the notes in %s; a rerun will take them again", path.parent)


def condensed(sources: list[Source], notes: list[Note], also: Iterable[str] = ()) -> list[Source]:
    """The sources as the briefing call shows them: only the sentences the notes cite (and the ids
    in `also`), under their own ids (the sources themselves, their text and hashes, are unchanged)."""
    cited = {c for note in notes for c in note.citations} | set(also)
    view = [replace(src, sentences=[s for s in src.sentences if s.id in cited]) for src in sources]
    return [src for src in view if src.sentences]
