"""What the sources leave open: the sentences that raise a question, and the question each raises,
in its words.

An open question of the briefing, where the actors are the names the sources write, is one of
these (`request_schema.json_schema(unknowns=…)`): the model chooses which to ask and says why each
matters and what would resolve it; the question is the sentence's own, right by construction. A
small model asked to write open questions asked its own ("Why is it important to have reliable
transportation?"), which its cited sentences do not raise; its judge found 1 of 10 supported
(bench/RESULTS.md). Asked to write them from sentences that leave something open, it still asked
about something else, or wrote garbled questions (two words run together, the question cut).

A sentence raises a question when it

- asks one about someone other than its reader: "Will the dam hold through the winter?";
- says it is open whether something is so: "Officials will decide on Friday whether the bridge
  will reopen or not" asks "Will the bridge reopen?";
- says it is not known, said or decided what, who, how or when: "it is unclear when the deal will
  close" asks "When will the deal close?";
- reports what is alleged or denied: "the police allegedly beat the protesters" asks "Did the
  police beat the protesters?";
- says what was not given: "Although she has not provided a timeline for the vote, Ana Lee …" asks
  "What is Ana Lee's timeline for the vote?", "did not provide details on the route the convoy
  will take" asks "What is the route the convoy will take?";
- says what is yet to happen: "nine of the ten mills have yet to reopen" asks "Will nine of the ten
  mills reopen?".

"He" and "she" are the one person the sentence names, or the sentence raises no question: a
question must read on its own. Not a question: a reply not given ("declined to comment", "has yet
to respond to a request for comment").

The parse reads each sentence alone, so a saved briefing's questions are found again the same way
from the sentences they cite (`support.raised`, `briefing verify --support`). English wording, as
the rest of the parse-based reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sources import Source

_SAID = ("say|said|comment|commented|disclose|disclosed|confirm|confirmed|specify|specified|elaborate|explain|"
         "explained|provide|provided|give|given|respond|responded|answer|answered|admit|admitted|deny|decide|"
         "decided|detail|detailed|reveal|revealed|announce|announced|outline|outlined|share|shared")
# The sentences worth parsing: words that say something is not known, said, decided or settled.
UNSETTLED = re.compile(
    r"\?"  # a question the text asks
    r"|\b(?:unclear|uncertain(?:ty)?|unknown|undecided|unresolved|unanswered|unconfirmed|unexplained|unverified)\b"
    r"|\bnot\s+(?:yet\s+)?(?:clear|known|certain|decided|confirmed|determined|settled|sure)\b"
    r"|\bremain(?:s|ed)?\s+to\s+be\s+seen\b|\byet\s+to\b|\bnot\s+yet\b|\bwhether\b"
    r"|\b(?:declined|refused|declines|refuses)\s+to\s+(?:say|comment|disclose|confirm|specify|elaborate|explain|"
    r"discuss|answer|give|provide)\b"
    rf"|\b(?:did|does|do|has|have|had|would|will|could)\s*(?:not|n['’]t)\s+(?:yet\s+)?(?:{_SAID})\b"
    r"|\b(?:allegedly|reportedly|purportedly|supposedly|denied|denies|refuted|refutes|disputed|disputes|contested)\b",
    re.IGNORECASE)

MAX_CHARS = 100  # a question is a short text (`schema.Short`)
_MIN_WORDS = 3

_WH = {"what", "who", "whom", "whose", "which", "when", "where", "why", "how"}
_PERSONAL = {"i", "me", "my", "we", "us", "our", "you", "your"}  # a question to the reader, or the writer's own
_UNRESOLVED = {"it", "its", "they", "them", "their", "this", "these", "those"}
_PLACES = {"GPE", "LOC", "NORP", "FAC"}
_HE = {"he", "she", "him", "her", "his", "hers"}
_ALLEGED = {"allegedly", "reportedly", "purportedly", "supposedly"}
_DENIED = {"deny", "dispute", "refute", "contest"}
_ASKING = {"ask", "wonder", "question", "see", "decide", "determine", "determination", "know", "clear", "sure",
           "certain"}
# Words whose clause is a question: "asked whether", "will decide whether", "the question of whether".
_WONDERING = {"ask", "wonder", "question", "see", "decide", "determine", "determination", "decision", "debate",
              "consider", "weigh", "doubt", "uncertainty", "speculation"}
# What, said or known, leaves its clause open when denied: "did not say whether…", "is not clear who…".
_UNSAID = _ASKING | {"say", "tell", "explain", "disclose", "confirm", "reveal", "specify"}
_OPEN_WORDS = {"unclear", "uncertain", "unknown", "undecided", "unanswered", "unresolved"}
_WITHHELD = {"provide", "give", "disclose", "reveal", "specify", "detail", "release", "offer", "outline", "share"}
_GIVEN = {"provide", "give", "offer", "share", "release"}  # of anything; the rest, of what is known
_INFORMATION = {"detail", "information", "specific", "specifics", "strategy", "plan", "timeline", "timetable", "date",
                "reason", "explanation", "evidence", "figure", "number", "estimate", "cost", "price", "name",
                "breakdown", "proof", "account", "clarification", "schedule", "budget", "target", "rationale",
                "justification", "data", "list", "indication", "word", "clarity", "answer", "update"}
_DETAILS = {"detail", "information", "specific", "specifics", "word", "indication", "clarity"}
_REPLIES = {"respond", "comment", "reply", "return", "answer", "statement", "response", "request"}
_REFUSED = {"decline", "refuse", "fail"}
_OR_NOT = re.compile(r",?\s+or\s+not$", re.IGNORECASE)
_CONTRACTED = {"'ll": "will", "’ll": "will", "'re": "are", "’re": "are", "'ve": "have", "’ve": "have",
               "'d": "would", "’d": "would", "'s": "is", "’s": "is", "ca": "can", "wo": "will"}
_DO = {"VBD": "did", "VBZ": "does", "VBP": "do"}
_QUOTES = str.maketrans("", "", "\"“”«»„")


def find(sources: list[Source], shown: Iterable[str] | None = None) -> dict[str, str]:
    """The question each sentence (of those in `shown`, when given) raises, by id, in reading order.
    Empty when spaCy is not installed."""
    allowed = set(shown) if shown is not None else None
    sentences = [s for src in sources for s in src.sentences
                 if (allowed is None or s.id in allowed) and UNSETTLED.search(s.text)]
    found = asked([s.text for s in sentences])
    return {s.id: q for s, q in zip(sentences, found, strict=True) if q is not None}


def asked(texts: list[str]) -> list[str | None]:
    """For each sentence, the question it raises in its words (None where it raises none, or spaCy
    is not installed)."""
    from .actors import parse

    found: list[str | None] = [None] * len(texts)
    todo = [i for i, text in enumerate(texts) if UNSETTLED.search(text)]
    # Tagged too: a question in the past needs the verb's tense and lemma.
    docs = parse([texts[i] for i in todo], tagged=True) if todo else None
    for i, doc in zip(todo, docs or [], strict=True):
        found[i] = _question(doc)
    return found


def _question(doc: Any) -> str | None:
    """The first question the sentence raises, in the order of the forms above."""
    person = _person(doc)
    for build in (_asked, _whether, _wh, _alleged, _denied, _withheld, _not_yet):
        for token in doc:
            question = build(token, person)
            if question is not None and (done := _finished(question)) is not None:
                return done
    return None


def _person(doc: Any) -> str | None:
    """The one person the sentence names, whom its "he" or "she" is: its one name of a person, else
    its one named subject ("Although he has not provided…, Tom Reed said…"); None for none or
    several."""
    people = {e.text.strip() for e in doc.ents if e.label_ == "PERSON"}
    # "Lee" of "Ana Lee … Lee" is the same person: the fuller name.
    people = {name for name in people if not any(other.endswith(" " + name) for other in people)}
    if not people:
        places = {t.i for e in doc.ents if e.label_ in _PLACES for t in e}
        people = {_words(t.subtree) for t in doc if t.dep_ in ("nsubj", "nsubjpass") and t.tag_ in ("NNP", "NNPS")
                  and t.i not in places and all(w.tag_ in ("NNP", "NNPS", "HYPH") for w in t.subtree)}
    return next(iter(people)) if len(people) == 1 else None


def _finished(text: str) -> str | None:
    text = " ".join(text.translate(_QUOTES).split()).strip(" ,;:–—-")
    text = _OR_NOT.sub("", text.rstrip("?.! ")).rstrip(" ,;:–—-.!")
    words = text.split()
    if len(words) < _MIN_WORDS or any(w.strip(",.").casefold() in _PERSONAL and w.strip(",.") != "US" for w in words):
        return None
    text = text[:1].upper() + text[1:] + "?"
    return text if len(text) <= MAX_CHARS else None


def _words(tokens: Iterable[Any]) -> str:
    return "".join(t.text_with_ws for t in tokens).strip()


def _subject(verb: Any, person: str | None) -> tuple[list[Any], str] | None:
    """A clause's subject and its words, with "he" or "she" as the person it is and a relative
    pronoun as the noun it stands for ("the plan, which reportedly costs…": "the plan"); None where
    the subject is someone the question would not name ("they", "it")."""
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
    if subject is None or subject.i > verb.i:
        return None
    tokens = list(subject.subtree)
    if subject.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
        inside = {t.i for t in verb.subtree}
        noun = [t for t in verb.head.subtree if t.i not in inside]
        while noun and noun[-1].is_punct:
            noun = noun[:-1]
        named = _named(noun, person) if noun else None
        return None if named is None else (tokens, named)
    named = _named(tokens, person, expletive=subject.dep_ == "expl")
    return None if named is None else (tokens, named)


def _inverted(verb: Any, person: str | None, skip: set[int]) -> str | None:
    """A clause as a yes-no question: "the bridge will reopen" as "will the bridge reopen", "the
    police beat the protesters" as "did the police beat the protesters". None where it has no
    subject the question can name, or is already a question."""
    found = _subject(verb, person)
    if found is None:
        return None
    subject, named = found
    inside = {t.i for t in subject}
    auxiliaries = [c for c in verb.children
                   if c.dep_ in ("aux", "auxpass") and subject[-1].i < c.i < verb.i and c.lower_ != "to"]
    if any(c.dep_ == "neg" and c.i < verb.i for c in verb.children) and any(
            a.lower_ in ("ca", "wo") for a in auxiliaries):
        return None  # "won't", "can't": the question would read "will … n't"
    replaced: dict[int, str] = {}
    if auxiliaries:
        moved = auxiliaries[0]
        front = _CONTRACTED.get(moved.lower_, moved.lower_)
    elif verb.lemma_ == "be":
        moved, front = verb, verb.lower_
    elif verb.tag_ in _DO:
        moved, front = None, _DO[verb.tag_]
        replaced[verb.i] = verb.lemma_ + verb.whitespace_
    else:
        return None
    before: list[str] = []
    after: list[str] = []
    for token in verb.subtree:
        if token.i in skip or token.i in inside or (moved is not None and token.i == moved.i):
            continue
        text = replaced.get(token.i, token.text_with_ws)
        (before if token.i < subject[0].i else after).append(text)
    lead = "".join(before).strip()
    rest = "".join(after).strip()
    question = f"{front} {named} {rest}".strip()
    return f"{lead} {question}" if lead else question


def _asked(token: Any, person: str | None) -> str | None:
    """A question the text asks itself: its words up to the question mark."""
    if token.text != "?":
        return None
    start = token.i
    while start > 0 and token.doc[start - 1].text not in (".", "!", ":", ";", "“", '"', "?"):
        start -= 1
    words = token.doc[start:token.i]
    if not len(words) or words[0].lower_ not in _WH | {"will", "would", "can", "could", "should", "is", "are", "was",
                                                        "were", "do", "does", "did", "has", "have", "had", "may",
                                                        "might", "shall"}:
        return None
    if any(t.lower_ in _UNRESOLVED | _HE for t in words):
        return None
    return _words(words)


def _whether(token: Any, person: str | None) -> str | None:
    """"… whether the bridge will reopen" as "Will the bridge reopen?"; "unclear if …" too."""
    if token.dep_ != "mark" or token.lower_ not in ("whether", "if"):
        return None
    verb = token.head
    governor = verb.head.head if verb.dep_ == "pcomp" else verb.head  # "the question of whether…"
    if not _asking(governor):
        return None  # "whether they like it or not, …"; "driven by whether…"; "if it rains, …"
    return _inverted(verb, person, {token.i})


def _asking(governor: Any) -> bool:
    """Whether a word leaves what its clause says open: "unclear", "not known", "did not say",
    "will decide", "remains to be seen", "asked"."""
    negated = any(c.dep_ == "neg" for c in governor.children)
    if governor.lemma_ == "be":  # "it is unclear when…", "it is not known who…"
        return any(c.dep_ in ("acomp", "attr") and (c.lower_ in _OPEN_WORDS or (negated and c.lower_ in _ASKING))
                   for c in governor.children)
    return (governor.lower_ in _OPEN_WORDS or governor.lemma_ in _WONDERING
            or any(c.dep_ == "dobj" and c.lemma_ in _WONDERING for c in governor.children)  # "make a decision"
            or (negated and governor.lemma_ in _UNSAID)
            or (governor.dep_ == "xcomp" and governor.head.lemma_ in _REFUSED))


def _wh(token: Any, person: str | None) -> str | None:
    """"unclear when the deal will close" as "When will the deal close?"; "not known how many died"
    as "How many died?"."""
    if token.lower_ not in _WH or token.tag_ not in ("WP", "WRB", "WDT", "WP$"):
        return None
    verb = token.head
    phrase = token
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        phrase, verb = verb, verb.head
    clause = list(verb.subtree)
    if verb.dep_ not in ("ccomp", "xcomp", "pcomp", "dobj", "csubj", "advcl") or clause[0].i != token.i \
            or not _asking(verb.head) or verb.head.lemma_ in _REPLIES:
        return None
    words = {t.i for t in phrase.subtree}
    if phrase.dep_ in ("nsubj", "nsubjpass"):
        if any(t.lower_ in _UNRESOLVED | _HE for t in clause):
            return None
        return _words(clause)
    rest = _inverted(verb, person, words)
    return None if rest is None else f"{_words(phrase.subtree)} {rest}"


def _alleged(token: Any, person: str | None) -> str | None:
    """"the police allegedly beat the protesters" as "Did the police beat the protesters?"."""
    if token.lower_ not in _ALLEGED or token.dep_ != "advmod" or token.head.pos_ not in ("VERB", "AUX"):
        return None
    verb = token.head
    # Not the words that tie a relative clause to its sentence: "during which".
    skip = {token.i} | {t.i for c in verb.children if c.dep_ == "prep" and c.i < verb.i
                        and any(t.tag_ in ("WDT", "WP") for t in c.subtree) for t in c.subtree}
    return _inverted(verb, person, skip)


def _denied(token: Any, person: str | None) -> str | None:
    """"denied that the call took place" as "Did the call take place?"."""
    if token.lemma_ not in _DENIED or token.pos_ != "VERB":
        return None
    clause = next((c for c in token.children if c.dep_ == "ccomp"), None)
    if clause is None:
        return None
    return _inverted(clause, person, {c.i for c in clause.children if c.dep_ == "mark"})


def _withheld(token: Any, person: str | None) -> str | None:
    """"has not provided a timeline for the vote" as "What is Ana Lee's timeline for the vote?";
    "did not provide details on the route" as "What is the route?"."""
    if token.lemma_ not in _WITHHELD or token.pos_ != "VERB":
        return None
    refused = token.dep_ == "xcomp" and token.head.lemma_ in _REFUSED
    # Not given so far ("did not", "has not"), not what will not be given ("will not provide trim inputs").
    withheld = any(c.dep_ == "neg" for c in token.children) and any(
        c.dep_ == "aux" and c.lemma_ in ("do", "have") for c in token.children)
    if not (refused or withheld):
        return None
    thing = next((c for c in token.children if c.dep_ == "dobj"), None)
    if thing is None or thing.lemma_ in _REPLIES or (token.lemma_ in _GIVEN and thing.lemma_ not in _INFORMATION):
        return None  # "did not provide weapons": not something to know
    if thing.lemma_ in _DETAILS:
        about = next((g for c in thing.children if c.dep_ == "prep" and c.lower_ in ("on", "about", "of", "regarding")
                      for g in c.children if g.dep_ == "pobj"), None)
        if about is None:
            return None
        named = _named(list(about.subtree), person)
        return None if named is None else f"what {'are' if about.tag_ in ('NNS', 'NNPS') else 'is'} {named}"
    verb = "are" if thing.tag_ in ("NNS", "NNPS") else "is"
    if any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in thing.children) and any(
            c.dep_ in ("prep", "acl", "relcl", "compound", "amod") for c in thing.children):
        named = _named(list(thing.subtree), person)  # "the cost of the program": whose it is, it says
        return None if named is None else f"what {verb} {named}"
    # "a detailed strategy", "its revenue": the one who did not give it owns it.
    holder = _subject(token.head if refused else token, person)
    if holder is None:
        return None
    owner = holder[1] + ("'" if holder[1].endswith("s") else "'s")
    words = [t for t in thing.subtree if not (t.head.i == thing.i and (t.dep_ in ("det", "poss")
                                                                   or t.lower_ in ("further", "any", "more")))]
    named = _named(words, person)
    return None if named is None else f"what {verb} {owner} {named}"


def _named(tokens: list[Any], person: str | None, expletive: bool = False) -> str | None:
    """Words as a question writes them inside: "he" or "she" as the person the sentence names, the
    first word in lower case unless a name ("The minister" as "the minister"); None where a pronoun
    stays unnamed ("they", "it" unless it is "it is…")."""
    words = []
    for n, token in enumerate(tokens):
        if token.lower_ in _UNRESOLVED and not (expletive and token.lower_ == "it"):
            return None
        if token.lower_ in _HE:
            if person is None:
                return None
            words.append(person + ("'s" if token.lower_ in ("his", "hers") else "") + token.whitespace_)
        elif n == 0 and token.tag_ not in ("NNP", "NNPS"):
            words.append(token.lower_ + token.whitespace_)
        else:
            words.append(token.text_with_ws)
    return "".join(words).strip()


def _not_yet(token: Any, person: str | None) -> str | None:
    """"nine of the ten mills have yet to reopen" as "Will nine of the ten mills reopen?"; "has not yet
    agreed on a date" as "Will … agree on a date?"."""
    if token.lower_ != "yet" or token.dep_ != "advmod":
        return None
    head = token.head
    if token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to":
        verb = next((c for c in head.children if c.dep_ == "xcomp"), None)
    elif any(c.dep_ == "neg" for c in head.children):
        verb = head
    else:
        return None
    if verb is None or verb.lemma_ in _REPLIES or verb.lemma_ in _WITHHELD:
        return None
    holder = _subject(head, person)
    if holder is None:
        return None
    subject, named = holder
    skip = {t.i for t in subject} | {token.i} | {c.i for c in verb.children if c.dep_ in ("aux", "neg")}
    if verb.i != head.i:
        skip |= {c.i for c in head.children if c.dep_ in ("aux", "neg")} | {head.i}
    else:
        skip |= {c.i for c in verb.children if c.dep_ in ("aux", "auxpass")}
    rest = "".join(verb.lemma_ + verb.whitespace_ if t.i == verb.i else t.text_with_ws
                   for t in verb.subtree if t.i not in skip).strip()
    return f"will {named} {rest}"
