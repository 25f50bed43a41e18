"""What the sources show their actors doing, read off spaCy's dependency parse: who holds a
position in which sentence, and which names act at all.

A mention holds a position in its sentence when it is the subject of a verb of saying, stance or
decision ("Ana Duarte said", "the ministry opposes", "Lisbon is striving to", "the council passed"),
of a copula with an adjective of stance ("unions are wary of"), the owner of a noun of stance
("the council's demand", "its concerns"), the speaker in "according to X" or the agent in "was
criticised by X", and when it stands behind the one who speaks: "ministry officials said", "a
spokeswoman for the port said", "the Duarte administration believes". A pronoun that is such a
subject ("he said") stands for an actor named before it (`actors`). A quotation that runs over
several sentences belongs to whoever the sentence that closes it names. What a speaker says of
someone else, inside quotation marks or laid on them ("the port must reopen"), is the speaker's.

A name only names when it says where or when something happens ("talks in Lisbon"), modifies a
common noun ("Bonny Light crude", "the Ames-Ruiz law"), is an adjective, is whoever is told something
("told the Gazette") or compiled the figures ("data compiled by X"); a name that never does more
is not an actor of a briefing.

These sentences are the only ones a position may cite (`request_schema`): a stance cannot be
pinned on someone the sources do not show holding it. Nothing here knows the names of any story.
"""

from __future__ import annotations

import re
from typing import Any

from .schema import STANCE_PATTERN

# Verbs by which a text says that its subject said, holds, wants or intends something.
_STANCE_VERBS = (
    "say tell state add note mention explain argue claim insist maintain contend stress emphasise emphasize "
    "reiterate confirm deny refute reject dismiss dispute question doubt challenge acknowledge admit concede "
    "announce declare pledge vow promise threaten warn caution urge call ask demand press push lobby seek want "
    "wish hope fear worry believe think expect predict suggest propose recommend advocate support back endorse "
    "favour favor oppose object resist criticise criticize condemn blame accuse welcome praise applaud agree "
    "disagree refuse decline plan intend aim strive commit express indicate signal respond reply counter write "
    "tweet insist prefer reckon assert allege protest complain hail veto report project forecast estimate focus "
    "prioritise prioritize pursue pass adopt approve enact sign ratify extend impose lift ban block grant delay "
    "suspend decide vote order authorise authorize"
).split()
_IRREGULAR = {"say": ["said"], "tell": ["told"], "seek": ["sought"], "think": ["thought"],
              "write": ["wrote", "written"], "strive": ["strove", "striven"]}
# Adjectives that, after a copula, give the subject's stance: "unions are wary of", "she is eager to".
_STANCE_ADJECTIVES = set(
    "worried concerned opposed committed determined eager keen willing unwilling reluctant sceptical skeptical "
    "confident optimistic pessimistic wary adamant critical supportive hopeful firm ready resolved intent "
    "convinced unconvinced doubtful afraid fearful anxious cautious open hesitant".split())
# Nouns of stance an actor owns: "the council's demand", "its concerns".
_STANCE_NOUNS = set(
    "view views position positions stance stances demand demands call calls proposal proposals plan plans "
    "intention intentions aim aims goal goals concern concerns worry worries fear fears opposition support "
    "criticism commitment commitments pledge pledges promise promises willingness refusal insistence warning "
    "warnings objection objections request requests wish wishes hope hopes priority priorities "
    "argument arguments claim claims denial charges allegations accusations complaints".split())
# Who speaks or acts for a body named beside them: "ministry officials", "a spokesman for the port",
# "the Duarte administration", "Acme's chief executive". Not an expert who gives their own view
# ("Ana Lee, an economist at the bank"), though a firm's experts together speak for it ("bank economists").
_VOICES = set(
    "official officials spokesperson spokespeople spokesman spokesmen spokeswoman spokeswomen representative "
    "representatives aide aides adviser advisers advisor advisors envoy envoys ambassador minister ministers "
    "team administration government leadership leader leaders camp campaign office lawyer lawyers "
    "negotiator negotiators diplomat diplomats source sources economists analysts researchers executives "
    "ceo staff agent agents officer officers employee employees allies nations countries partners capitals "
    "governments".split())
