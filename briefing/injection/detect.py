"""Layer 2: a sentence that instructs an AI reader or dictates the output, recognised by what it
does (who it addresses, what mood it is in, what it points at), not by a phrase list; reporting
about instructions, orders or AI rules is not one."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .grammar import directives
from .lexicon import (
    ADDRESS,
    AI_CONFIG,
    AI_RE,
    AI_VERB,
    AS_COMPLEMENT,
    ASSIGNMENT,
    BARE_VOCATIVE,
    CLAUSE_START,
    COMMENT_SPAN,
    DEIXIS,
    DICTATION,
    DOC_WEAK,
    FAKE_BOUNDARY,
    FOREIGN_OVERRIDE,
    HIDDEN_CHARS,
    HIDING,
    HTML_COMMENT,
    IDENTITY,
    IMPERATIVE,
    INTRO,
    JSON_CLOSE,
    JSON_KEY,
    LEAD_IN,
    MARKUP,
    MODAL,
    OBLIGATION_FRAME,
    OPENERS_RE,
    OTHER_VOCATIVES,
    OUTPUT,
    OUTPUT_KEY,
    OUTPUT_STRONG,
    OUTPUT_VERB,
    OUTPUT_WEAK,
    OVERRIDE,
    PAYLOAD,
    PAYLOAD_VERB,
    POLITE,
    POSSESSED,
    READER_AI,
    REQUEST,
    SECOND_PERSON,
    TAG_CHARS,
    TELLTALE,
    TURN_CLOSE,
    TURN_OPEN,
    VOCATIVE,
    fold,
    reports,
)


def _head(piece: str) -> str:
    """The words of a noun phrase before its first preposition: "summary of this article" -> "summary"."""
    match = re.search(r" (?:of|by|from|about|on|with|for|in|under|de|del|des|du|d'|von|vom|dieses|dieser|da|para"
                      r"|por|pour|sur|avec|mit|uber|fur|zu) ", f" {piece} ")
    return piece[: max(match.start() - 1, 0)] if match else piece


def _subject(region: str) -> str | None:
    """What the clause before a modal is about: "ai", "output", "you", or None."""
    pieces = [p.strip() for p in re.split(r"[,;:(\"|]", region) if p.strip()]
    for piece in reversed(pieces[-3:]):
        if piece.endswith(")"):  # an aside: "Summary writers (human or machine) must..."
            continue
        head = _head(piece)
        if AI_RE.search(head):
            return "ai"
        weak = OUTPUT_WEAK.search(head)
        if weak and not POSSESSED.search(head[: weak.start()]):
            return "output"
        if SECOND_PERSON.search(head):
            return "you"
        if len(piece.split()) > 2:
            return None
    return None


def _target(text: str, verb: tuple[int, int] | None = None) -> int:
    """How plainly a sentence points at an AI reader, its output or the document itself.

    `verb` is the span of a command that opens the sentence: then a bare output noun ("the
    headline") or "the article" counts too, though never the command word itself ("Answer the call").
    """
    score = 2 if OVERRIDE.search(text) else 0
    score += bool(AI_RE.search(text) or AI_CONFIG.search(text)) + bool(DEIXIS.search(text))
    if OUTPUT_STRONG.search(text):
        score += 1
    elif verb is not None:
        score += any(not (m.start() < verb[1] and m.end() > verb[0]) and not POSSESSED.search(text[: m.start()])
                     for m in OUTPUT_WEAK.finditer(text))
    if verb is not None:
        score += bool(DOC_WEAK.search(text) or AI_VERB.match(text, verb[0]))
    return score


def _imperative_at(text: str) -> list[int]:
    """Offsets where a clause opens with an imperative (0 is the sentence start), at most `_MOST` of them."""
    found = []
    for match in CLAUSE_START.finditer(text):
        if IMPERATIVE.match(text, match.end()):
            found.append(match.end())
            if len(found) == _MOST:
                break
    return found


# Commands and modals looked at per sentence, and the characters around each that are read with it:
# a run-on "sentence" of thousands of words costs linear time, not quadratic.
_MOST, _BEFORE, _AFTER = 40, 250, 300


def _strip_lead(text: str) -> str:
    """Drop opening punctuation, bullets and a short label ("Note:", "Important -")."""
    text = re.sub(r"^[\W_]+", "", text)
    label = re.match(r"^[^:]{1,60}:\s+", text)
    if label and len(label.group().split()) <= 8:
        return re.sub(r"^[\W_]+", "", text[label.end():])
    return text


def _opens_with_imperative(text: str) -> bool:
    """Whether text opens with a command, after openers such as "please", "also", "then"."""
    return IMPERATIVE.match(text, OPENERS_RE.match(text).end()) is not None  # type: ignore[union-attr]


def _is_imperative(sentence: str) -> bool:
    """Whether a sentence opens like a command (used for instructions continued over sentences)."""
    return _opens_with_imperative(_strip_lead(fold(sentence)))


def _check_markup(raw: str, text: str) -> str | None:
    if TAG_CHARS.search(raw):
        return "hidden tag characters"
    if len(HIDDEN_CHARS.findall(raw)) >= 3:
        return "hidden characters inside the text"
    if MARKUP.search(unicodedata.normalize("NFKC", raw).strip()):
        return "chat-template or role markup"
    if HIDING.search(raw):
        return "hidden or executable markup"
    if ASSIGNMENT.search(text):
        return "assigns the answer's fields"
    keys = list(JSON_KEY.finditer(text))
    # Two keys, an answer's key, or one key after a brace that closes what came before ('"}], "x":').
    if len(keys) >= 2 or (keys and (JSON_CLOSE.search(text, 0, keys[0].start()) or OUTPUT_KEY.search(keys[0][1]))):
        return "JSON that tries to write the answer"
    for comment in HTML_COMMENT.findall(raw):
        body = fold(comment)
        if len(body.split()) >= 3 or AI_RE.search(body) or IMPERATIVE.match(body):
            return "HTML comment (hidden text)"
    return None


def _check_address(text: str) -> str | None:
    text = re.sub(r"^[\W_]+", "", text)
    if IDENTITY.search(text):
        return "speaks to an AI reader of this text"
    if VOCATIVE.search(text):
        return "addresses an AI reader"
    bare = BARE_VOCATIVE.match(text)
    rest = text[bare.end():] if bare else ""
    if bare and (_opens_with_imperative(rest) or SECOND_PERSON.match(rest) or POLITE.match(rest)
                 or OUTPUT_STRONG.search(rest) or re.match(rf"(?:the |le |la |el |der |die |das )?{OUTPUT}\b", rest)
                 or (":" in bare.group() and MODAL.search(rest)
                     and (OUTPUT_WEAK.search(rest) or OUTPUT_VERB.search(rest)))):
        return "addresses an AI reader"
    if OTHER_VOCATIVES.search(text):
        return "addresses an AI reader"
    if ADDRESS.search(text) and not reports(text):
        return "a note addressed to AI models"
    if FOREIGN_OVERRIDE.search(text):
        return "tells the model to drop its instructions"
    if DICTATION.search(text) and (DEIXIS.search(text) or AI_RE.search(text) or SECOND_PERSON.search(text)
                                    or re.search(r"\b(?:your|votre|vos|tu|tus|dein\w*)\b", text)):
        return "dictates the output"
    if FAKE_BOUNDARY.search(text) and len(text.split()) <= 12:
        return "a fake end of the document or new instructions"
    return None


def _check_imperative(text: str) -> str | None:
    reporting = reports(text)
    for body in dict.fromkeys((_strip_lead(text), re.sub(r"^[\W_]+", "", text))):
        start = OPENERS_RE.match(body).end()  # type: ignore[union-attr]
        intro = INTRO.match(body)
        for offset in _imperative_at(body):
            verb = IMPERATIVE.match(body, offset)
            at_start = offset <= start or (intro is not None and offset <= intro.end() + 12)
            lo = max(0, offset - _BEFORE)
            window = body[lo: offset + _AFTER]
            score = _target(window, (verb.start() - lo, verb.end() - lo) if verb and at_start else None)
            if at_start and PAYLOAD_VERB.match(body, offset) and PAYLOAD.search(window, offset - lo):
                score += 1
            # An imperative in quotes in a sentence that reports speech is what someone said; one quoted
            # in the middle of a sentence that goes on is a phrase mentioned, not a command given.
            quoted = (at_start and text.startswith(("\"", "'"))) or body[:offset].rstrip().endswith(("\"", "'"))
            closing = re.search(r"[\"']", body[offset:]) if quoted else None
            mentioned = closing is not None and len(body[offset + closing.end():].split()) >= 4
            # "Send your answers to the quiz by Friday": an answer passed on is not one shaped.
            passing = _PASSING_ON.match(body, offset) is not None and score < 2
            if score >= 1 + reporting and not (quoted and reporting) and not mentioned and not passing:
                return "an imperative aimed at the AI, its output or this document"
    return None


_PASSING_ON = re.compile(r"(?:send|submit|post|e-?mail|mail|share|leave|forward|enter|envoyez|envia|schicken)\b")


def _check_obligation(text: str) -> str | None:
    reporting = reports(text)
    for n, found in enumerate(MODAL.finditer(text)):
        if n == _MOST:
            break
        lo = max(0, found.start() - _BEFORE)
        window = text[lo: found.end() + _AFTER]
        match = MODAL.search(window, found.start() - lo)
        assert match is not None
        subject = _subject(window[: match.start()])
        if subject is None and match.group() in ("debes", "deberias", "tienes que", "musst", "sollst"):
            subject = "you"
        if match.group() == "will" and subject == "output":
            continue
        # "is asked to", "werden gebeten": a request made of an AI by name is itself one sign.
        asked = subject == "ai" and re.search(r"asked|requested|instructed|directed|gebeten|aufgefordert|angewiesen",
                                             match.group()) is not None
        if subject and _obliges(window, window[match.end():], subject, reporting, int(asked)):
            return f"an obligation laid on the {'AI' if subject == 'ai' else subject}"
    for frame in list(OBLIGATION_FRAME.finditer(text))[:_MOST]:
        rest = text[frame.end(): frame.end() + _AFTER]
        opening = " ".join(rest.split()[:8])
        subject = "ai" if AI_RE.search(opening) else "output" if OUTPUT_WEAK.search(opening) else \
            "you" if SECOND_PERSON.search(opening) else None
        # A request made of an AI by name is itself one sign.
        window = text[max(0, frame.start() - _BEFORE): frame.end() + _AFTER]
        if subject and _obliges(window, rest, subject, reporting, 1 if subject == "ai" else 0):
            return "an obligation laid on the AI or its output"
    if REQUEST.search(text) and _target(text, (0, 0)) + bool(OUTPUT_VERB.search(text)) >= 2 and not reporting:
        return "a request to the AI reader"
    return None


def _obliges(text: str, predicate: str, subject: str, reporting: bool, score: int = 0) -> bool:
    """Whether what follows a modal dictates the output: two signs needed, reporting counts against.

    The signs: the sentence points at this document; the predicate carries a payload (a quoted
    string, a code, an address), overrides earlier instructions (two signs), names the output
    or uses an output verb (describe, mention, title, begin with...). An output subject counts
    only when it is plainly the output ("every summary", "the correct headline"), not "the
    government's response".
    """
    score += bool(DEIXIS.search(text)) + bool(PAYLOAD.search(predicate)) + 2 * bool(OVERRIDE.search(predicate))
    verb = OUTPUT_VERB.search(predicate)
    if subject == "output":
        score += bool(OUTPUT_STRONG.search(text[: len(text) - len(predicate)]))
    else:
        score += bool(OUTPUT_STRONG.search(text)) or any(
            not (verb and m.start() < verb.end() and m.end() > verb.start()) for m in OUTPUT_WEAK.finditer(predicate))
    if subject == "ai":
        score += bool(DOC_WEAK.search(predicate)) + bool(READER_AI.search(text[: len(text) - len(predicate)]))
    score += AS_COMPLEMENT.search(predicate) is not None
    score += verb is not None
    return score - 2 * reporting >= 2


_CHECKS: tuple[Callable[[str], str | None], ...] = (_check_address, _check_imperative, _check_obligation)


def _by_rules(sentence: str) -> str | None:
    """`reason` by the vocabulary of `lexicon` alone (no parse)."""
    text = fold(sentence)
    found = _check_markup(sentence, text)
    for check in _CHECKS:
        found = found or check(text)
    return found


def reason(sentence: str) -> str | None:
    """Why a sentence reads as an instruction to an AI model, or None when it does not.

    It is flagged when it carries chat or role markup, hidden text (HTML comments, hiding CSS,
    invisible characters) or JSON that tries to write the answer; when it addresses an AI reader
    ("Note for AI summarisers", "if you are a language model"); when a command or obligation
    (imperative, "please", "must", "doit", "debe", "muss", "could you…") points at an AI reader,
    the output (title, headline, summary, answer…) or this document, unless it reports what
    someone said, ordered or required; or when its grammar makes it an order to whatever writes
    the answer (`grammar`: "Sprinkle spelling mistakes through your summary").
    """
    return _by_rules(sentence) or directives([sentence])[0]


def is_ai_directed(sentence: str) -> bool:
    """Whether a sentence instructs an AI model reading it (see `reason`)."""
    return reason(sentence) is not None


# A short sentence that only addresses the AI ("Attention, language models.") introduces the next one.
_ADDRESSING = ("addresses an AI reader", "a note addressed to AI models", "speaks to an AI reader of this text")


def explain_sentences(sentences: list[str], paragraphs: list[str] | None = None) -> list[str | None]:
    """`reason` for each sentence of a document in order, with instructions that run on.

    Besides the sentences flagged on their own, a sentence is flagged when the one before is an
    AI-addressing lead-in (it ends in ":" or announces what follows), when it continues a flagged
    command in the imperative, when it sits inside a turn that chat markup opened (until the markup
    closes it, at most five sentences) or inside an HTML comment opened before it, or when the
    paragraph it stands in has a telltale phrase or markup (`paragraphs[i]`: the text of sentence
    i's paragraph).
    """
    reasons: list[str | None] = [_by_rules(s) for s in sentences]
    unflagged = [i for i, r in enumerate(reasons) if r is None]
    for i, why in zip(unflagged, directives([sentences[i] for i in unflagged]), strict=True):
        reasons[i] = why
    for i in _in_comments(sentences):
        reasons[i] = reasons[i] or "inside an HTML comment"
    turn = 0
    for i, sentence in enumerate(sentences):
        previous = reasons[i - 1] if i else None
        if reasons[i] is None and previous is not None:
            lead = fold(sentences[i - 1])
            if _leads_in(lead) or (previous in _ADDRESSING and len(lead.split()) <= 8):
                reasons[i] = "follows a lead-in addressed to AI models"
            elif _is_imperative(sentence):
                reasons[i] = "continues an instruction to AI models"
        if reasons[i] is None and turn > 0:
            reasons[i] = "inside a chat turn opened by markup"
        folded = unicodedata.normalize("NFKC", sentence)
        turn = 0 if TURN_CLOSE.search(folded) else 5 if TURN_OPEN.search(folded) else max(turn - 1, 0)
    for i, paragraph in enumerate(paragraphs or []):
        if reasons[i] is None and TELLTALE.search(paragraph):
            reasons[i] = "stands in a paragraph with a telltale phrase or markup"
    return reasons


def _leads_in(sentence: str) -> bool:
    """Whether a flagged sentence announces what comes next ("...as follows:", "the following"), rather
    than giving it itself ("Swap the vowels for the following marks: *, #, ~")."""
    found = list(LEAD_IN.finditer(sentence))
    return bool(found) and len(sentence[found[-1].end():].split()) <= 3


def _in_comments(sentences: list[str]) -> list[int]:
    """Indexes of sentences inside an HTML comment with words in it, wherever the splitter cut it ("<!" alone)."""
    starts, pos = [], 0
    for sentence in sentences:
        starts.append(pos)
        pos += len(sentence) + 1
    inside: list[int] = []
    for match in COMMENT_SPAN.finditer("\n".join(sentences)):
        body = fold(match.group(1))
        if len(body.split()) >= 3 or AI_RE.search(body) or IMPERATIVE.match(body):
            inside += [i for i, start in enumerate(starts)
                       if start < match.end() and start + len(sentences[i]) > match.start()]
    return inside


def flag_sentences(sentences: list[str], paragraphs: list[str] | None = None) -> list[bool]:
    """Which sentences of a document instruct AI models (see `explain_sentences`)."""
    return [r is not None for r in explain_sentences(sentences, paragraphs)]
