"""The embedded default: a GGUF model run in process by llama-cpp-python, output constrained by a grammar."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, ConfigError, TooLargeError
from ..record import Usage
from . import llama_internals
from .base import PER_MESSAGE_TOKENS, ChatRequest, ChatResult, Message, Outgoing, ProgressCallback, StructuredMode

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

    from ..settings import LengthName

log = logging.getLogger(__name__)

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


# Han, kana and hangul: a small multilingual model under a repeat penalty drifts into them
# mid-sentence ("full-scale入侵") when a source written without them asks for none.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_CLASS = "\\u2E80-\\u9FFF\\uAC00-\\uD7AF\\uF900-\\uFAFF"


def compact_grammar(schema: dict[str, Any], prompt_text: str = "") -> LlamaGrammar:
    """A grammar for the schema with no whitespace between JSON tokens and no characters from
    scripts the prompt does not use.

    llama.cpp's converter lets the model put a space after every `:` and `,`; each one is an
    output token, and output tokens are what local generation time is made of.
    """
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(compact_gbnf(schema, prompt_text), verbose=False)


def compact_gbnf(schema: dict[str, Any], prompt_text: str = "") -> str:
    """The GBNF text behind `compact_grammar`."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    cjk = not _CJK.search(prompt_text)
    banned = "\\x00-\\x1F" + (_CJK_CLASS if cjk else "")
    rules = {
        "space": 'space ::= ""',
        # No \\uXXXX escapes either: they would let the banned characters back in.
        "char": f'char ::= [^"\\\\{banned}] | "\\\\" (["\\\\/bfnrt])',
    }
    lines = json_schema_to_gbnf(json.dumps(_without_cjk(schema) if cjk else schema)).splitlines()
    return "\n".join(rules.get(line.split(" ::=")[0], line) for line in lines)


def _without_cjk(node: Any) -> Any:
    """The schema with the banned scripts added to every negated class of its patterns: a
    pattern's own characters bypass the grammar's `char` rule (the model once wrote a stance in
    Chinese after an actor's name)."""
    if isinstance(node, dict):
        return {k: (v.replace("[^", "[^" + _CJK_CLASS) if k == "pattern" and isinstance(v, str) else _without_cjk(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_without_cjk(v) for v in node]
    return node


# Greedy decoding of a small model loops on phrases ("support for Ukraine…" in every field);
# a mild penalty measured on the sample article cut output from 1,033 to 752 tokens.
REPEAT_PENALTY = 1.1


def _threads() -> int:
    # llama.cpp's default is half the cores: on a 2-core machine that halves the speed.
    return max(len(os.sched_getaffinity(0)), 1)


class LocalBackend:
    """llama-cpp-python in this process; the model loads on the first request, not before."""

    name = "local"
    # Every output token costs about 55 ms on 2 CPU cores: the short form keeps a run near a minute.
    default_length: LengthName = "short"
    parallel_requests = False  # one model in this process
    reuses_prompt_prefix = True  # llama-cpp-python keeps the longest common beginning of consecutive prompts

    def __init__(self, model_path: Path, *, model_name: str | None = None, n_ctx: int = 8192,
                 llama: Llama | None = None):
        if llama is None:
            check_gguf(model_path)
        self.model_path = model_path
        self.model = model_name or model_path.stem
        self.n_ctx = n_ctx
        self.context_window: int | None = n_ctx
        self._llama = llama
        self._vocab: Llama | None = None

    @property
    def structured_mode(self) -> StructuredMode:
        return "json_object_schema"  # a grammar built from the schema

    def prepare(self, request: ChatRequest) -> Outgoing:
        """The messages as given: the grammar, not the prompt, carries the schema."""
        return Outgoing(request.messages, self.structured_mode)

    def describe(self) -> Iterator[str]:
        import llama_cpp

        size = self.model_path.stat().st_size
        yield f"model file: {self.model_path} ({size:,} bytes, GGUF)"
        yield f"llama-cpp-python: {llama_cpp.__version__}"
        yield "structured output: grammar from the JSON schema"

    def count_tokens(self, messages: list[Message]) -> tuple[int, str]:
        """Counted with the model's own tokenizer (its vocabulary alone loads in a fraction of a second)."""
        tokenizer = self._llama or self._vocabulary()
        total = sum(len(tokenizer.tokenize(m["content"].encode(), add_bos=False, special=False)) for m in messages)
        return total + PER_MESSAGE_TOKENS * len(messages), "the model's tokenizer"

    def _vocabulary(self) -> Llama:
        if self._vocab is None:
            self._vocab = llama_internals.vocab_only(str(self.model_path))
        return self._vocab

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
        from .sampling import GrammarFirstChoice

        llm = self._load()
        messages = self.prepare(request).messages
        grammar = compact_grammar(request.json_schema, " ".join(m["content"] for m in messages))
        samplers: list[GrammarFirstChoice] = []

        def init_sampler(**_: Any) -> GrammarFirstChoice:
            samplers.append(GrammarFirstChoice(llm, grammar, repeat_penalty=REPEAT_PENALTY,
                                               temperature=request.temperature, seed=request.seed, on_token=progress,
                                               veto=request.veto))
            return samplers[-1]

        # Our sampler checks the grammar against the chosen token first (see sampling.py).
        try:
            with llama_internals.sampler_installed(llm, init_sampler):
                response: Any = llm.create_chat_completion(
                    messages,  # type: ignore[arg-type]
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    seed=request.seed,
                    repeat_penalty=REPEAT_PENALTY,
                )
        except ValueError as e:
            if "exceed context window" in str(e):
                raise TooLargeError(f"the sources and prompt do not fit the model's context window: {e}") from e
            raise BackendError(f"the local model failed: {e}") from e
        finally:
            for sampler in samplers:
                log.debug("sampled %d tokens: the grammar filtered the vocabulary %d times, %d repeated words "
                          "set aside", sampler.chosen, sampler.rejected, sampler.diverted)
                sampler.close()
        choice, usage = response["choices"][0], response.get("usage") or {}
        return ChatResult(
            content=choice["message"]["content"] or "",
            finish_reason=choice.get("finish_reason") or "",
            model=self.model,
            usage=Usage(prompt_tokens=usage.get("prompt_tokens", 0),
                        completion_tokens=usage.get("completion_tokens", 0)),
        )
