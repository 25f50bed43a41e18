"""Grammar-constrained sampling that checks the grammar against one token, not the whole vocabulary.

llama-cpp-python puts the grammar sampler in the chain before the token is chosen, so at every
step it tests each of the vocabulary's 151,000 tokens against the grammar. Most steps the token
the model prefers is one the grammar allows anyway. As llama.cpp's own `common_sampler` does,
`GrammarFirstChoice` picks the token without the grammar, asks the grammar about that one token
only, and runs the full filter only when the grammar rejects it. The token chosen is the same as
with the grammar applied first: the filter only removes tokens, so the favourite survives it
exactly when the grammar allows it, and a rejected one is resampled from the filtered vocabulary.

It also sets aside a token that a rule given with the request (`ChatRequest.veto`) refuses, for
the next likeliest one the grammar allows: the briefing's rules against repeated text and bare-name
signposts (`briefing.steering`) reach it that way, so this module knows nothing of briefings. A
word set aside is banned glued to the word before too ("wordsglued"), and a token the grammar
leaves no alternative to is kept.

The llama-cpp-python internals this needs are reached through `llama_internals`.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import llama_internals
from .base import Veto

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar


# How many tokens in a row may be set aside at one step before the last one is kept: near a text's
# cap every next word is, and the closing quote or a full stop can rank far down.
MOST_SET_ASIDE = 64


class GrammarFirstChoice:
    """Stands in for llama-cpp-python's sampler chain (`Llama._sampler`): `sample` and `accept`.

    Args:
        llm: the loaded model.
        grammar: what the output must match.
        repeat_penalty: as `create_chat_completion`'s, over llama-cpp-python's usual window.
        temperature: 0 picks the likeliest token; above 0 samples with `seed`.
        on_token: called with the number of tokens chosen so far, after each one.
        veto: whether a token, written after the text so far, must be set aside (None: none is).
    """

    def __init__(self, llm: Llama, grammar: LlamaGrammar, *, repeat_penalty: float, temperature: float,
                 seed: int, on_token: Callable[[int], None] | None = None, veto: Veto | None = None):
        import llama_cpp
        import numpy as np

        self._lib = llama_cpp
        self._n_vocab = llm.n_vocab()
        text, root = llama_internals.grammar_text(grammar)
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            llama_internals.vocab(llm), text.encode("utf-8"), root.encode("utf-8"))
        if not self._grammar:
            raise ValueError("llama.cpp could not parse the grammar")
        self._chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        add = llama_cpp.llama_sampler_chain_add
        add(self._chain, llama_cpp.llama_sampler_init_penalties(
            self._n_vocab, llm.last_n_tokens_size, repeat_penalty, 0.0, 0.0))
        if temperature <= 0:
            add(self._chain, llama_cpp.llama_sampler_init_greedy())
        else:  # llama-cpp-python's defaults for create_chat_completion
            add(self._chain, llama_cpp.llama_sampler_init_top_k(40))
            add(self._chain, llama_cpp.llama_sampler_init_top_p(0.95, 1))
            add(self._chain, llama_cpp.llama_sampler_init_min_p(0.05, 1))
            add(self._chain, llama_cpp.llama_sampler_init_temp(temperature))
            add(self._chain, llama_cpp.llama_sampler_init_dist(seed))
        dtype = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)
        self._all = np.zeros(self._n_vocab, dtype=dtype)
        self._ids = np.arange(self._n_vocab, dtype=np.intc)
        self._one = np.zeros(1, dtype=dtype)
        self._on_token = on_token
        self._llm = llm
        self._veto = veto
        self._closers: list[int] | None = None  # tokens that close a string or end a phrase
        self._text = ""  # what has been written so far
        self.chosen = 0
        self.diverted = 0  # words set aside as repeats
        self.rejected = 0  # how often the full filter ran: for measuring, not for the caller

    def _array(self, records: Any) -> Any:
        lib = self._lib
        data = records.ctypes.data_as(ctypes.POINTER(lib.llama_token_data))
        return lib.llama_token_data_array(data=data, size=len(records), selected=-1, sorted=False)

    def _choose(self, logits: Any, grammar_first: bool, banned: set[int] | None = None,
                filtered: Any = None) -> int | None:
        """The token the chain picks from the logits (`filtered`: logits the grammar already
        masked, in id order), with the grammar applied first if asked and `banned` masked."""
        import numpy as np

        records = self._all
        records["id"] = self._ids
        records["logit"] = filtered if filtered is not None else np.ctypeslib.as_array(logits, shape=(self._n_vocab,))
        records["p"] = 0.0
        array = self._array(records)
        if grammar_first and filtered is None:
            self._lib.llama_sampler_apply(self._grammar, ctypes.byref(array))
        if banned:
            records["logit"][list(banned)] = -np.inf  # still in id order: the grammar only masks
            if not np.isfinite(records["logit"]).any():
                return None
        self._lib.llama_sampler_apply(self._chain, ctypes.byref(array))
        if array.selected < 0:
            raise RuntimeError("no token was selected")
        # Samplers may reorder or shrink the array in place; `data` still points into `records`.
        return int(array.data[array.selected].id)

    def _allowed(self, token: int) -> bool:
        one = self._one
        one["id"], one["logit"], one["p"] = token, 0.0, 0.0
        array = self._array(one)
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(array))
        return not math.isinf(float(array.data[0].logit))

    def _set_aside(self, token: int) -> bool:
        """Whether the request's rule refuses the token after the text so far."""
        if self._veto is None:
            return False
        return self._veto(self._text, self._llm.detokenize([token]).decode("utf-8", errors="ignore"))

    def _punctuation(self, filtered: Any, fallback: int) -> int:
        """The likeliest token the grammar allows that closes a string or ends a phrase and is not
        set aside ("\"", ".\"", "\"},"), else `fallback`."""
        import numpy as np

        if self._closers is None:
            pieces = ['"', '."', '",', '"}', '"},', '"]', '"],', '.', ';', '."},', '".', '").']
            ids = {t for piece in pieces for t in self._llm.tokenize(piece.encode(), add_bos=False, special=False)[:1]}
            self._closers = sorted(ids)
        allowed = [t for t in self._closers if np.isfinite(filtered[t]) and not self._set_aside(t)]
        return max(allowed, key=lambda t: float(filtered[t])) if allowed else fallback

    def _glued(self, token: int) -> list[int]:
        """The tokens that write the token's word without its leading space."""
        word = self._llm.detokenize([token]).decode("utf-8", errors="ignore").strip()
        return self._llm.tokenize(word.encode(), add_bos=False, special=False)[:1]

    def _grammar_logits(self, logits: Any) -> Any:
        """The logits with every token the grammar refuses masked, in id order (one pass over the
        vocabulary, reused while tokens are set aside)."""
        import numpy as np

        records = self._all
        records["id"] = self._ids
        records["logit"] = np.ctypeslib.as_array(logits, shape=(self._n_vocab,))
        records["p"] = 0.0
        self._lib.llama_sampler_apply(self._grammar, ctypes.byref(self._array(records)))
        return records["logit"].copy()

    def sample(self, ctx: Any, idx: int = -1) -> int:
        logits = llama_internals.logits(ctx, idx)
        token = self._choose(logits, grammar_first=False)
        if token is None or not self._allowed(token):
            self.rejected += 1
            token = self._choose(logits, grammar_first=True)
        assert token is not None
        banned: set[int] = set()
        filtered = None
        while self._set_aside(token):
            # The word set aside, and the same word glued to the one before ("wordsglued").
            banned |= {token, *self._glued(token)}
            filtered = self._grammar_logits(logits) if filtered is None else filtered
            other = None if len(banned) >= MOST_SET_ASIDE else self._choose(
                logits, grammar_first=True, banned=banned, filtered=filtered)
            if other is None:  # every likely token set aside: the likeliest punctuation that is not
                token = self._punctuation(filtered, token)
                break
            self.diverted += 1
            token = other
        self._text += self._llm.detokenize([token]).decode("utf-8", errors="ignore")
        self.accept(token)
        self.chosen += 1
        if self._on_token:
            self._on_token(self.chosen)
        return token

    def accept(self, token: int) -> None:
        self._lib.llama_sampler_accept(self._grammar, token)
        self._lib.llama_sampler_accept(self._chain, token)

    def close(self) -> None:
        if getattr(self, "_chain", None):  # not there when __init__ failed
            self._lib.llama_sampler_free(self._chain)
            self._lib.llama_sampler_free(self._grammar)
            self._chain = self._grammar = None

    def __del__(self) -> None:
        self.close()
