"""A batch on a batch engine (OpenAI's Batch API, `vllm run-batch`), in rounds of one file out and
one file in (`briefing batch --emit / --collect / --openai-batch`).

Each item is briefed by the same code as a direct run, with a backend (`EngineBackend`) that
answers every request from the answers collected so far. A request with no answer yet becomes a
line of the next request file (`custom_id`, `method`, `url`, `body`: the body a direct call would
send) and the item waits. Calls made side by side (the support judge's claims, the parts of a long
document) wait together, so one round asks them all. When the answers come back, the item is
briefed again from the start: what was answered is answered at once, and the run goes as far as
the next unanswered request, or to the end. A briefing is thus a few rounds: the briefing call,
its repair if it needs one, the support check, its repair.

The answers are kept in `DIR/batch-answers.jsonl`, one line per request, so a round's results are
collected once and every later run (the next `--emit`, a rerun after Ctrl-C) reads them back. An
answer the engine could not give (an error line) fails its item in that run; the next `--emit`
asks for it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .backends.base import ChatRequest, ChatResult, Message, Outgoing, ProgressCallback, StructuredMode, estimate_tokens
from .calls import Unanswered
from .errors import BackendError, InputError
from .record import Usage

if TYPE_CHECKING:
    import openai

    from .batch import Outcome
    from .settings import BackendSettings, LengthName

URL = "/v1/chat/completions"
ANSWERS = "batch-answers.jsonl"


def custom_id(body: dict[str, Any]) -> str:
    """A request's id: the hash of its body, so that the same request is asked once and its answer
    found again in every later round."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "briefing-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def request_line(body: dict[str, Any]) -> dict[str, Any]:
    """One line of a request file, in the OpenAI Batch API's input format."""
    return {"custom_id": custom_id(body), "method": "POST", "url": URL, "body": body}


@dataclass(frozen=True)
class Answer:
    """What the engine answered to one request: a completion, or why it gave none."""

    custom_id: str
    result: ChatResult | None
    error: str = ""


def read_results(lines: Iterable[str], where: str = "results") -> Iterator[Answer]:
    """The answers of a results file: OpenAI's Batch API output and error files, and the output of
    `vllm run-batch` (`custom_id`, `response.status_code`, `response.body`: a chat completion,
    `error`: an object with a message, a string, or null).

    Raises:
        InputError: a line that is not JSON or has no custom_id.
    """
    from .batch import json_lines

    for n, line in json_lines(lines, where):
        if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
            raise InputError(f"{where}, line {n}: not a batch result line (no custom_id)")
        response: dict[str, Any] = line["response"] if isinstance(line.get("response"), dict) else {}
        body: dict[str, Any] = response["body"] if isinstance(response.get("body"), dict) else {}
        status = response.get("status_code", 200)
        choices = body.get("choices")
        if not line.get("error") and status == 200 and isinstance(choices, list) and choices:
            yield Answer(line["custom_id"], _completion(choices[0], body))
        else:
            yield Answer(line["custom_id"], None, _why(line.get("error"), body, status))


def _completion(choice: dict[str, Any], body: dict[str, Any]) -> ChatResult:
    message = choice.get("message") or {}
    usage = body.get("usage") or {}
    return ChatResult(content=message.get("content") or "", finish_reason=choice.get("finish_reason") or "",
                      model=str(body.get("model") or ""), refusal=message.get("refusal"),
                      usage=Usage(prompt_tokens=int(usage.get("prompt_tokens") or 0),
                                  completion_tokens=int(usage.get("completion_tokens") or 0)))


def _why(error: Any, body: dict[str, Any], status: Any) -> str:
    """One line: the engine's reason for giving no answer."""
    found = error or body.get("error") or body
    if isinstance(found, dict):
        found = found.get("message") or found.get("code") or json.dumps(found)[:200]
    text = " ".join(str(found or "").split())[:300]
    return f"the batch engine answered {status}: {text}" if text else f"the batch engine answered {status}"


