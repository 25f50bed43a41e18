"""Any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, llama-cpp-python) via the openai SDK."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, ConfigError
from ..output import write_atomic
from ..record import NO_USAGE, Usage
from .base import (
    PER_MESSAGE_TOKENS,
    STRUCTURED_MODES,
    ChatRequest,
    ChatResult,
    Message,
    Outgoing,
    ProgressCallback,
    StructuredMode,
    estimate_tokens,
    schema_in_prompt,
)

if TYPE_CHECKING:
    import openai

    from ..settings import LengthName

OPENAI_URL = "https://api.openai.com/v1"
# Sent when a server needs no key: never fall back to a real key meant for another server.
PLACEHOLDER_KEY = "no-key-needed"
OPENAI_CONTEXT = 128_000
# Statuses with which servers reject a response_format they do not support.
_REJECTS_FORMAT = {400, 422, 500}
# Strongest first: a server-enforced schema, llama-cpp-python's schema field, plain JSON mode.
LADDER = STRUCTURED_MODES


class ModeMemory:
    """What structured-output mode each server and model took, kept in a small JSON file."""

    def __init__(self, path: Path):
        self.path = path

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> StructuredMode | None:
        mode = self._load().get(key)
        return next((m for m in LADDER if m == mode), None)

    def set(self, key: str, mode: StructuredMode) -> None:
        data = self._load()
        if data.get(key) == mode:
            return
        data[key] = mode
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
        except OSError:
            pass  # a memory that cannot be written only costs the next run a probe


def response_format(mode: StructuredMode, schema: dict[str, Any]) -> dict[str, Any]:
    """The `response_format` body field for each structured-output mode."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "briefing", "strict": True, "schema": schema}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def request_body(model: str, request: ChatRequest, mode: StructuredMode, *, object_root: bool = False,
                 strict: bool = False) -> dict[str, Any]:
    """The body of a chat completion request in `mode`: what a call sends and what a batch file holds.

    With `object_root`, a schema whose root is not an object (the support judge's label) is sent as
    `{"verdict": …}`, as OpenAI's strict schemas require; `support.read` takes either answer. With
    `strict` (OpenAI), the schema is also put in the form OpenAI's strict mode accepts
    (`strict_form`).
    """
    schema, max_tokens = request.json_schema, request.max_tokens
    if (object_root or strict) and mode == "json_schema" and schema.get("type") != "object":
        schema = {"type": "object", "properties": {"verdict": schema}, "required": ["verdict"],
                  "additionalProperties": False}
        max_tokens = max(max_tokens, WRAPPED_TOKENS)
    if strict and mode == "json_schema":
        schema = strict_form(schema)
    messages = schema_in_prompt(request.messages, schema) if mode == "json_object" else request.messages
    return {"model": model, "messages": messages, "response_format": response_format(mode, schema),
            "max_tokens": max_tokens, "temperature": request.temperature, "seed": request.seed}


# Keywords OpenAI's strict structured outputs reject; the answer's validation still applies them.
_NOT_STRICT = {"minLength", "maxLength"}


