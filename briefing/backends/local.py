"""The embedded default: a GGUF model run in process by llama-cpp-python, output constrained by a grammar."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, ConfigError, InputError
from .base import ChatRequest, ChatResult, ProgressCallback, StructuredMode, Usage

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

GGUF_MAGIC = b"GGUF"


def check_gguf(path: Path) -> None:
    """Refuse a model file that is missing or not GGUF before llama.cpp tries to load it.

    Raises:
        ConfigError: the file is missing, unreadable or not a GGUF file.
    """
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ConfigError(f"--model-path {path}: cannot read it ({e.strerror or e})") from e
    if magic != GGUF_MAGIC:
        raise ConfigError(f"--model-path {path}: not a GGUF model file")


def compact_grammar(schema: dict[str, Any]) -> LlamaGrammar:
    """A grammar for the schema that allows no whitespace between JSON tokens.

    llama.cpp's converter lets the model put a space after every `:` and `,`; each one is an
    output token, and output tokens are what local generation time is made of.
    """
    from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

    rules = json_schema_to_gbnf(json.dumps(schema)).splitlines()
    gbnf = "\n".join('space ::= ""' if rule.startswith("space ::=") else rule for rule in rules)
    return LlamaGrammar.from_string(gbnf, verbose=False)


def _threads() -> int:
    # llama.cpp's default is half the cores: on a 2-core machine that halves the speed.
    return max(len(os.sched_getaffinity(0)), 1)


class LocalBackend:
    """llama-cpp-python in this process; the model loads on the first request, not before."""

    name = "local"

    def __init__(self, model_path: Path, *, model_name: str | None = None, n_ctx: int = 8192,
                 llama: Llama | None = None):
        if llama is None:
            check_gguf(model_path)
        self.model_path = model_path
        self.model = model_name or model_path.stem
        self.n_ctx = n_ctx
        self._llama = llama

    @property
    def structured_mode(self) -> StructuredMode:
        return "json_object_schema"

    def _load(self) -> Llama:
        if self._llama is None:
            from llama_cpp import Llama

            try:
                self._llama = Llama(model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=_threads(),
                                    verbose=False, seed=0)
            except (ValueError, RuntimeError) as e:
                raise ConfigError(f"cannot load the model {self.model_path}: {e}") from e
        return self._llama

    def chat(self, request: ChatRequest, progress: ProgressCallback | None = None) -> ChatResult:
        from llama_cpp import LogitsProcessorList

        llm = self._load()
        counted = [0]

        def count(_ids: Any, logits: Any) -> Any:
            counted[0] += 1
            if progress:
                progress(counted[0])
            return logits

        try:
            response: Any = llm.create_chat_completion(
                request.messages,  # type: ignore[arg-type]
                grammar=compact_grammar(request.json_schema),
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                seed=request.seed,
                logits_processor=LogitsProcessorList([count]),
            )
        except ValueError as e:
            if "exceed context window" in str(e):
                raise InputError(f"the sources and prompt do not fit the model's context window: {e}") from e
            raise BackendError(f"the local model failed: {e}") from e
        choice, usage = response["choices"][0], response.get("usage") or {}
        return ChatResult(
            content=choice["message"]["content"] or "",
            finish_reason=choice.get("finish_reason") or "",
            model=self.model,
            usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
        )
