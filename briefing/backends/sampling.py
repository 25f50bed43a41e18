"""Grammar-constrained sampling that checks the grammar against one token, not the whole vocabulary.

llama-cpp-python puts the grammar sampler in the chain before the token is chosen, so at every
step it tests each of the vocabulary's 151,000 tokens against the grammar. Most steps the token
the model prefers is one the grammar allows anyway. As llama.cpp's own `common_sampler` does,
`GrammarFirstChoice` picks the token without the grammar, asks the grammar about that one token
only, and runs the full filter only when the grammar rejects it. The token chosen is the same as
with the grammar applied first: the filter only removes tokens, so the favourite survives it
exactly when the grammar allows it, and a rejected one is resampled from the filtered vocabulary.

It also stops a text field from copying a run of words that an earlier field already wrote (a
small model otherwise puts the same source sentence in the bottom line, a risk and a question):
the word that would complete a repeated run of `repeat_words` is set aside for the next likeliest
one the grammar allows, as `no_repeat_ngram_size` does in other libraries. Names are exempt, and
so is any word the grammar leaves no alternative to. Eight words: at five, the model dodged by
gluing words together ("wordsglued") and could not mention the same fact in two fields at all.
Nor may a text open with the same four words as an earlier one, names included (two roles that
open alike run on alike: "spokesperson for the Harbour Authority"), or end while it says what an
earlier one said (the same words, as `content.repeats` counts them): short ones ("regional
shipping firm") repeat without any long run. From four words on, no lowercase word may make a text
say what an earlier one said: a text the grammar's length cap ends has no other way out
("President of the United States, who is expected to" under two actors). And a risk's signpost
may not end while all its words are capitalised: that is a name ("Daniel Fried"), not an event
to watch for.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar


_WORD = re.compile(r"\w+")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def repeated_run(earlier: str, current: str, word: str, n: int) -> bool:
    """Whether `word`, written after the text `current`, completes a run of `n` words that
    `earlier` already holds (case ignored)."""
    tail = [w.casefold() for w in _WORD.findall(current)[-(n - 1):]]
    if len(tail) < n - 1:
        return False
    words = [w.casefold() for w in _WORD.findall(earlier)]
    word = word.casefold()
    return any(words[i:i + n - 1] == tail and words[i + n - 1].startswith(word)
               for i in range(len(words) - n + 1))


def repeated_opening(earlier: str, current: str, word: str, n: int = 4) -> bool:
    """Whether `word`, written after the string so far `current`, makes its first `n` words those
    of a string in the JSON text `earlier` (case ignored): two actors' roles that open alike
    ("a state experiencing economic …") run on alike and end as the same text."""
    opening = [w.casefold() for w in _WORD.findall(current)]
    if len(opening) != n - 1:
        return False
    word = word.casefold()
    for text in _STRING.findall(earlier + '"'):
        words = [w.casefold() for w in _WORD.findall(text)]
        if len(words) >= n and words[:n - 1] == opening and words[n - 1].startswith(word):
            return True
    return False


def makes_a_repeat(earlier: str, current: str, word: str, least: int = 4) -> bool:
    """Whether `word`, written after the string so far `current`, makes a text of `least` words or
    more that says what a string of the JSON text `earlier` said (`content.repeats`)."""
    from ..content import repeats

    text = f"{current} {word}"
    if len(_WORD.findall(text)) < least:
        return False
    return any(len(_WORD.findall(other)) >= least and repeats(text, other) for other in _STRING.findall(earlier + '"'))


def _closed(written: str, piece: str) -> str | None:
    """The string that `piece`, written after the JSON text `written`, closes; None when it is not
    inside a string or does not close it."""
    if '"' not in piece or written.count('"') % 2 == 0:
        return None
    return written.rpartition('"')[2] + piece.split('"', 1)[0]


def ends_a_repeat(written: str, piece: str) -> bool:
    """Whether `piece`, written after the JSON text `written`, closes a string of two words or more
    that says what an earlier string said (`content.repeats`): the model then has to write on, or
    another way."""
    from ..content import repeats

    current = _closed(written, piece)
    if current is None or len(current.split()) < 2:
        return False
    earlier = written.rpartition('"')[0]
    return any(len(text.split()) >= 2 and repeats(current, text) for text in _STRING.findall(earlier + '"'))


def ends_a_name(written: str, piece: str) -> bool:
    """Whether `piece`, written after the JSON text `written`, closes a signpost (a string in a
    risk's "indicators") whose words all start with a capital or a digit: a name, not an event."""
    current = _closed(written, piece)
    key = written.rfind('"indicators"')
    if current is None or key < 0 or "]" in written[key:]:
        return False
    words = _WORD.findall(current)
    return bool(words) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


class GrammarFirstChoice:
    """Stands in for llama-cpp-python's sampler chain (`Llama._sampler`): `sample` and `accept`.

    Args:
        llm: the loaded model.
        grammar: what the output must match.
        repeat_penalty: as `create_chat_completion`'s, over llama-cpp-python's usual window.
        temperature: 0 picks the likeliest token; above 0 samples with `seed`.
        on_token: called with the number of tokens chosen so far, after each one.
        repeat_words: the shortest run of words a text field may not copy from earlier output (0: off).
    """

    def __init__(self, llm: Llama, grammar: LlamaGrammar, *, repeat_penalty: float, temperature: float,
                 seed: int, on_token: Callable[[int], None] | None = None, repeat_words: int = 8):
        import llama_cpp
        import numpy as np

        self._lib = llama_cpp
        self._n_vocab = llm.n_vocab()
        vocab = llm._model.vocab
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
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
        self._repeat_words = repeat_words
        self._text = ""  # what has been written so far
        self.chosen = 0
        self.diverted = 0  # words set aside as repeats
        self.rejected = 0  # how often the full filter ran: for measuring, not for the caller

    def _array(self, records: Any) -> Any:
        lib = self._lib
        data = records.ctypes.data_as(ctypes.POINTER(lib.llama_token_data))
        return lib.llama_token_data_array(data=data, size=len(records), selected=-1, sorted=False)

    def _choose(self, logits: Any, grammar_first: bool, banned: set[int] | None = None) -> int | None:
        import numpy as np

        records = self._all
        records["id"] = self._ids
        records["logit"] = np.ctypeslib.as_array(logits, shape=(self._n_vocab,))
        records["p"] = 0.0
        array = self._array(records)
        if grammar_first:
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
        """Whether the token starts a word that completes the opening of an earlier text, or a
        lowercase word that completes a run an earlier field wrote (names may recur in a run) or
        makes the text say what an earlier one said, or closes a text that does or a signpost that
        is only a name."""
        piece = self._llm.detokenize([token]).decode("utf-8", errors="ignore")
        if ends_a_repeat(self._text, piece) or ends_a_name(self._text, piece):
            return True
        word = piece.strip()
        if not (self._repeat_words and piece.startswith(" ") and word[:1].isalpha()):
            return False
        earlier, _, current = self._text.rpartition('"')  # the grammar escapes quotes inside strings
        return repeated_opening(earlier, current, word) or (word[:1].islower() and (
            repeated_run(earlier, current, word, self._repeat_words) or makes_a_repeat(earlier, current, word)))

    def _glued(self, token: int) -> list[int]:
        """The tokens that write the token's word without its leading space."""
        word = self._llm.detokenize([token]).decode("utf-8", errors="ignore").strip()
        return self._llm.tokenize(word.encode(), add_bos=False, special=False)[:1]

    def sample(self, ctx: Any, idx: int = -1) -> int:
        logits = self._lib.llama_get_logits_ith(ctx.ctx, idx)
        token = self._choose(logits, grammar_first=False)
        if token is None or not self._allowed(token):
            self.rejected += 1
            token = self._choose(logits, grammar_first=True)
        assert token is not None
        banned: set[int] = set()
        while len(banned) < 16 and self._set_aside(token):
            # The word set aside, and the same word glued to the one before ("wordsglued").
            banned |= {token, *self._glued(token)}
            other = self._choose(logits, grammar_first=True, banned=banned)
            if other is None:
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
        if self._chain:
            self._lib.llama_sampler_free(self._chain)
            self._lib.llama_sampler_free(self._grammar)
            self._chain = self._grammar = None

    def __del__(self) -> None:
        self.close()