# What a party expects, which a text attributes like a statement: "according to the bank's forecast".
_OUTLOOK = set("forecast forecasts projection projections outlook prediction predictions estimate estimates "
               "view views assessment".split())
# Words that make a voice a former one: "a retired diplomat" speaks for no one.
_FORMER = {"former", "retired", "ex", "onetime", "erstwhile"}
_COPULAS = {"is", "are", "was", "were", "be", "been", "being", "am", "'s", "’s", "remain", "remains", "remained",
            "seem", "seems", "seemed", "appear", "appears", "appeared", "become", "became", "becomes"}
_PERSON_PRONOUNS = {"he", "she", "him", "her", "his"}
_GROUP_PRONOUNS = {"it", "its", "they", "their", "them"}
# Dependency links from a name up to the noun it is part of ("the Duarte administration").
_PART_OF = {"compound", "poss", "amod", "nmod", "flat"}


def _forms(base: str) -> set[str]:
    """A verb's inflected forms: "urge" → urge, urges, urged, urging."""
    forms = {base, *_IRREGULAR.get(base, [])}
    if base.endswith("e"):
        forms |= {base + "s", base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    elif base.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {base + "es", base + "ed", base + "ing"}
    else:
        forms |= {base + "s", base + "ed", base + "ing"}
        if base in ("commit", "object", "protest", "veto"):  # doubled consonant or -es
            forms |= {"committed", "committing", "vetoes", "vetoed"}
    return forms


VERBS = set().union(*map(_forms, _STANCE_VERBS))
_ADD = _forms("add")


def holds_position(root: Any) -> bool:
    """Whether a mention (the root token of its span) holds a position in its sentence. Not a
    mention inside a quotation: that is what the speaker says of it ("“the mayor wants …,” she said")."""
    if quoted(root):
        return False
    token = _speaker(root)
    if token.dep_ in ("nsubj", "nsubjpass", "csubj") and _stance_predicate(token.head):
        return True
    if token.dep_ == "poss":
        return token.head.lower_ in _STANCE_NOUNS
    if token.dep_ == "pobj" and token.head.lower_ == "to" and token.head.head.lower_ == "according":
        return True
    if token.dep_ == "pobj" and token.head.lower_ in ("by", "from") and (
            token.head.head.lower_ in _STANCE_NOUNS
            or any(c.dep_ == "dobj" and c.lower_ in _STANCE_NOUNS for c in token.head.head.children)):
        return True  # "charges by regulators", "calls from allies", "settle charges by the regulator"
    if token.dep_ == "dobj" and any(c.dep_ in ("oprd", "acomp") and c.lower_ in _STANCE_ADJECTIVES
                                    for c in token.head.children):
        return True  # "left shippers wary"
    if token.dep_ == "pobj" and token.head.dep_ == "agent":  # "was criticised by X"
        return token.head.head.lower_ in VERBS
    # "allies who are worried that …", "a union that opposes …"
    return any(child.dep_ == "relcl" and _stance_predicate(child) for child in token.children)


def _speaker(root: Any) -> Any:
    """The token that stands in the sentence for a mention: the mention itself, or the noun it is
    part of ("the Duarte administration"), or the voice that speaks for it ("a spokeswoman for X")."""
    token = root
    for _ in range(4):
        head = token.head
        if token.dep_ in _PART_OF and head.i != token.i and (
                _voice(head) or (token.dep_ == "poss" and head.ent_type_ == "PERSON")):
            token = head  # "ministry officials", "the port's Ana Duarte"
        elif token.dep_ == "pobj" and head.lower_ in ("for", "of", "at", "from", "with") and _voice(head.head):
            token = head.head  # "a spokeswoman for the port"
        elif token.dep_ == "appos" and _voice(token) and head.i != token.i:
            token = head  # "Ana Duarte, a spokeswoman for the port, said"
        elif token.dep_ == "pobj" and head.lower_ == "at" and (speaker := _person_subject(head.head)) is not None:
            token = speaker  # "At the port, Ana Duarte said": she speaks for it
        elif token.dep_ in _PART_OF and head.i != token.i and head.lower_ in _OUTLOOK:
            token = head  # "according to the bank's forecast"
        else:
            break
    return token


def _voice(token: Any) -> bool:
    """Whether a noun names someone who speaks for a body now (`_VOICES`, not "a former envoy")."""
    return token.lower_ in _VOICES and not any(c.lower_ in _FORMER for c in token.children)


def _person_subject(verb: Any) -> Any:
    """The subject of a verb when it is a person or someone who speaks for a body."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is not None and (subject.ent_type_ == "PERSON" or subject.lower_ in _VOICES):
        return subject
    return None


def subject(root: Any) -> bool:
    """Whether a mention is, or stands behind, the subject of its clause ("Nordic nations have")."""
    return str(_speaker(root).dep_) in ("nsubj", "nsubjpass") or (
        root.dep_ in ("amod", "compound") and root.head.dep_ in ("nsubj", "nsubjpass"))


def quoted(token: Any) -> bool:
    """Whether a token stands inside quotation marks in its sentence (a straight quote that opens
    the sentence before a space closes the quotation of the sentence before)."""
    opened = False
    for other in token.sent:
        if other.i >= token.i:
            return opened
        if other.text in ("“", "«", "„"):
            opened = True
        elif other.text in ("”", "»"):
            opened = False
        elif other.text == '"' and not (other.i == token.sent.start and other.whitespace_):
            opened = not opened
    return opened


def _stance_predicate(verb: Any) -> bool:
    """Whether a subject's head is a verb of saying or stance, or a copula with an adjective of
    stance, or a verb joined to one ("said and urged"). Not one someone else lays on the subject
    ("the government must decide"): that is the speaker's position."""
    if any(c.dep_ == "aux" and c.lower_ in ("must", "should", "ought") for c in verb.children):
        return False
    if verb.lower_ in _ADD and any(c.dep_ == "dobj" for c in verb.children):
        return False  # "has added 80 jobs" adds things; "he added" says more
    if verb.lower_ in VERBS:
        return True
    if verb.lower_ in _COPULAS or verb.dep_ == "ROOT":
        if any(c.dep_ in ("acomp", "attr", "oprd") and c.lower_ in _STANCE_ADJECTIVES for c in verb.children):
            return True
    if verb.lower_ in _STANCE_ADJECTIVES:  # parsed as the head itself: "they are eager to"
        return True
    return any(c.dep_ == "conj" and c.lower_ in VERBS for c in verb.children)


# Prepositions of place and time: a name after one is where or when something happens. "to" and
# "from" only after a word of travel ("flew to Oslo"): "aid to Porto", "pressure from Lisbon" name parties.
_SETTING = set("in at near across throughout within inside outside around through along since during until "
               "beyond off".split())
_TRAVEL = set("travel travels travelled traveled travelling traveling trip trips journey visit visits visited "
              "return returns returned returning go goes went going come comes came coming fly flies flew flying "
              "flight flights head heads headed heading arrive arrives arrived arriving move moves moved moving "
              "drive drove driving commute route routes way stop stops leave left leaving depart departed "
              "departing continue continues continued continuing".split())
_TOLD = {"tell", "tells", "told", "telling"}
# What a party puts out: "Health Ministry data", "the bank's research" name the party that speaks.
_INFORMATION = set("data figures research report reports survey surveys statistics estimate estimates analysis study "
                   "studies forecast forecasts projection projections numbers statement statements announcement "
                   "ruling order orders decision decisions".split())
# Verbs of making figures: "data compiled by X" credits a source of numbers, not an actor.
_COMPILED = set("compiled compile compiles compiling calculated calculate calculates collected collects gathered "
                "tabulated published provided supplied".split())


def only_named(root: Any) -> bool:
    """Whether a mention names something without it acting: where or when something happens ("in
    Lima", "flew to Oslo"), a modifier of a common noun ("Bonny Light crude", "the Ames-Ruiz law", "Nordic
    markets"), an adjective ("how Nordic that is"), whoever is told something ("told the
    Gazette", "an interview with Radio Harbour") or whoever compiled the figures ("data compiled by X")."""
    if _speaker(root) is not root:  # someone speaks or acts for it: "a spokeswoman for X", "at X, Y said"
        return False
    token = root
    while token.dep_ in ("appos", "compound", "nmod") and token.head.i != token.i and (
            token.dep_ == "appos" or token.head.ent_type_):  # "told affiliate WHRB", "the Gazette's WHRB"
        token = token.head
    head = token.head
    if token.dep_ in ("dobj", "dative") and head.lower_ in _TOLD:
        return True
    if token.dep_ == "pobj" and (head.head.lower_ in ("interview", "interviews") or head.head.lower_ in _COMPILED):
        return True
    if token.dep_ in ("acomp", "attr", "amod") and not any(c.dep_ == "relcl" for c in token.children):
        return True
    if token.dep_ in ("compound", "nmod") and head.i != token.i and head.lower_ not in _VOICES | _INFORMATION:
        return True
    return is_setting(token)


def reports(root: Any) -> bool:
    """Whether a mention only reports or words what happened: "X said", "according to X", "as X put
    it", "reported by X" (for a news outlet, a credit)."""
    token = _speaker(root)
    head = token.head
    if token.dep_ in ("nsubj", "nsubjpass") and (head.lower_ in VERBS or head.lower_ in ("put", "puts")):
        return True
    if token.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
        return True
    return token.dep_ == "pobj" and head.dep_ == "agent" and head.head.lower_ in VERBS


def acts(root: Any) -> bool:
    """Whether a mention plainly acts: it holds a position, is the subject or agent of what
    happens, owns something, or has a clause said of it ("X, which may play a role"); or is joined
    to or set beside a mention that does ("lobbyists, and Duarte herself, are")."""
    if holds_position(root):
        return True
    token = _speaker(root)
    for one in (token, *_joined(token)):
        if one.dep_ in ("nsubj", "nsubjpass", "csubj", "poss") or any(c.dep_ == "relcl" for c in one.children):
            return True
        if one.dep_ == "pobj" and one.head.dep_ == "agent" and one.head.head.lower_ not in _COMPILED:
            return True
    return False


def _joined(token: Any) -> list[Any]:
    joined: list[Any] = []
    while token.dep_ in ("conj", "appos") and token.head.i != token.i and len(joined) < 4:
        token = token.head
        joined.append(token)
    return joined


def is_setting(root: Any) -> bool:
    """Whether a mention only says where or when something happens: after a preposition of place
    or time (or "to"/"from" after a word of travel), or a modifier of such a place ("the Faro region"),
    or joined to such a place ("to Oslo and Bergen")."""
    token = root
    while token.dep_ in ("compound", "amod", "nmod", "conj") and token.head.i != token.i:
        token = token.head
    if token.dep_ != "pobj":
        return False
    preposition = token.head.lower_
    return preposition in _SETTING or (preposition in ("to", "from", "for") and token.head.head.lower_ in _TRAVEL)


def pronoun_holders(doc: Any, sentence_of: Any) -> list[tuple[int, int, int | None]]:
    """(pronoun token, sentence index, antecedent token or None) for every pronoun in `doc` that
    holds a position ("he said", "its concerns"); `sentence_of(token_index)` gives a token's
    sentence index. A pronoun inside a relative clause stands for the noun the clause is about
    ("Norway, which … due to its concerns")."""
    found = []
    for token in doc:
        if token.lower_ in _PERSON_PRONOUNS | _GROUP_PRONOUNS and holds_position(token) and not _own(token):
            found.append((token.i, sentence_of(token.i), _relative_antecedent(token)))
    return found


def _relative_antecedent(token: Any) -> int | None:
    for _ in range(6):
        if token.dep_ == "relcl":
            return int(token.head.i)
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def _own(token: Any) -> bool:
    """Whether a possessive pronoun refers to the subject of its own clause ("officials have
    indicated their intention"): that subject holds the position, not an earlier name."""
    if token.dep_ != "poss":
        return False
    verb = token.head.head
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in _PERSON_PRONOUNS | _GROUP_PRONOUNS
               for c in verb.children)


