"""The one protocol every backend implements."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..record import NO_USAGE, Usage

if TYPE_CHECKING:
    from ..settings import LengthName

Message = dict[str, str]
# How a schema reaches the model, strongest first: a server-enforced schema, llama-cpp-python's
# schema field (and the local grammar), plain JSON mode with the schema in the prompt.
StructuredMode = Literal["json_schema", "json_object_schema", "json_object"]
STRUCTURED_MODES: tuple[StructuredMode, ...] = ("json_schema", "json_object_schema", "json_object")
# Called with the number of output tokens so far (or None while the prompt is being read).
ProgressCallback = Callable[[int | None], None]
# Given the text a model has written so far and the text of a token it may write next: whether
# that token must be set aside for another (applied by backends that sample in process).
Veto = Callable[[str, str], bool]


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion request; everything in it is deterministic for a given input."""

    messages: list[Message]
    json_schema: dict[str, Any]
    max_tokens: int = 2048
    temperature: float = 0.0
    seed: int = 0
    # Rules the output must keep as it is written, where the backend can apply them token by
    # token (the local model); a server cannot, and the answer's checks catch what they would.
    veto: Veto | None = None


@dataclass(frozen=True)
class ChatResult:
    """What came back: the raw text, why it stopped, and what it cost."""

    content: str
    finish_reason: str
    model: str
    usage: Usage = NO_USAGE
    refusal: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """A request as a backend will send it: the messages the model reads (plain JSON mode adds the
    schema to the last one) and how the schema reaches the model. What the budget counts, the dry
    run shows and the call sends."""

    messages: list[Message]
    structured_mode: StructuredMode


# Chat templates wrap each message in a few special tokens (role markers, separators).
PER_MESSAGE_TOKENS = 4


def estimate_tokens(messages: list[Message]) -> int:
    """A tokenizer-free estimate: about 4 characters a token for English prose."""
    return sum(len(m["content"]) // 4 + 1 + PER_MESSAGE_TOKENS for m in messages)


def schema_in_prompt(messages: list[Message], schema: dict[str, Any]) -> list[Message]:
    """For plain JSON mode the server enforces no schema, so the last message carries it."""
    note = "\n\nReply with one JSON object that matches this JSON schema:\n" + json.dumps(schema, separators=(",", ":"))
    return [*messages[:-1], {**messages[-1], "content": messages[-1]["content"] + note}]


class Backend(Protocol):
    """A model that answers chat requests with JSON constrained by a schema, and what it can do."""

    name: str
    model: str
    # Tokens the model can attend to (prompt and answer together); None when unknown.
    context_window: int | None
    # The briefing length when the user names none: what this backend writes in reasonable time.
    default_length: LengthName
    # Whether requests may run at the same time (a server), or one after another (a model in process).
    parallel_requests: bool
    # Whether a request costs only what it adds to the beginning it shares with the one before (a
    # model in process keeps that in its KV cache; a server may or may not).
    reuses_prompt_prefix: bool

    def describe(self) -> Iterator[str]:
        """Lines for `briefing doctor`: the model file or server and what it supports.

        Raises:
            BackendError: after the lines, when it cannot serve briefings.
        """
        ...

    def count_tokens(self, messages: list[Message]) -> tuple[int, str]:
        """Prompt tokens of these messages and how they were counted (for the budget check: count
        `prepare(request).messages`)."""
        ...

    @property
    def structured_mode(self) -> StructuredMode:
        """How the schema will reach the model in the next request (a server's remembered or
        negotiated mode, else its strongest)."""
        ...

    def prepare(self, request: ChatRequest) -> Outgoing:
        """The request as `chat` will send it (the one place that decides it)."""
        ...

    def chat(self, request: ChatRequest, progress: ProgressCallback | None = None) -> ChatResult:
        """Run one request.

        Raises:
            BackendError: the server or model failed.
        """
        ...
