"""The llama-cpp-python internals the local backend relies on, all in one place.

llama-cpp-python has no public hook for a custom sampler, so the local backend replaces
`Llama._init_sampler` for one call, and its sampler reads the model's vocabulary, the grammar's
text and the context's logits through private attributes. They are pinned with the package
(`pyproject.toml`); `problems()` names any an upgrade removed, and a test fails on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar


@contextmanager
def sampler_installed(llm: Llama, make: Callable[..., Any]) -> Iterator[None]:
    """For the calls inside the block, `llm` builds its sampler chain with `make` (given the
    keyword arguments of `Llama._init_sampler`) instead of its own."""
    llm._init_sampler = make  # type: ignore[method-assign]
    try:
        yield
    finally:
        del llm._init_sampler


def vocab(llm: Llama) -> Any:
    """The model's `llama_vocab` pointer, for llama.cpp's grammar sampler."""
    return llm._model.vocab


def grammar_text(grammar: LlamaGrammar) -> tuple[str, str]:
    """The grammar's GBNF text and its root rule."""
    return grammar._grammar, grammar._root


def logits(ctx: Any, idx: int) -> Any:
    """The logits of position `idx` of the context llama-cpp-python hands a sampler."""
    import llama_cpp

    return llama_cpp.llama_get_logits_ith(ctx.ctx, idx)


def vocab_only(path: str) -> Llama:
    """The model's tokenizer alone, without llama.cpp's warnings for vocab-only loads."""
    from llama_cpp import Llama
    from llama_cpp._utils import suppress_stdout_stderr

    with suppress_stdout_stderr(disable=False):
        return Llama(model_path=path, vocab_only=True, verbose=False)


# What the functions above and `sampling` reach for, by module and class.
_NEEDED = {
    ("llama_cpp", "Llama"): ("_init_sampler", "_model", "_ctx", "_sampler", "last_n_tokens_size", "n_vocab", "tokenize",
                        "detokenize"),
    ("llama_cpp._internals", "LlamaModel"): ("vocab",),
    ("llama_cpp._internals", "LlamaContext"): ("ctx",),
    ("llama_cpp.llama_grammar", "LlamaGrammar"): ("_grammar", "_root"),
    ("llama_cpp._utils", None): ("suppress_stdout_stderr",),
    ("llama_cpp", None): ("llama_get_logits_ith", "llama_sampler_init_grammar", "llama_sampler_chain_init",
                  "llama_sampler_chain_default_params", "llama_sampler_chain_add", "llama_sampler_init_penalties",
                  "llama_sampler_init_greedy", "llama_sampler_init_top_k", "llama_sampler_init_top_p",
                  "llama_sampler_init_min_p", "llama_sampler_init_temp", "llama_sampler_init_dist",
                  "llama_sampler_apply", "llama_sampler_accept", "llama_sampler_free", "llama_token_data",
                  "llama_token_data_array"),
}


def problems() -> list[str]:
    """The internals above that the installed llama-cpp-python lacks, one line each."""
    import importlib
    import inspect

    found = []
    for (module_name, class_name), names in _NEEDED.items():
        where = f"{module_name}.{class_name}" if class_name else module_name
        try:
            owner: Any = importlib.import_module(module_name)
            if class_name:
                owner = getattr(owner, class_name)
        except (ImportError, AttributeError) as e:
            found.append(f"{where}: missing ({e})")
            continue
        # Instance attributes are set in __init__: look for them in its source.
        init = inspect.getsource(owner.__init__) if class_name else ""
        found += [f"{where}.{name}: missing" for name in names
                  if not hasattr(owner, name) and f"self.{name} =" not in init and f"self.{name}:" not in init]
    return found