def strict_form(node: Any) -> Any:
    """A schema as OpenAI's strict mode takes it: every property of an object required (one that
    was optional may be null instead), no string-length keywords."""
    if isinstance(node, list):
        return [strict_form(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict_form(v) for k, v in node.items() if k not in _NOT_STRICT}
    if isinstance(out.get("properties"), dict):
        required = set(node.get("required", []))
        out["properties"] = {name: value if name in required else {"anyOf": [value, {"type": "null"}]}
                             for name, value in out["properties"].items()}
        out["required"] = list(out["properties"])
    return out


# Enough for `{"verdict":"not_supported"}` in any tokenizer.
WRAPPED_TOKENS = 24


class OpenAICompatBackend:
    """Chat completions through the openai SDK; `mode=None` picks the structured-output mode itself."""

    name = "openai_compat"
    default_length: LengthName = "standard"
    parallel_requests = True
    reuses_prompt_prefix = False  # whether the server caches prompts is its own affair

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: StructuredMode | None = None,
        timeout: float = 600.0,
        max_retries: int = 2,
        context_window: int | None = None,
        memory: ModeMemory | None = None,
        client: openai.OpenAI | None = None,
    ):
        self.model = model
        self.base_url = base_url or OPENAI_URL
        # OpenAI's current chat models take at least 128k tokens; other servers say nothing, so
        # their window is checked only when the user names it.
        self.context_window = context_window or (OPENAI_CONTEXT if self.base_url == OPENAI_URL else None)
        self._mode: StructuredMode | None = mode
        self._auto = mode is None
        self._memory = memory
        self._key = f"{self.base_url} {model}"
        # Answers that the client retries (429 Too Many Requests, honouring Retry-After, and 5xx),
        # counted across threads: a batch with items in flight shares this one client.
        self.retries = 0
        self._lock = threading.Lock()
        self._client = client or make_client(self.base_url, api_key, timeout, max_retries, self._count)

    def _count(self, response: Any) -> None:
        if response.status_code == 429 or response.status_code >= 500:
            with self._lock:
                self.retries += 1

    def close(self) -> None:
        """Close the HTTP client's connections (the CLI does when its command ends)."""
        self._client.close()

    def describe(self) -> Iterator[str]:
        yield f"server: {self.base_url}"
        found = self.probe()
        yield from (f"structured output {mode}: {verdict}" for mode, verdict in found.items())
        usable = [mode for mode, verdict in found.items() if verdict == "accepted"]
        if not usable:
            raise BackendError(f"no structured-output mode works on the server at {self.base_url}")
        yield f"briefing will use: {usable[0]}"

    @property
    def structured_mode(self) -> StructuredMode:
        """The mode named, else the one this run settled on, else the one remembered for this
        server and model, else the strongest (the first request negotiates down from it)."""
        return self._mode or self._remembered() or LADDER[0]

    def _remembered(self) -> StructuredMode | None:
        return self._memory.get(self._key) if self._auto and self._memory else None

    def prepare(self, request: ChatRequest, mode: StructuredMode | None = None) -> Outgoing:
        """The messages as sent in `mode` (default: `structured_mode`): plain JSON mode enforces
        no schema, so the last message carries it."""
        mode = mode or self.structured_mode
        messages = schema_in_prompt(request.messages, request.json_schema) if mode == "json_object" else \
            request.messages
        return Outgoing(messages, mode)

    def count_tokens(self, messages: list[Message]) -> tuple[int, str]:
        """tiktoken for OpenAI's own models (its tables download on first use); an estimate otherwise."""
        if self.base_url == OPENAI_URL:
            try:
                import tiktoken

                encoding = tiktoken.encoding_for_model(self.model)
            except Exception:  # unknown model, no tiktoken, or its tables cannot be downloaded
                pass
            else:
                total = sum(len(encoding.encode(m["content"])) for m in messages)
                return total + PER_MESSAGE_TOKENS * len(messages), f"tiktoken {encoding.name}"
        return estimate_tokens(messages), "estimated at 4 characters a token"

    def chat(self, request: ChatRequest, progress: ProgressCallback | None = None) -> ChatResult:
        if not self._auto:
            return self._complete(self._client, request, self.structured_mode)
        start = self.structured_mode
        ladder = LADDER[LADDER.index(start):]
        for mode in ladder[:-1]:
            result = self._try(request, mode)
            if result is not None:
                return self._settled(mode, result)
        return self._settled(ladder[-1], self._complete(self._client, request, ladder[-1]))

    def _try(self, request: ChatRequest, mode: StructuredMode) -> ChatResult | None:
        """One unretried attempt in `mode`; None when the server rejects the format itself."""
        import openai

        try:
            return self._complete(self._client.with_options(max_retries=0), request, mode, probe=True)
        except openai.APIStatusError as e:
            if _rejects_format(e):
                return None
        return self._complete(self._client, request, mode)  # an ordinary failure: retried as configured

    def _settled(self, mode: StructuredMode, result: ChatResult) -> ChatResult:
        """Keep the mode that worked for the rest of this run and, if remembered, later runs."""
        self._mode = mode
        if self._memory:
            self._memory.set(self._key, mode)
        return result

    def probe(self) -> dict[StructuredMode, str]:
        """Try each structured-output mode with a tiny request: what this server accepts (for `doctor`)."""
        import openai

        schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"],
                  "additionalProperties": False}
        request = ChatRequest([{"role": "user", "content": 'Reply with {"ok": true}.'}], schema, max_tokens=16)
        found: dict[StructuredMode, str] = {}
        for mode in LADDER:
            try:
                self._complete(self._client.with_options(max_retries=0), request, mode, probe=True)
                found[mode] = "accepted"
            except openai.APIStatusError as e:
                found[mode] = f"rejected ({e.status_code}: {_brief(e)})"
        return found

    def _complete(self, client: openai.OpenAI, request: ChatRequest, mode: StructuredMode,
                  probe: bool = False) -> ChatResult:
        import openai

        try:
            response = client.chat.completions.create(
                **request_body(self.model, request, mode, strict=self.base_url == OPENAI_URL))
        except openai.APIStatusError as e:
            if probe:
                raise
            raise self._mapped(e) from e
        except openai.OpenAIError as e:
            raise self._mapped(e) from e
        return _result(response, self.model)

    def _mapped(self, e: Exception) -> Exception:
        """One place that turns SDK errors into errors a user can act on."""
        import openai

        url = self.base_url
        if isinstance(e, openai.APITimeoutError):
            return BackendError(f"the model server at {url} did not answer in time (raise --timeout)")
        if isinstance(e, openai.APIConnectionError):
            return BackendError(f"cannot reach the model server at {url}: is it running?")
        if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError):
            return ConfigError(
                f"the server at {url} refused the API key ({e.status_code}): set OPENAI_API_KEY or --api-key"
            )
        if isinstance(e, openai.NotFoundError):
            return BackendError(f"the server at {url} has no model {self.model!r} (404)")
        if isinstance(e, openai.APIStatusError):
            return BackendError(f"the model server at {url} answered {e.status_code}: {_brief(e)}")
        return BackendError(f"the model server at {url} failed: {e}")


def _rejects_format(e: Any) -> bool:
    """Whether an error status says the server does not take this response_format."""
    text = f"{e.message} {e.body}".lower()
    return bool(e.status_code in _REJECTS_FORMAT and ("response_format" in text or "json_schema" in text))


def _brief(e: Any) -> str:
    body = e.body if isinstance(e.body, dict) else {}
    message = body.get("message") or (body.get("error") or {}).get("message") if body else None
    return " ".join(str(message or e.message).split())[:200]


def make_client(base_url: str, api_key: str | None, timeout: float, max_retries: int,
                on_response: Callable[[Any], None] | None = None) -> openai.OpenAI:
    """The openai SDK client for a server (also `briefing batch --openai-batch`'s)."""
    import openai

    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key or PLACEHOLDER_KEY,
        timeout=timeout,
        max_retries=max_retries,
        http_client=openai.DefaultHttpxClient(event_hooks={"response": [on_response]}) if on_response else None,
    )


def _result(response: Any, model: str) -> ChatResult:
    choice = response.choices[0]
    usage = response.usage
    return ChatResult(
        content=choice.message.content or "",
        finish_reason=choice.finish_reason or "",
        model=response.model or model,
        usage=Usage(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens) if usage \
        else NO_USAGE,
        refusal=getattr(choice.message, "refusal", None),
    )
