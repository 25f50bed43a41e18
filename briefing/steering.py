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
  Fried"), not an event to watch for.

Strings are read as JSON: an escaped quote (`\\"`) inside a text does not end it.
"""

from __future__ import annotations

import re

from .content import repeats

# The shortest run of words a text may not copy from earlier output.
REPEAT_WORDS = 8
_WORD = re.compile(r"\w+")
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


def ends_a_repeat(written: str, piece: str) -> bool:
    """Whether `piece`, written after the JSON text `written`, closes a string of two words or more
    that says what an earlier string said (`content.repeats`): the model then has to write on, or
    another way."""
    current = closed_string(written, piece)
    if current is None or len(current.split()) < 2:
        return False
    earlier = open_string(written)[0]  # type: ignore[index]  # inside a string, as closed_string found
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


def set_aside(written: str, piece: str) -> bool:
    """Whether the model, having written the JSON text `written`, may not write `piece` next: it
    starts a word that completes the opening of an earlier text, or a lowercase word that
    completes a run an earlier field wrote (names may recur in a run) or makes the text say what
    an earlier one said; or it closes a text that does, or a signpost that is only a name."""
    if ends_a_repeat(written, piece) or ends_a_name(written, piece):
        return True
    word = piece.strip()
    if not (piece.startswith(" ") and word[:1].isalpha()):
        return False
    inside = open_string(written)
    if inside is None:
        return False
    earlier, current = inside
    return repeated_opening(earlier, current, word) or (word[:1].islower() and (
        repeated_run(earlier, current, word, REPEAT_WORDS) or makes_a_repeat(earlier, current, word)))
