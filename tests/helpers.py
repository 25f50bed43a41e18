"""Shared test helpers: a fake backend and a valid briefing for the sample article."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from briefing.backends.base import (
    ChatRequest,
    ChatResult,
    Message,
    Outgoing,
    ProgressCallback,
    StructuredMode,
    estimate_tokens,
    schema_in_prompt,
)
from briefing.record import Usage
from briefing.settings import LengthName

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_918e6d9692383a64.txt"


def good_briefing(**changes: Any) -> dict[str, Any]:
    """A briefing that passes every check against the sample article."""
    briefing: dict[str, Any] = {
        "title": "Blinken courts Europe on Ukraine before Trump returns",
        "bottom_line": "Washington is rushing aid to Ukraine before January 20. Allies fear Trump will cut support.",
        "context": "Blinken visits Brussels after Trump's election win.",
        "actors": [
            {"name": "Antony Blinken", "kind": "official", "role": "US Secretary of State",
             "interests": "Lock in support for Ukraine", "citations": ["1.2", "1.3"]},
            {"name": "Donald Trump", "kind": "official", "role": "Incoming US president",
             "interests": "End the war quickly", "citations": ["1.20"]},
        ],
        "positions": [
            {"actor": "Donald Trump", "issue": "NATO spending", "stance": "Wants allies to spend 3% of GDP",
             "citations": ["1.17"]},
        ],
        "risks": [
            {"title": "US aid stops", "description": "A new administration may reverse support.",
             "likelihood": "medium", "impact": "high", "horizon": "months",
             "indicators": ["Aid deliveries after January 20"], "affected_actors": ["Antony Blinken"],
             "citations": ["1.6", "1.8"]},
        ],
        "open_questions": [
            {"question": "How would Trump end the war?", "why_it_matters": "Ukraine's forces are outnumbered.",
             "what_would_resolve_it": "A plan from the Trump team.", "citations": ["1.20"]},
        ],
        "timeline": [
            {"date": "Nov. 5", "event": "Trump wins the election", "citations": ["1.3"]},
        ],
    }
    briefing.update(changes)
    return briefing


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data)


class FakeBackend:
    """Answers each request with the next canned output; records what it was asked.

    The support judge's requests (`briefing.support.request`) are answered apart, from `verdicts`
    in order and then "supported", and recorded in `judged`: a test about something else need not
    script them."""

    name = "fake"
    model = "fake-model"
    context_window: int | None = 8192
    default_length: LengthName = "standard"
    parallel_requests = False  # canned answers are handed out in order
    reuses_prompt_prefix = True  # as the model in process: the summaries are judged after the request

    def __init__(self, *outputs: str | ChatResult, mode: StructuredMode = "json_object_schema",
                 verdicts: list[str] | None = None):
        self.outputs = list(outputs)
        self.requests: list[ChatRequest] = []
        self.mode: StructuredMode = mode
        self.verdicts = list(verdicts or [])
        self.judged: list[ChatRequest] = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    @property
    def structured_mode(self) -> StructuredMode:
        return self.mode

    def prepare(self, request: ChatRequest) -> Outgoing:
        messages = schema_in_prompt(request.messages, request.json_schema) if self.mode == "json_object" else \
            request.messages
        return Outgoing(messages, self.mode)

    def describe(self) -> Iterator[str]:
        yield "fake: answers with canned outputs"

    def count_tokens(self, messages: list[Message]) -> tuple[int, str]:
        return estimate_tokens(messages), "estimated"

    def chat(self, request: ChatRequest, progress: ProgressCallback | None = None) -> ChatResult:
        from briefing import support

        if request.json_schema == support.SCHEMA:
            self.judged.append(request)
            label = self.verdicts.pop(0) if self.verdicts else "supported"
            return ChatResult(json.dumps(label), "stop", self.model, Usage(prompt_tokens=100, completion_tokens=3))
        self.requests.append(request)
        # Canned answers spent: an empty object (a repair that changes nothing; no briefing validates).
        out = self.outputs.pop(0) if self.outputs else "{}"
        if isinstance(out, ChatResult):
            return out
        if progress:
            progress(42)
        return ChatResult(out, "stop", self.model, Usage(prompt_tokens=1000, completion_tokens=300))
