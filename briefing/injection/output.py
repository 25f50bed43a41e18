"""Layer 3: the distinctive strings (codes, URLs, e-mail addresses, domains, brand or organisation
names, quoted payloads) that model-written text takes from flagged sentences only, or that look
like codes, addresses or a promotion and occur in no sentence the model was shown."""

from __future__ import annotations

import re
import unicodedata

from .lexicon import QUOTES

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_TLDS = ("com org net info biz io app dev xyz online site shop store top club example test invalid gov edu int"
         " news link click live life world").split()
# A name with a generic top-level domain or a two-letter country one ("deals.example", "news.co").
_DOMAIN = re.compile(rf"(?<![@\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
                     rf"(?:{'|'.join(_TLDS)}|[a-z]{{2}})\b(?![.-]?\w)")
# Codes as attackers write them: TANGO-88, SPRING20, X7-ALPHA; also well-known public ones, skipped below.
_CODE = re.compile(r"\b(?=[A-Z0-9_-]*\d)(?=(?:[0-9_-]*[A-Z]){2})[A-Z0-9]+(?:[-_][A-Z0-9]+)*\b")
_CODE_ANY_CASE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\b")
_WORD_NUMBER = re.compile(r"\b[A-Za-z]{2,} \d+\b")  # "Tango 88", which a model may write for TANGO-88
# Codes the world writes, which a model may add from what it knows; not evidence of an attack.
_PUBLIC_CODES = re.compile(r"COVID-19|SARS-COV-2|MERS-COV|H\d+N\d+|PM\d+|COP-?\d+|MH\d+|EU-?\d+|CO\d|NO\d|CH\d"
                           r"|[A-Z]-?\d+")
# "promo code SPRING", "discount code x7k2": the code is in capitals or has a digit ("the code mentioned" is no code).
_PROMO = re.compile(r"\b(?i:promo(?:tional)?|discount|coupon|voucher|referral|gift|bonus) ?(?i:code)\s*:?\s*[\"'“]?"
                    r"([A-Z0-9][A-Z0-9_-]{2,}\b|[A-Za-z_-]*\d[\w-]*)")
# Selling and calls to action: a briefing writes them only when a source it was shown does.
_PROMOTION = re.compile(
    r"\b(?:\d+ ?(?:%|percent|per cent) (?:off|discount)|(?:discount|promo(?:tional)?|coupon|voucher|referral)"
    r" (?:offers?|prices?|deals?)|free (?:trial|download|shipping|gift|game|app|version|update)s?"
    r"|limited[- ]time(?: offer| deal)?|special offers?|exclusive (?:deals?|offers?)|best (?:prices?|deals?)"
    r"|(?:buy|order|shop|act|subscribe|download|install|sign up|register|join|call|donate|vote) (?:now|today)"
    r"|(?:follow|like|subscribe to|contact|join) us\b|reach out (?:to|at)|sponsored by|click (?:here|the link|below)"
    r"|don'?t miss|(?:download|install|buy|order|get|claim) (?:\w+ ){0,3}?(?:at|from|via) "
    r"|(?:share|leave|post) (?:your|their) (?:opinions?|thoughts|comments|feedback) |in the comments)",
    re.IGNORECASE)
# A one-word name where a sentence does not start: "Globex", "AcmeCo".
_WORD_NAME = re.compile(r"(?<=\w[ ,;:(])[A-Z][a-z]+[A-Z]?\w*")
_NAME_WORDS = 6  # the longest name considered, in words; longer runs of capitals are cut into names this long
_CONNECTOR = {"of", "for", "and", "the", "de", "del", "la", "le", "des", "du", "von", "van", "der", "&", "in", "on"}
_QUOTED = re.compile(r"\"([^\"\n]{4,120})\"(?!\s*:)")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(QUOTES)
    return " " + " ".join(re.sub(r"[^\w@.:/-]+", " ", text.casefold()).split()) + " "


def _has(haystack: str, needle: str) -> bool:
    """Whether `needle` (a normalised phrase) occurs in `haystack` as whole words."""
    return re.search(rf"(?<![\w]){re.escape(needle.strip())}(?![\w])", haystack) is not None


def _compact(code: str) -> str:
    return re.sub(r"[-_ ]", "", code).casefold()


def _compact_codes(text: str) -> set[str]:
    return {_compact(c) for c in [*_CODE_ANY_CASE.findall(text), *_WORD_NUMBER.findall(text)]}