def is_person_pronoun(word: str) -> bool:
    return word.casefold() in _PERSON_PRONOUNS


def closed_quotes(texts: list[str]) -> dict[int, int]:
    """For a quotation that opens in one sentence and closes in a later one, the index of the
    closing sentence for each sentence before it: their words belong to whoever the closing one
    names ("“… .” / “… ,” she said.")."""
    spans: dict[int, int] = {}
    opened: int | None = None
    for i, text in enumerate(texts):
        opens, closes = text.count("“"), text.count("”")
        if opened is None and opens > closes:
            opened = i
        elif opened is not None and closes > opens:
            spans.update(dict.fromkeys(range(opened, i), i))
            opened = None
    return spans


# Verbs that report speech: their clausal complement is what was said ("“We will wait,” she said").
_SPEECH = set().union(*map(_forms, "say tell state add note mention explain argue claim insist write tweet report "
                                   "announce declare respond reply warn stress reiterate confirm".split()))
# The longest stance taken whole; a longer one is cut back at a clause boundary.
STANCE_CHARS = 220


def stance(root: Any) -> str:
    """What the sentence says a mention (the root token of its span) holds, in the sentence's own
    words: what it said ("We will not reopen the port"), its predicate ("is striving to reopen
    the port"), the claim attributed to it ("according to X, the port will close"), or the
    noun of stance it owns ("concerns about the tariffs"). The whole sentence when none of
    these reads as one."""
    token = _speaker(root)
    verb = token.head
    subject = token.dep_ in ("nsubj", "nsubjpass") and _stance_predicate(verb)
    if subject and verb.lower_ in _SPEECH:
        said = next((c for c in verb.children if c.dep_ in ("ccomp", "xcomp")), None)
        if said is not None:
            return _clean(_subtree(said))
    if subject:
        return _clean([t for t in verb.subtree if t.i > token.right_edge.i and t.i <= verb.right_edge.i])
    if token.dep_ == "pobj" and token.head.lower_ == "to" and token.head.head.lower_ == "according":
        return _clean([t for t in token.sent if t not in set(token.head.head.subtree)])
    if token.dep_ == "poss" and token.head.lower_ in _STANCE_NOUNS:
        return _clean(_subtree(token.head))
    clause = next((c for c in token.children if c.dep_ == "relcl"), None) or next(
        (c for c in token.head.children if c.dep_ in ("oprd", "acomp") and token.dep_ == "dobj"), None)
    if clause is not None:  # "… who are worried that": from "are"
        return _clean([t for t in clause.subtree
                       if t.lower_ not in ("who", "which", "that") or t.i != clause.left_edge.i])
    return _clean(list(token.sent))


