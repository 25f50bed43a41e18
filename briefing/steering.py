"""What a briefing's texts may not say, checked word by word while the embedded model writes them.

The local sampler (`backends.sampling`) asks `set_aside(written, piece)` about the token it is
about to choose: `written` is the JSON written so far, `piece` the token's text. A token set aside
is replaced by the next likeliest one the grammar allows. The pipeline puts this function on the
request (`ChatRequest.veto`); the backend knows nothing of briefings.

The rules, each measured on the sample and the development articles (README, What is checked):

- no text may copy a run of `REPEAT_WORDS` words that an earlier field wrote (a small model
  otherwise puts the same source sentence in the bottom line, a risk and a question), as
  `no_repeat_ngram_size` does in other libraries. Names are exempt. Eight words: at five, the
  model dodged by gluing words together ("wordsglued") and could not mention a fact twice at all;
- no text may open with the same four words as an earlier one, names included (two roles that
  open alike run on alike: "spokesperson for the Harbour Authority");
- no text may end while it says what an earlier one said (the same words, as `content.repeats`
  counts them): short ones ("regional shipping firm") repeat without any long run;
- from four words on, no lowercase word may make a text say what an earlier one said: a text the
  grammar's length cap ends has no other way out ("President of the United States, who is
  expected to" under two actors);
- a risk's signpost may not end while all its words are capitalised: that is a name ("Daniel
  Fried"), not an event to watch for;
- no text may end on a word a phrase does not end on ("of", "which", "has"), a comma or an
  ellipsis, nor use the request's own words ("citations 1.25" as a signpost, or ids in a row:
  "2.14, 2.16"), a brace (the model once closed the JSON inside a risk's description: "over
  the...','}]}"), an underscore (words glued: "Ministry_of"), a capital glued onto a lowercase
  word ("closelyWatched") or dots in a row; and near
  its length cap (`schema.text_limits`) a text starts no such word and, closer still, no new word
  at all, nor a word that would fill it to its last character: it closes at the end of a phrase
  instead of being cut by the cap ("who is expected to…"); a word that begins a word of the
  sources (" exceed" of "exceeding") needs room for the whole of it. Only the texts the model
  writes are judged, not keys, names or dates;
- a position's stance is its cited sentence's own words, filled in after the answer: once cited,
  it counts as an earlier text, and a citation whose stance would repeat an earlier text is set
  aside for another of that actor's sentences.

Strings are read as JSON: an escaped quote (`\\"`) inside a text does not end it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .content import DANGLING, repeats, word_set
from .schema import text_limits

# The shortest run of words a text may not copy from earlier output.
REPEAT_WORDS = 8
# A word's first letters, from this many on, tell which words of the sources it may be (`_length`).
PREFIX_LETTERS = 4
# Characters left before a text's cap under which it starts no word a phrase does not end on, and
# under which it starts no new word at all (most words are shorter).
NO_DANGLING_WORD = 25
NO_NEW_WORD = 12
NO_LETTER = 6
# Characters a new word leaves after itself before the cap, for its last letters and the close:
# "reported four deliv|eries" otherwise filled a role to its cap, where it looks cut.
WORD_RESERVE = 8
# The key of the string being written: `"key":"` or, in a list of strings, `"key":["a","b",`
# (not a key being written after a string: `"issue":"a","citatio`).
_KEY = re.compile(r'"(\w+)":\s*(?:\[\s*(?:"(?:[^"\\]|\\.)*",\s*)*)?$')
_LIMITS = text_limits()
_WORD = re.compile(r"\w+")
# Two sentence ids in a row, as the request writes them: "2.14, 2.16".
_IDS = re.compile(r"\b\d+\.\d+,\s*\d")
# A JSON string (closed, or open to the end of the text), or a run of text outside strings.
_JSON_PIECE = re.compile(r'"((?:[^"\\]|\\.)*\\?)(")?|[^"]+', re.DOTALL)


def open_string(written: str) -> tuple[str, str] | None:
    """(the JSON text before the string being written, that string's text so far) when `written`
    ends inside a string; None when it does not."""
    last = None
    for last in _JSON_PIECE.finditer(written):  # noqa: B007 - the last piece is the one wanted
        pass
    if last is None or not last.group().startswith('"') or last.group(2) is not None:
        return None
    return written[:last.start()], last.group(1)


def strings(text: str) -> list[str]:
    """The text of every closed string of a JSON text, keys included, in order."""
    return [m.group(1) for m in _JSON_PIECE.finditer(text) if m.group(2) is not None]


def closed_string(written: str, piece: str) -> str | None:
    """The string that `piece`, written after the JSON text `written`, closes; None when it is not
    inside a string or does not close it."""
    current = open_string(written) if '"' in piece else None
    if current is None:
        return None
    match = _JSON_PIECE.match('"' + current[1] + piece)
    assert match is not None  # the pattern matches any text that opens a string
    return match.group(1) if match.group(2) is not None else None


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
    for text in strings(earlier):
        words = [w.casefold() for w in _WORD.findall(text)]
        if len(words) >= n and words[:n - 1] == opening and words[n - 1].startswith(word):
            return True
    return False


def makes_a_repeat(earlier: str, current: str, word: str, least: int = 4) -> bool:
    """Whether `word`, written after the string so far `current`, makes a text of `least` words or
    more that says what a string of the JSON text `earlier` said (`content.repeats`)."""
    text = f"{current} {word}"
    if len(_WORD.findall(text)) < least:
        return False
    return any(len(_WORD.findall(other)) >= least and repeats(text, other) for other in strings(earlier))


def ends_a_repeat(written: str, piece: str, shown: str = "") -> bool:
    """Whether `piece`, written after the JSON text `written`, closes a string of two words or more
    that says what an earlier string said (`content.repeats`): the model then has to write on, or
    another way. `shown`: JSON strings the reader sees that the model did not write."""
    current = closed_string(written, piece)
    if current is None or len(current.split()) < 2:
        return False
    earlier = open_string(written)[0]  # type: ignore[index]  # inside a string, as closed_string found
    if room(earlier, "") is None:
        return False  # a key, a name or a date: not a text the model writes
    earlier += shown
    return any(len(text.split()) >= 2 and repeats(current, text) for text in strings(earlier))


def ends_a_name(written: str, piece: str) -> bool:
    """Whether `piece`, written after the JSON text `written`, closes a signpost (a string in a
    risk's "indicators") whose words all start with a capital or a digit: a name, not an event."""
    current = closed_string(written, piece)
    key = written.rfind('"indicators"')
    if current is None or key < 0 or "]" in written[key:]:
        return False
    words = _WORD.findall(current)
    return bool(words) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def room(earlier: str, current: str) -> int | None:
    """Characters the text being written (`current`, after the JSON text `earlier`) has left
    before its field's cap; None for a string that is not a model-written text."""
    key = _KEY.search(earlier)
    limits = _LIMITS.get(key.group(1)) if key else None
    if limits is None:
        return None
    max_length, written = limits
    left = [max_length - len(current)] if max_length else []
    if written.tail:
        words = current.split(" ", written.lead)
        left.append(written.tail - (len(words[-1]) if len(words) > written.lead else 0))
    return min(left) if left else None


def ends_mid_phrase(written: str, piece: str) -> bool:
    """Whether `piece` closes a model-written text that ends on a word a phrase does not end on,
    on a comma or on an ellipsis (a model writes one where it would go on)."""
    current = closed_string(written, piece)
    if current is None or room(open_string(written)[0], "") is None:  # type: ignore[index]  # inside one
        return False
    stripped = current.rstrip()
    last = _WORD.findall(stripped)[-1:]
    return stripped.endswith((",", ";", ":", "-", "…", "...")) or (bool(last) and last[0].casefold() in DANGLING)


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The words of `texts`, casefolded: how long the word a piece starts will be (`set_aside`)."""
    return frozenset().union(*map(word_set, texts))


def _length(piece: str, words: Collection[str]) -> int:
    """How long the text `piece` starts will be: the piece, or where its word is the first letters
    of words of `words` and not one of them (" exceed" of "exceeding"), the shortest of them."""
    stem = (_WORD.findall(piece) or [""])[0].casefold()
    if len(stem) < PREFIX_LETTERS or stem in words or not _WORD.match(piece.lstrip()):
        return len(piece)
    longer = [len(w) for w in words if w.startswith(stem)]
    return len(piece) - len(stem) + min(longer) if longer else len(piece)


# Words from the request's own vocabulary that a text is not about: "citations 1.25" as a signpost.
_REQUEST_WORDS = {"citation", "citations"}


def given_stances(written: str, stances: Mapping[str, str]) -> list[str]:
    """The stances the briefing will show for the positions written so far: each position's stance
    is its cited sentence's (`request_schema.from_answer`), so the reader sees them as texts."""
    start = written.find('"positions"')
    if start < 0 or not stances:
        return []
    end = written.find('"risks"', start)
    cited = strings(written[start:end if end >= 0 else len(written)])
    return list(dict.fromkeys(stances[i] for i in cited if i in stances))


def _shown(written: str, stances: Mapping[str, str]) -> str:
    """The stances shown so far (`given_stances`) as JSON strings, for the rules that read what
    earlier texts said."""
    return "".join(f' "{text.replace(chr(92), "").replace(chr(34), chr(39))}"'
                   for text in given_stances(written, stances))


def _cites_a_repeat(written: str, piece: str, stances: Mapping[str, str]) -> bool:
    """Whether `piece` closes a position's citation whose stance says what an earlier text said."""
    current = closed_string(written, piece)
    if current is None or current not in stances or '"positions"' not in written or '"risks"' in written:
        return False
    earlier = open_string(written)[0]  # type: ignore[index]  # inside a string, as closed_string found
    return any(len(text.split()) >= 2 and repeats(stances[current], text)
               for text in strings(earlier + _shown(earlier, stances)))


# The context's list of sentence ids, which a request that offers sentences asks for last
# (`request_schema.json_schema(overview=…)`); a key, not a text (a text's quotes are escaped).
_CONTEXT = re.compile(r'(?<!\\)"context"\s*:\s*\[')


_ID = re.compile(r'"([0-9.]*)(")?')


def _quoted_again(written: str, piece: str, offered: Sequence[str] = ()) -> bool:
    """Whether `piece` writes an id in the context's list that the briefing cites already: the
    background would be a sentence the reader has just read. With the ids the context may cite
    (`offered`), a digit is set aside as soon as every id it could still become is cited, as a
    model writes an id a digit at a time and the grammar leaves no way out of a complete one."""
    start = _CONTEXT.search(written)
    if start is None:
        return False
    listed, before = written[start.end():], written[:start.start()]
    found = list(_ID.finditer(listed + piece))
    if not found or found[-1].end() <= len(listed) or not any(ch.isdigit() or ch == '"' for ch in piece):
        return False  # the piece writes no id
    last = found[-1]
    if last.group(2) is not None:
        return f'"{last.group(1)}"' in before
    could_be = [i for i in offered if i.startswith(last.group(1))]
    return bool(could_be) and all(f'"{i}"' in before for i in could_be)


def set_aside(written: str, piece: str, stances: Mapping[str, str] | None = None,
              offered: Sequence[str] = (), words: Collection[str] = ()) -> bool:
    """Whether the model, having written the JSON text `written`, may not write `piece` next: it
    starts a word that completes the opening of an earlier text, or a lowercase word that
    completes a run an earlier field wrote (names may recur in a run) or makes the text say what
    an earlier one said; or there is no room left to finish a phrase after it; or it closes a
    text that does, a signpost that is only a name, or a text mid-phrase; or it closes an id of
    the context that the briefing cites already.

    Args:
        stances: the stance each sentence a position may cite gives its actor (filled in after the
            answer, `request_schema.from_answer`): a cited one counts as an earlier text, and a
            citation whose stance would repeat one is set aside.
        offered: the ids the context may cite (`request_schema.json_schema(overview=…)`).
        words: the sources' words (`vocabulary`): a word that starts one of them near a text's
            cap needs room for the whole of it.
    """
    if (stances and _cites_a_repeat(written, piece, stances)) or _quoted_again(written, piece, offered):
        return True
    inside = open_string(written)
    shown = _shown(inside[0], stances) if stances and inside is not None else ""
    if ends_a_repeat(written, piece, shown) or ends_a_name(written, piece) or ends_mid_phrase(written, piece):
        return True
    if inside is None:
        return False
    earlier, current = inside
    left = room(earlier, current)
    inner = piece.split('"', 1)[0]  # what the piece writes inside the text, before any closing quote
    if left is not None and (_no_room(current, piece, left, words) or any(ch in inner for ch in "{}[]_")
                             or _IDS.search(current[-12:] + inner) or ".." in current[-2:] + inner
                             or _glued(current, inner)):
        # No room to finish a phrase; a brace (the model closing the JSON inside a text); an
        # underscore (words glued: "Ministry_of"); sentence ids listed ("2.14, 2.16") in a text;
        # dots in a row (a model out of words wrote "being 4..........." up to the cap); a
        # capital glued to a lowercase word ("closelyWatched").
        return True
    word = piece.strip()
    formed = piece if piece.startswith(" ") else current.rsplit(" ", 1)[-1] + piece  # the word it writes or ends
    if left is not None and any(w in _REQUEST_WORDS for w in _WORD.findall(formed.casefold())[:1]):
        return True
    if not (piece.startswith(" ") and word[:1].isalpha()):
        return False
    earlier += shown
    return repeated_opening(earlier, current, word) or (word[:1].islower() and (
        repeated_run(earlier, current, word, REPEAT_WORDS) or makes_a_repeat(earlier, current, word)))


@dataclass(frozen=True)
class SetAside:
    """`set_aside` with the stances a request's positions may cite, the ids its context may cite
    and the sources' words, as the request's veto (compared by value, so that two requests for the
    same sources are equal)."""

    stances: Mapping[str, str] = field(default_factory=dict)
    offered: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()

    def __call__(self, written: str, piece: str) -> bool:
        return set_aside(written, piece, self.stances, self.offered, self.words)


def _glued(current: str, inner: str) -> bool:
    """Whether a piece glues a capital onto a word that starts in lower case: two words run
    together ("closelyWatched", "notBeen", as the embedded model wrote), not a name
    that has a capital inside ("McConnell", "DeSantis", "PayPal")."""
    last = (_WORD.findall(current) or [""])[-1]
    return bool(inner[:1].isupper() and current[-1:].isalpha() and last[:1].islower())


def _no_room(current: str, piece: str, left: int, words: Collection[str] = ()) -> bool:
    """Whether, `left` characters before its cap, a text may not go on with `piece`: within
    `NO_DANGLING_WORD`, no word a phrase does not end on and no comma; within `NO_NEW_WORD`,
    nothing but a short word's last letters, the end of a sentence or the closing quote (a model
    refused a new word glues one on instead: "portAuthority", "Ministry_of_Po")."""
    word = piece.strip()
    if piece.startswith(" ") and any(ch.isalpha() for ch in piece) and _length(piece, words) > left - WORD_RESERVE:
        # A new word must leave room to be finished: one that fills the text to its cap ("with
        # harbour infrastructure") looks cut, and one left no room for its last letters is cut
        # (refused " exceeding", a model wrote " exceed" and ended on "exceedin").
        return True
    if left < NO_DANGLING_WORD and (word[:1] in (",", ";", ":", "-", "–", "—")
                                    or (piece.startswith(" ") and word.casefold() in DANGLING)):
        return True
    if left >= NO_NEW_WORD or (piece[:1] in (".", "!", "?", ")", '"', "'", "’", "”")
                               and not any(ch.isalpha() for ch in piece)):  # not ".effect"
        return False
    last = (_WORD.findall(current) or [""])[-1]
    # A word's next letters: a short word's, or those of a word begun before new words stopped,
    # which the model may finish ("exceed|in" was otherwise closed as "exceedin"); not a word
    # glued on once they stopped.
    begun_before = left + len(last) >= NO_NEW_WORD
    continues = bool(piece[:1].islower() and current[-1:].isalpha() and (len(last) < 8 or begun_before)
                     and last[-1:].islower())
    return not (continues and left >= NO_LETTER and len(piece) < left)  # a word's end that fills the cap looks cut