class Store:
    """The answers collected so far, by custom_id, in one JSONL file of the output folder."""

    def __init__(self, path: Path):
        self.path = path
        self.answers: dict[str, ChatResult] = {}
        if path.is_file():
            for raw in path.read_text(encoding="utf-8").splitlines():
                try:
                    line = json.loads(raw)
                    self.answers[line["custom_id"]] = _result(line)
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut by a crash: its request is asked again

    def add(self, answers: Iterable[Answer]) -> int:
        """Keep the new completions among these answers (on disk before this returns); their count."""
        new = [(a.custom_id, a.result) for a in answers if a.result is not None and a.custom_id not in self.answers]
        if not new:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8", newline="\n") as f:
            for cid, result in new:
                self.answers[cid] = result
                f.write(json.dumps({"custom_id": cid, "content": result.content,
                                    "finish_reason": result.finish_reason, "model": result.model,
                                    "refusal": result.refusal, "prompt_tokens": result.usage.prompt_tokens,
                                    "completion_tokens": result.usage.completion_tokens}, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return len(new)


def _result(line: dict[str, Any]) -> ChatResult:
    return ChatResult(content=line["content"], finish_reason=line.get("finish_reason") or "",
                      model=line.get("model") or "", refusal=line.get("refusal"),
                      usage=Usage(prompt_tokens=line.get("prompt_tokens") or 0,
                                  completion_tokens=line.get("completion_tokens") or 0))


@dataclass
class Round:
    """What one run of the items leaves: the requests still to answer, and the engine's failures
    met. Shared by the briefing's backend and its judge's."""

    store: Store
    errors: dict[str, str]
    pending: dict[str, dict[str, Any]]
    lock: threading.Lock
    collected: set[str] = field(default_factory=set)  # custom_ids of the results taken in by this run
    asked: set[str] = field(default_factory=set)  # custom_ids of the requests the items made

    def collect(self, lines: Iterable[str], where: str = "results") -> tuple[int, int]:
        """Take in a results file: (answers newly kept, requests the engine failed)."""
        answers = list(read_results(lines, where))
        for a in answers:
            if a.result is None:
                self.errors.setdefault(a.custom_id, a.error)
        self.collected.update(a.custom_id for a in answers)
        kept = self.store.add(answers)
        return kept, sum(a.result is None for a in answers)

    def unused(self) -> bool:
        """Whether results were collected in this run and none of them answers a request these
        items made (a file from another command: other items, another --model, other options)."""
        return bool(self.collected) and not self.collected & self.asked

    def requests(self) -> list[dict[str, Any]]:
        """The request lines the items wait for, in the order they were met (those answered or
        failed since are not)."""
        return [line for cid, line in self.pending.items() if cid not in self.store.answers and cid not in self.errors]


def new_round(out_dir: Path) -> Round:
    return Round(Store(out_dir / ANSWERS), {}, {}, threading.Lock())


class EngineBackend:
    """A backend whose answers come from a batch engine: each request is answered from the answers
    collected so far, or recorded for the next request file (`Unanswered`)."""

    name = "batch_engine"
    default_length: LengthName = "standard"
    parallel_requests = True
    reuses_prompt_prefix = False

    def __init__(self, *, model: str, round: Round, mode: StructuredMode = "json_schema",
                 context_window: int | None = None, strict: bool = False):
        self.model = model
        self.strict = strict  # OpenAI's strict schema form (`openai_compat.strict_form`)
        self.round = round
        self.mode: StructuredMode = mode
        self.context_window = context_window

    @property
    def structured_mode(self) -> StructuredMode:
        return self.mode

    def describe(self) -> Iterator[str]:
        yield f"batch engine: requests for {self.model} written to a file, answers read back ({self.mode})"

    def prepare(self, request: ChatRequest) -> Outgoing:
        return Outgoing(self.body(request)["messages"], self.mode)

    def count_tokens(self, messages: list[Message]) -> tuple[int, str]:
        return estimate_tokens(messages), "estimated at 4 characters a token"

    def body(self, request: ChatRequest) -> dict[str, Any]:
        """The body a direct call would send; a label-only schema is wrapped in an object, which
        both OpenAI (strict schemas) and vLLM take, and for OpenAI the schema is in strict form."""
        from .backends.openai_compat import request_body

        return request_body(self.model, request, self.mode, object_root=True, strict=self.strict)

    def chat(self, request: ChatRequest, progress: ProgressCallback | None = None) -> ChatResult:
        line = request_line(self.body(request))
        cid = line["custom_id"]
        self.round.asked.add(cid)
        found = self.round.store.answers.get(cid)
        if found is not None:
            return found
        if cid in self.round.errors:
            raise BackendError(self.round.errors[cid])
        with self.round.lock:
            self.round.pending.setdefault(cid, line)
        raise Unanswered([cid])


def write_requests(path: Path, lines: list[dict[str, Any]]) -> None:
    """The request file, written whole or not at all."""
    from .output import write_atomic

    write_atomic(path, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))


def backends_for(settings: BackendSettings, round: Round, *, openai: bool = False) -> tuple[EngineBackend,
                                                                                             EngineBackend | None]:
    """The briefing's and the judge's backends for a batch engine (`--model`, `--judge-model`,
    `--structured-output`, `--context-window`); on OpenAI the model defaults to the CLI's default
    and the window to OpenAI's.

    Raises:
        ConfigError: no model named for an engine other than OpenAI's.
    """
    from .backends import DEFAULT_OPENAI_MODEL
    from .backends.openai_compat import OPENAI_CONTEXT
    from .errors import ConfigError

    model = settings.model or (DEFAULT_OPENAI_MODEL if openai else None)
    if model is None:
        raise ConfigError("--emit and --collect need --model: the name the batch engine serves the model under")
    mode: StructuredMode = "json_schema" if settings.structured_output == "auto" else settings.structured_output
    window = settings.context_window or (OPENAI_CONTEXT if openai else None)
    backend = EngineBackend(model=model, round=round, mode=mode, context_window=window, strict=openai)
    judge = EngineBackend(model=settings.judge_model, round=round, mode=mode, context_window=window,
                          strict=openai) if settings.judge_model else None
    return backend, judge


STATE = "openai-batch.json"  # the batch in flight on OpenAI, so that a rerun waits for it, not resubmits
FINAL = {"completed", "failed", "expired", "cancelled"}


def on_openai(brief: Callable[[], list[Outcome]], round: Round, client: openai.OpenAI, out_dir: Path,
              say: Callable[[str], None], poll: float = 30.0, max_rounds: int = 12) -> list[Outcome]:
    """Brief the items in rounds on OpenAI's Batch API: brief what the answers allow, upload what
    the items wait for as one batch, wait for it, collect its output and error files, and again,
    until no item waits. The batch in flight is named in `DIR/openai-batch.json`: interrupted, the
    same command waits for that batch instead of sending it again.

    Raises:
        BackendError: OpenAI failed the whole batch (its reason), or the rounds did not end.
    """
    from .output import write_atomic

    state = out_dir / STATE
    for _ in range(max_rounds):
        if state.is_file():
            batch_id = json.loads(state.read_text(encoding="utf-8"))["batch"]
            try:
                files = _finished_batch(client, batch_id, say, poll)
            except BackendError:
                state.unlink()  # a batch OpenAI failed is not waited for again
                raise
            for name, text in files:
                kept, failed = round.collect(text.splitlines(), name)
                say(f"OpenAI batch {batch_id}: {kept} answers collected" + (f", {failed} failed" if failed else ""))
            state.unlink()
        outcomes = brief()
        lines = round.requests()
        if not lines:
            return outcomes
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
        upload = client.files.create(file=("briefing-requests.jsonl", data), purpose="batch")
        batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h",
                                      metadata={"made_by": "briefing batch"})
        write_atomic(state, json.dumps({"batch": batch.id, "input_file": upload.id, "requests": len(lines)}) + "\n")
        say(f"OpenAI batch {batch.id}: {len(lines)} requests sent")
    raise BackendError(f"the items still wait for answers after {max_rounds} rounds of OpenAI batches")


def _finished_batch(client: openai.OpenAI, batch_id: str, say: Callable[[str], None],
                    poll: float) -> list[tuple[str, str]]:
    """The output and error files of a batch, once it has ended.

    Raises:
        BackendError: the batch failed as a whole (OpenAI's reason).
    """
    import time

    last = ""
    while True:
        batch = client.batches.retrieve(batch_id)
        counts = batch.request_counts
        now = f"{batch.status}" + (f", {counts.completed + counts.failed} of {counts.total} answered" if counts else "")
        if now != last:
            say(f"OpenAI batch {batch_id}: {now}")
            last = now
        if batch.status in FINAL:
            break
        time.sleep(poll)
    files = [(f"{batch_id} {kind}", client.files.content(file_id).text)
             for kind, file_id in (("output", batch.output_file_id), ("errors", batch.error_file_id)) if file_id]
    if batch.status == "failed" and not files:
        errors = batch.errors.data if batch.errors and batch.errors.data else []
        why = "; ".join(e.message or e.code or "" for e in errors) or "no reason given"
        raise BackendError(f"OpenAI failed the batch {batch_id}: {' '.join(why.split())[:300]}")
    return files