def _subtree(token: Any) -> list[Any]:
    return list(token.subtree)


_OPEN_QUOTES = "“”\"«»„"


def _clean(tokens: list[Any]) -> str:
    """The tokens' text as a stance (`tidy`)."""
    return tidy("".join(t.text_with_ws for t in sorted(tokens, key=lambda t: t.i)))


def tidy(text: str) -> str:
    """Words of the sources as a stance: without quotation marks, brackets or a trailing comma or
    full stop, cut back at a clause boundary when long; "" when under three words (too short to
    stand for a position)."""
    text = text.translate({ord(ch): None for ch in _OPEN_QUOTES + "[]{}\\"})
    text = " ".join(text.split()).strip(" ,;:-–—.")
    text = re.sub(r"^(?:that|whether)\s+", "", text)  # "said that …": what was said
    while len(text) > STANCE_CHARS or (len(text.split()) >= 3 and not re.fullmatch(STANCE_PATTERN, text)):
        limit = min(len(text) - 1, STANCE_CHARS)
        cut = max(text.rfind(", ", 0, limit), text.rfind("; ", 0, limit))
        if cut < 40:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            return ""
        text = text[:cut].rstrip(" ,;:-–—")
        while text.split()[-1:] and text.split()[-1].casefold() in _ENDLESS:
            text = text.rsplit(" ", 1)[0]
    return text if len(text.split()) >= 3 else ""


# Words a stance cut back at a boundary may not end on (a shorter list than `content.DANGLING`,
# which this module cannot import).
_ENDLESS = set("a an the of to on in at for with by from and or but which who that is are was were has have had "
               "its their as into than".split())
