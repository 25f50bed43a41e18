"""What the sources say may happen: the sentences that state a possibility or a risk, the clause
of each that states it, and how likely the sentence's own words make it.

A risk of the briefing, where the parse is available, is one of these in the sources' words
(`request_schema.json_schema(possibilities=…)`): the model chooses which sentences state risks
and names them, and the description and likelihood are the sentence's, right by construction. A
small model asked to write risks wrote general statements its cited sentences do not make ("The
complexity of regulation makes it difficult for companies to comply") and likelihoods no sentence
gives; its own judge found 1 of 19 supported (bench/RESULTS.md).

A sentence states a possibility when it has a modal of possibility ("may", "might", "could"), a
forecast ("is expected to", "likely to"), or a word of risk ("risk", "threat", "fear", "worried",
"warn", "chance") with the clause it governs; a "will" or "would" clause counts only where a word
of risk governs it or is in it ("warned that he would…"): otherwise it is a plan or a schedule.
The likelihood follows the words of estimative probability the sentence writes: high for "will",
"likely", "expected", "almost certain"; low for "unlikely", "remote", "doubtful", a chance or risk
called "low" or "slim"; medium for the rest ("may", "could", a stated fear).

The parse reads each sentence alone, so a saved briefing's risks are found again the same way
from the sentences they cite (`support`, `briefing verify --support`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .schema import ROLE_OPEN_END

if TYPE_CHECKING:
    from .sources import Source

Likelihood = Literal["low", "medium", "high"]

_POSSIBLE = {"may", "might", "could"}
_WILL = {"will", "'ll", "’ll", "wo"}  # "wo" as in "wo n't"
_FUTURE = _WILL | {"would"}
# Words of risk: what the sources fear, warn of or put odds on.
_RISK = set("risk risks risked risking risky threat threats threaten threatens threatened threatening danger "
            "dangers dangerous fear fears feared fearing worry worries worried worrying concern concerns "
            "concerned warn warns warned warning warnings jeopardize jeopardizes jeopardized jeopardise "
            "jeopardises jeopardised chance chances odds likelihood probability prospect prospects".split())
_HIGH = set("likely probably probable expected certain certainly inevitable inevitably imminent bound".split())
_LOW = set("unlikely improbable doubtful remote slim slight negligible".split())
_ESTIMATES = _HIGH | _LOW
# "low" or "small" said of a chance or risk: "called the chance of a collapse extremely low".
_SMALL = {"low", "small", "little", "minimal"}
_ODDS = {"chance", "chances", "odds", "likelihood", "probability", "risk", "risks", "prospect", "prospects"}
_NEGATIONS = {"not", "n't", "never"}
_DEGREE = {"most", "more", "less", "least"}
# A clause opening with one of these keeps it: the condition is part of what may happen.
_KEPT_MARKS = {"if", "unless"}
# The longest description a risk holds (`schema.Text`).
MAX_CHARS = 240
HEADLINE_CHARS = 100  # a risk's title (`schema.Short`)
_MIN_WORDS = 4


@dataclass(frozen=True)
class Possibility:
    """What one sentence says may happen, in its words, and how likely its words make it."""

    text: str
    likelihood: Likelihood
    headline: str  # the clause's kernel, in its words, as a title: who may do what ("The allies may cut aid")


def find(sources: list[Source], shown: Iterable[str] | None = None) -> dict[str, Possibility]:
    """Each sentence (of those in `shown`, when given) that states a possibility, by id, in reading
    order. Empty when spaCy is not installed."""
    allowed = set(shown) if shown is not None else None
    sentences = [s for src in sources for s in src.sentences if allowed is None or s.id in allowed]
    found = stated([s.text for s in sentences])
    return {s.id: p for s, p in zip(sentences, found, strict=True) if p is not None}


def stated(texts: list[str]) -> list[Possibility | None]:
    """For each sentence, what it says may happen (None where it states no possibility, or spaCy
    is not installed)."""
    from .actors import parse

    docs = parse(texts)
    return [None] * len(texts) if docs is None else [_possibility(doc) for doc in docs]


def _possibility(doc: Any) -> Possibility | None:
    modal, feared = [], []
    for token in doc:
        word = token.lower_
        if token.dep_ == "aux" and _open(token) and (word in _POSSIBLE
                                                     or (word in _FUTURE and _feared(token.head))):
            modal.append(_clause(token.head))
        elif word in _RISK and token.dep_ not in ("compound", "amod") and _governs(token):
            feared.append(_clause(token))
        elif word in _ESTIMATES and (head := _forecast(token)) is not None:
            modal.append(_clause(head))
    # What is feared, not the fearing: "worried that the allies may cut aid" is "the allies may cut
    # aid", "worried about the risk of a drought" is "the risk of a drought".
    feared = [f for f in feared if not any(f.start <= m.start and m.end <= f.end and m != f for m in modal + feared)]
    spans = [s for s in modal + feared if len(s) >= _MIN_WORDS]
    if not spans:
        return None
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    whole = doc[start:end]
    for span in [whole, *sorted(spans, key=len, reverse=True)]:
        text = _text(span)
        if len(text) <= MAX_CHARS and len(text.split()) >= _MIN_WORDS:
            headline = _headline(span) or text[:HEADLINE_CHARS].rsplit(" ", 1)[0]
            return Possibility(text, _likelihood(doc, span), headline)
    return None


def _forecast(token: Any) -> Any:
    """The clause a word of odds with an infinitive forecasts ("prices are expected to rise", "the
    deal is unlikely to pass"), by its head; None for a propensity ("those most likely to move") or a
    word inside a noun phrase ("travellers expected to drive")."""
    if not any(c.dep_ == "xcomp" for c in token.children) or any(c.lower_ in _DEGREE for c in token.children):
        return None
    head = token.head if token.dep_ == "acomp" else token
    return head if head.dep_ in ("ROOT", "ccomp", "conj", "advcl") else None


def _open(modal: Any) -> bool:
    """Whether a modal speaks of what may yet happen, not of what might have ("could have gone")."""
    return not any(c.dep_ == "aux" and c.lower_ in ("have", "'ve", "’ve") and c.i > modal.i
                   for c in modal.head.children)


def _feared(verb: Any) -> bool:
    """Whether a "will" or "would" clause is one a word of risk governs or heads: "warned that he
    would…", "the risk that prices will rise", "would threaten jobs", "will pose a threat". Else it
    is a plan or a schedule."""
    objects = [c for c in verb.children if c.dep_ in ("dobj", "attr", "nsubj", "nsubjpass")]
    return any(t.lower_ in _RISK for t in (verb, *objects, *verb.ancestors))


def _governs(token: Any) -> bool:
    """Whether a word of risk has something it is about: a clause or an object ("fears of a
    recession", "warned that…", "threatens the harvest"), not a risk named in passing."""
    return any(c.dep_ in ("prep", "ccomp", "acl", "dobj", "xcomp", "advcl") for c in token.children)


def _clause(head: Any) -> Any:
    """The words a possibility's head governs: a verb's clause (a relative clause's with the noun it
    tells of), a noun's phrase."""
    if head.dep_ == "relcl":
        head = head.head
    tokens = list(head.subtree)
    return head.doc[tokens[0].i:tokens[-1].i + 1]


def _text(span: Any) -> str:
    """A clause as a risk's description: its words, without the word joining it to the sentence
    ("that", "though"; not "if", which says when) or the punctuation around it."""
    tokens = _opened(list(span), span.root)
    while tokens and tokens[-1].is_punct and tokens[-1].text not in ("”", ")", "’"):
        tokens = tokens[:-1]
    if not tokens:
        return ""
    return str(span.doc.text[tokens[0].idx:tokens[-1].idx + len(tokens[-1].text)]).strip()


def _opened(tokens: list[Any], root: Any) -> list[Any]:
    """Tokens without the punctuation or the word joining their clause to the sentence they open
    with ("that", "though"; not "if", which says when)."""
    while tokens and (tokens[0].is_punct or (tokens[0].dep_ in ("mark", "cc") and tokens[0].head == root
                                             and tokens[0].lower_ not in _KEPT_MARKS)):
        tokens = tokens[1:]
    return tokens


def _headline(span: Any) -> str:
    """The kernel of a clause, in its words: its subject, modal, verb and object, each without what
    qualifies it ("The storm could cut power" of "the storm could cut power to the coast by
    nightfall"); of a noun's phrase, the noun with what it is about ("worries about
    the potential future backing"). Cut at a word to fit a title."""
    kept: set[int] = set()
    _kernel(span.root, kept, depth=0)
    tokens = _opened([t for t in span if t.i in kept], span.root)
    text, last = "", None
    for token in tokens:
        if last is not None:
            # Joined as the sentence writes them: "Vice-president", "Lee’s".
            between = span.doc[last.i + 1:token.i]
            glued = token.i == last.i + 1 and not last.whitespace_
            text += span.doc.text[last.idx + len(last.text):token.idx] if glued or (
                len(between) and all(t.is_punct and not t.whitespace_ for t in between)) else " "
        text += token.text
        last = token
    words = text.translate(_QUOTES).split()
    while len(" ".join(words)) > HEADLINE_CHARS or (words and words[-1].casefold() in ROLE_OPEN_END):
        words.pop()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_QUOTES = str.maketrans("", "", "\"“”«»„")
# Not "preconj": "would not only refuse … but also" is kept as "would refuse".
_QUALIFIERS = {"compound", "amod", "nummod", "quantmod", "det", "neg", "aux", "auxpass", "prt", "case", "mark"}
# Qualifiers kept with all they hold: "hundreds of millions", "not only".
_WHOLE = {"compound", "amod", "neg", "nummod", "quantmod"}
_CORE = {"nsubj", "nsubjpass", "dobj", "attr", "acomp", "oprd", "pobj", "pcomp", "xcomp", "ccomp", "expl", "poss"}
_DEPTH = 6  # "hundreds of millions of dollars worth of new loans"
_OBJECTS = {"dobj", "attr", "acomp", "xcomp", "ccomp", "oprd"}


def _kernel(token: Any, kept: set[int], depth: int) -> None:
    kept.add(token.i)
    intransitive = not any(c.dep_ in _OBJECTS for c in token.children)
    for child in token.children:
        dep = child.dep_
        if dep in _QUALIFIERS:
            kept.update(t.i for t in child.subtree) if dep in _WHOLE else kept.add(child.i)
        elif dep in _CORE and depth < _DEPTH:
            _kernel(child, kept, depth + 1)
        elif dep == "advmod" and not list(child.children) and child.i < token.i:
            kept.add(child.i)  # "could still pose", "might simply dismiss"
        elif dep == "prep" and depth < _DEPTH and (child.lower_ == "of" or (intransitive and (
                depth == 0 or token.dep_ in ("ccomp", "xcomp")))):
            _kernel(child, kept, depth + 1)  # "hundreds of billions", "banks are under assault"
        elif dep == "relcl" and depth == 0 and any(c.dep_ == "aux" and c.lower_ in _POSSIBLE | _FUTURE
                                                   for c in child.children):
            _kernel(child, kept, depth + 1)  # "South Korea, which may play a crucial role"


def _likelihood(doc: Any, span: Any) -> Likelihood:
    """How likely the sentence's words make what it says may happen (words of estimative
    probability): the sentence's words of odds, and a "will" of the clause itself."""
    for token in doc:
        if token.lower_ in _LOW:
            return "low"
        # "a low risk", "the chance of a second collapse extremely low"
        if token.lower_ in _SMALL and any(t.lower_ in _ODDS for t in doc[max(token.i - 8, 0):token.i + 3]):
            return "low"
    for token in doc:
        if token.lower_ in _HIGH:
            return "low" if _negated(token) else "high"
    for token in span:
        if token.lower_ in _WILL and token.dep_ == "aux":
            return "low" if _negated(token.head) else "high"
    return "medium"


def _negated(token: Any) -> bool:
    """Whether a word, or the verb it belongs to, is negated ("not likely", "will not happen")."""
    return any(c.lower_ in _NEGATIONS for c in (*token.children, *token.head.children) if c.dep_ == "neg")