def _names(text: str) -> list[str]:
    """Capitalised names of two or more words ("Northwind Capital Partners", "Bank of Ruritania"), every span."""
    names: list[str] = []
    words = [m.group() for m in re.finditer(r"[\w'’.&-]+", text)]
    run: list[str] = []
    for word in [*words, ""]:
        if word and (word[0].isupper() or (run and word.casefold() in _CONNECTOR)):
            run.append(word.rstrip(".,"))
            continue
        for i in range(len(run)):
            for j in range(min(len(run), i + _NAME_WORDS), i + 1, -1):
                span = run[i:j]
                content = [w for w in span if w.casefold() not in _CONNECTOR]
                if len(content) >= 2 and span[0][0].isupper() and span[-1][0].isupper() \
                        and span[0].casefold() not in {"the", "a", "an"}:
                    names.append(" ".join(span))
        run = []
    return names


def _candidates(text: str) -> list[tuple[str, bool]]:
    """(string, looks like a code or address) for every distinctive string of a model-written text."""
    found = [(m.group(), True) for m in _URL.finditer(text)]
    found += [(m.group(), True) for m in _EMAIL.finditer(text)]
    found += [(m.group(), True) for m in _DOMAIN.finditer(text) if not any(m.group() in u for u, _ in found)]
    found += [(m.group(1), True) for m in _PROMO.finditer(text)]
    found += [(c, not _PUBLIC_CODES.fullmatch(c)) for c in _CODE.findall(text)]
    found += [(c, False) for c in [*_CODE_ANY_CASE.findall(text), *_WORD_NUMBER.findall(text)]
              if not _CODE.fullmatch(c)]
    found += [(n, False) for n in _names(text)]
    found += [(w, False) for w in re.findall(r"\b[A-Z][a-z]+[A-Z]?\w*", text)]
    found += [(m.group().strip(), True) for m in _PROMOTION.finditer(text)]
    return list(dict.fromkeys(found))


def smuggled(texts: dict[str, str], source_text: str, flagged_text: str) -> dict[str, list[str]]:
    """For each model-written field that carries them, the strings it must not carry.

    A string is smuggled when it is distinctive (a code such as ABC-12 or SPRING20, a URL, an
    e-mail address, a domain, a promo code, a capitalised name, or a phrase a flagged sentence
    puts in quotes) and occurs in the sources only inside flagged sentences; or when it looks
    like a code, URL, address or domain, or sells or calls to action ("20 percent off", "free
    trial", "sign up today", "download it from"), and no sentence the model was shown has it.
    Matching ignores case, and codes also ignore hyphens ("Tango 88" is "TANGO-88"). Fields
    without such strings are left out of the result.

    Args:
        texts: model-written text by field path ("title", "actors[0].name").
        source_text: the sources' text outside flagged sentences.
        flagged_text: the flagged sentences, joined.
    """
    clean, bad = _norm(source_text), _norm(flagged_text)
    clean_codes, bad_codes = _compact_codes(source_text), _compact_codes(flagged_text)
    quoted = [q for q in dict.fromkeys(_QUOTED.findall(flagged_text.translate(QUOTES)))
              if not _has(clean, _norm(q))]
    # A one-word name counts when the flagged text writes it as a name too, not as a word a title capitalises.
    bad_names = set(_WORD_NAME.findall(flagged_text))
    result: dict[str, list[str]] = {}
    for path, text in texts.items():
        hits: list[str] = []
        for item, address_like in _candidates(text):
            if re.fullmatch(r"[A-Z][a-z]+[A-Z]?\w*", item) and item not in bad_names:
                continue
            key = _norm(item)
            is_code = bool(_CODE_ANY_CASE.fullmatch(item) or _WORD_NUMBER.fullmatch(item))
            compact = _compact(item)
            in_clean = _has(clean, key) or (is_code and compact in clean_codes)
            in_bad = _has(bad, key) or (is_code and compact in bad_codes)
            if (in_bad and not in_clean) or (address_like and not in_clean and not in_bad):
                hits.append(item)
        hits += [q for q in quoted if _has(_norm(text), _norm(q)) and q not in hits]
        kept = sorted(dict.fromkeys(h for h in hits if not any(h != other and h in other for other in hits)),
                      key=text.find)
        if kept:
            result[path] = kept
    return result
