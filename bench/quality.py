"""Briefing quality on annotated articles: key-actor recall, junk actors, kinds, position attribution,
timeline pairing, repeated fields, bare-name signposts, cut texts, and the support check's verdicts
(the share of shown items the judge found supported; shown items judged contradicted).

Runs `briefing generate ARTICLE --format json` on every article of a gold file, keeps each JSON
output and scores it against the file's hand-written annotations (its `_about` explains them),
with the tokens, model calls and wall time of each run.

    python bench/quality.py                                   # embedded model, ../shared/gold/dev.json
    python bench/quality.py --keep out/ -- --length standard  # keep the JSON; flags after -- go to generate
    python bench/quality.py --base-url http://127.0.0.1:8080/v1 --model qwen
    python bench/quality.py --score-only out/                 # score saved outputs, run nothing

Unknown flags are passed to `briefing generate`. The scorer is pure (`score(document, gold)`),
so tests import it without a model.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "gold" / "dev.json"
BIN = Path(sys.executable).parent / "briefing"
TIMINGS = "timings.json"
REPEAT_JACCARD = 0.8
# A signpost that is a list of names: "Antony Blinken; European allies", "Russia, Ukraine and NATO".
_LIST_SEPARATOR = re.compile(r"[;,&]|\band\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# Words no finished phrase ends on: a text ending on one was cut mid-phrase ("which sets the stage for").
DANGLING = {"a", "an", "the", "of", "to", "on", "in", "at", "for", "with", "by", "from", "and", "or", "but", "nor",
            "which", "who", "whom", "whose", "that", "is", "are", "was", "were", "be", "been", "has", "have", "had",
            "its", "their", "his", "her", "our", "as", "into", "than", "while", "will", "would", "can", "could",
            "should", "may", "might", "must", "about", "over", "under", "between", "after", "before", "if", "so",
            "such", "this", "these", "those", "amid", "against", "toward", "towards", "via", "per", "not",
            # and words that point at what follows ("Countries involved in the conflict, particularly")
            "particularly", "especially", "notably", "namely", "including"}


@dataclass
class Score:
    """What one briefing got right and wrong against one gold entry."""

    actors_found: list[str] = field(default_factory=list)
    actors_missed: list[str] = field(default_factory=list)
    # Of those found, the ones among the actors the model described (a role), not only listed as named.
    actors_described: list[str] = field(default_factory=list)
    timeline: list[tuple[str, str, bool]] = field(default_factory=list)  # (date, event, correct) of scored events
    fields: int = 0
    repeats: list[tuple[str, str, float]] = field(default_factory=list)  # (field, field, jaccard)
    signposts: int = 0
    bare_signposts: list[str] = field(default_factory=list)
    actors_listed: int = 0
    junk_actors: list[str] = field(default_factory=list)  # listed actors that are one of the gold's not_actors
    kinds: list[tuple[str, str, str]] = field(default_factory=list)  # (listed name, kind, gold kind) of key actors
    positions: list[tuple[str, str, bool]] = field(default_factory=list)  # (actor, stance, attributed right)
    holders: list[str] = field(default_factory=list)  # gold stance-holders
    holders_covered: list[str] = field(default_factory=list)  # of those, the ones a position attributes right
    texts: int = 0
    cut_texts: list[str] = field(default_factory=list)
    # The support check (`run.support`): the verdicts of the items the briefing shows, and the
    # shown items judged contradicted (none should be).
    support: list[tuple[str, str]] = field(default_factory=list)  # (item, verdict)
    contradicted_shown: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    seconds: float | None = None
    error: str | None = None

    @property
    def gold_actors(self) -> int:
        return len(self.actors_found) + len(self.actors_missed)

    @property
    def paired(self) -> int:
        return sum(ok for _, _, ok in self.timeline)

    @property
    def supported(self) -> int:
        return sum(verdict == "supported" for _, verdict in self.support)

    @property
    def kinds_right(self) -> int:
        return sum(kind == gold for _, kind, gold in self.kinds)

    @property
    def attributed(self) -> int:
        return sum(ok for _, _, ok in self.positions)

    @property
    def repeated_fields(self) -> list[str]:
        """Every field that repeats another, once each, in order of first appearance."""
        return list(dict.fromkeys(name for a, b, _ in self.repeats for name in (a, b)))


# --- the scorer: pure functions of a briefing document and a gold entry ---------------------------


def words(text: str) -> list[str]:
    """The words of text, case-folded, punctuation dropped."""
    return _WORD.findall(text.casefold())


def aliases(gold_actor: str) -> list[str]:
    """The `|`-separated aliases of a gold actor."""
    return [alias.strip() for alias in gold_actor.split("|") if alias.strip()]


def actor_recall(names: Sequence[str], gold_actors: Iterable[str]) -> tuple[list[str], list[str]]:
    """Gold actors found (an alias occurs in a listed name, ignoring case) and missed."""
    folded = [name.casefold() for name in names]
    found: list[str] = []
    missed: list[str] = []
    for actor in gold_actors:
        hit = any(alias.casefold() in name for alias in aliases(actor) for name in folded)
        (found if hit else missed).append(actor)
    return found, missed


def timeline_pairing(events: Iterable[dict[str, Any]],
                     gold_timeline: dict[str, list[str]]) -> list[tuple[str, str, bool]]:
    """(date, event, correct) for each event whose date contains a gold date; correct when its text
    contains a keyword of one of those dates, ignoring case."""
    scored = []
    for event in events:
        date, text = str(event.get("date", "")), str(event.get("event", ""))
        dates = [gold for gold in gold_timeline if gold.casefold() in date.casefold()]
        if dates:
            keywords = [kw.casefold() for gold in dates for kw in gold_timeline[gold]]
            scored.append((date, text, any(kw in text.casefold() for kw in keywords)))
    return scored


def _plain(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())


def free_text_fields(briefing: dict[str, Any], quotes: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, text) of every free-text field a reader could find repeated: not a role in the words
    of a sentence it cites (`quotes`, id to sentence), which is the sources' (two actors may both be
    "President")."""
    quotes = quotes or {}
    fields = [("bottom_line", briefing.get("bottom_line", "")), ("context", briefing.get("context", ""))]
    parts = {
        "actors": ("role", "interests"),
        "positions": ("stance",),
        "risks": ("description",),
        "open_questions": ("question", "why_it_matters", "what_would_resolve_it"),
        "timeline": ("event",),
    }
    for section, keys in parts.items():
        for i, item in enumerate(briefing.get(section, [])):
            fields += [(f"{section}[{i}].{key}", item[key]) for key in keys if item.get(key) is not None
                       and not (key == "role" and any(_plain(str(item[key])) in _plain(quotes.get(c, ""))
                                                      for c in item.get("citations", [])))]
    return [(label, str(text)) for label, text in fields]


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|, 0 for two empty sets."""
    return len(a & b) / len(a | b) if a | b else 0.0


def repeated_pairs(fields: Sequence[tuple[str, str]],
                   threshold: float = REPEAT_JACCARD) -> list[tuple[str, str, float]]:
    """Pairs of fields whose word sets overlap by Jaccard >= threshold."""
    sets = [(label, set(words(text))) for label, text in fields]
    pairs = []
    for (a, wa), (b, wb) in combinations(sets, 2):
        similarity = jaccard(wa, wb)
        if wa and wb and similarity >= threshold:
            pairs.append((a, b, similarity))
    return pairs


def _is_part_of(part: list[str], name: list[str]) -> bool:
    """Whether part is a run of consecutive words of name ("Blinken" of "Antony Blinken")."""
    n = len(part)
    return bool(part) and any(name[i:i + n] == part for i in range(len(name) - n + 1))


def names_an_actor(text: str, actor_names: Sequence[str]) -> bool:
    """Whether text is a listed actor's name or a part of one, ignoring case, punctuation and a leading "the"."""
    part = words(text)
    if part[:1] == ["the"] and len(part) > 1:
        part = part[1:]
    return any(_is_part_of(part, words(name)) for name in actor_names)


def is_bare_name(signpost: str, actor_names: Sequence[str]) -> bool:
    """Whether a signpost is only an actor's name, or a list of such names, instead of an event to watch."""
    if names_an_actor(signpost, actor_names):
        return True
    parts = [part for part in _LIST_SEPARATOR.split(signpost) if words(part)]
    return len(parts) > 1 and all(names_an_actor(part, actor_names) for part in parts)


def _matches(alias_group: str, name: str) -> bool:
    """Whether one of the `|`-separated aliases occurs in name, ignoring case."""
    return any(alias.casefold() in name.casefold() for alias in aliases(alias_group))


def junk_actors(names: Sequence[str], not_actors: Iterable[str]) -> list[str]:
    """Listed names that are one of the gold's non-actors, ignoring case."""
    junk = {n.casefold() for n in not_actors}
    return [name for name in names if name.casefold() in junk]


def kinds_of_key_actors(actors: Sequence[dict[str, Any]], key_actors: Sequence[str],
                        kinds: dict[str, str]) -> list[tuple[str, str, str]]:
    """(listed name, its kind, the gold kind) for each key actor with a gold kind that is listed;
    gold kinds are keyed by a key actor's first alias. A key actor is one party however many names
    it goes by: its aliases may name a government and its leader ("Zelensk|Ukraine", kind
    government) or an analyst and the firm he speaks for ("Zandi|Moody", kind person). As for
    recall, it is found with the right kind when one of the listed actors its aliases name has the
    gold kind; else the first of them is judged."""
    found = []
    for key in key_actors:
        gold_kind = kinds.get(aliases(key)[0]) if aliases(key) else None
        listed = [a for a in actors if _matches(key, str(a.get("name", "")))]
        chosen = next((a for a in listed if a.get("kind") == gold_kind), listed[0] if listed else None)
        if gold_kind and chosen is not None:
            found.append((str(chosen.get("name", "")), str(chosen.get("kind", "")), gold_kind))
    return found


def position_attribution(positions: Sequence[dict[str, Any]], quotes: dict[str, str],
                         stances: Sequence[dict[str, str]]) -> tuple[list[tuple[str, str, bool]], list[str], list[str]]:
    """Each position as (actor, stance, attributed right): right when its actor matches one of a gold
    stance's aliases and one of its cited sentences contains that stance's sentence. Then the gold
    stance-holders (their alias groups, once each) and those a right position covers."""
    scored, covered = [], set()
    for position in positions:
        actor, cited = str(position.get("actor", "")), [quotes.get(c, "") for c in position.get("citations", [])]
        held = [st for st in stances if _matches(st["actor"], actor) and any(st["sentence"] in q for q in cited)]
        covered.update(st["actor"] for st in held)
        scored.append((actor, str(position.get("stance", "")), bool(held)))
    holders = list(dict.fromkeys(st["actor"] for st in stances))
    return scored, holders, [h for h in holders if h in covered]


def is_cut(text: str) -> bool:
    """Whether a model-written text ends on "…" or mid-phrase (a comma, or a word no phrase ends on)."""
    stripped = text.rstrip()
    if stripped.endswith(("…", "...", ",", ";", ":", "-", "–", "—")):
        return True
    last = words(stripped)[-1:]
    return bool(last) and last[0] in DANGLING


def score(document: dict[str, Any], gold: dict[str, Any], seconds: float | None = None) -> Score:
    """Score one `--format json` document against one gold entry (`key_actors`, `timeline`, and where
    it has them `not_actors`, `kinds`, `stances`)."""
    briefing = document.get("briefing", {})
    names = [str(actor.get("name", "")) for actor in briefing.get("actors", [])]
    positions, holders, covered = position_attribution(briefing.get("positions", []), document.get("quotes", {}),
                                                       gold.get("stances", []))
    texts = [("title", str(briefing.get("title", ""))), *free_text_fields(briefing)]  # every text may be cut
    found, missed = actor_recall(names, gold.get("key_actors", []))
    described = [str(a.get("name", "")) for a in briefing.get("actors", []) if a.get("role") is not None]
    fields = free_text_fields(briefing, document.get("quotes", {}))
    signposts = [str(s) for risk in briefing.get("risks", []) for s in risk.get("indicators", [])]
    run = document.get("run", {})
    usage = run.get("usage", {})
    return Score(
        actors_found=found,
        actors_missed=missed,
        actors_described=actor_recall(described, found)[0],
        timeline=timeline_pairing(briefing.get("timeline", []), gold.get("timeline", {})),
        fields=len(fields),
        repeats=repeated_pairs(fields),
        signposts=len(signposts),
        bare_signposts=[s for s in signposts if is_bare_name(s, names)],
        actors_listed=len(names),
        junk_actors=junk_actors(names, gold.get("not_actors", [])),
        kinds=kinds_of_key_actors(briefing.get("actors", []), gold.get("key_actors", []), gold.get("kinds", {})),
        positions=positions,
        holders=holders,
        holders_covered=covered,
        texts=len(texts),
        cut_texts=[f"{label}: {text}" for label, text in texts if is_cut(text)],
        support=[(str(e.get("item")), str(e.get("verdict"))) for e in run.get("support") or []
                 if e.get("action") != "dropped"],
        contradicted_shown=[f"{e.get('item')}: {e.get('claim')}" for e in run.get("support") or []
                            if e.get("action") != "dropped" and e.get("verdict") == "contradicted"],
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        output_tokens=int(usage.get("completion_tokens", 0)),
        calls=len(run.get("attempts", [])),
        seconds=seconds,
    )


# --- running and reporting --------------------------------------------------------------------------


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    """The gold file's articles by name, without its `_about` and other `_` keys."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {name: entry for name, entry in data.items() if not name.startswith("_")}


def run_article(briefing_bin: Path, article: Path, out: Path, extra: Sequence[str]) -> tuple[float, str | None]:
    """Run generate on one article into out; wall seconds and an error line (None on success)."""
    errors = out.with_suffix(".stderr.txt")
    for stale in (out, errors):
        stale.unlink(missing_ok=True)
    cmd = [str(briefing_bin), "generate", str(article), "--format", "json", "-o", str(out), "--quiet", *extra]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        errors.write_text(proc.stderr, encoding="utf-8")
        last = proc.stderr.strip().splitlines()[-1:] or [""]
        return seconds, f"exit {proc.returncode}: {last[0][:200]}"
    return seconds, None


def score_saved(name: str, gold: dict[str, Any], folder: Path, seconds: float | None) -> Score:
    """Score folder/NAME.json; a missing or unreadable file is a failed run that found nothing."""
    path = folder / f"{name}.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Score(actors_missed=list(gold.get("key_actors", [])), seconds=seconds, error=f"{path.name}: {exc}")
    if seconds is None:  # scored later without the timings file: the pipeline's own time
        seconds = document.get("run", {}).get("seconds")
    return score(document, gold, seconds)


def run_all(articles: dict[str, dict[str, Any]], base: Path, folder: Path, briefing_bin: Path,
            extra: Sequence[str]) -> dict[str, Score]:
    """Generate and score every article, printing progress; wall times are saved next to the outputs."""
    timings: dict[str, float] = {}
    scores = {}
    for name, gold in articles.items():
        print(f"{name}: generating…", file=sys.stderr, flush=True)
        seconds, error = run_article(briefing_bin, base / gold["file"], folder / f"{name}.json", extra)
        seconds = timings[name] = round(seconds, 1)  # as saved, so --score-only adds up the same
        (folder / TIMINGS).write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
        scores[name] = score_saved(name, gold, folder, seconds)
        if error:
            scores[name].error = error
        print(f"{name}: {seconds:.1f} s{' ' + error if error else ''}", file=sys.stderr, flush=True)
    return scores


def score_folder(articles: dict[str, dict[str, Any]], folder: Path) -> dict[str, Score]:
    """Score the saved outputs in folder, with the wall times the run saved there if any."""
    timings_path = folder / TIMINGS
    timings = json.loads(timings_path.read_text(encoding="utf-8")) if timings_path.exists() else {}
    return {name: score_saved(name, gold, folder, timings.get(name)) for name, gold in articles.items()}


def _ratio(x: int, y: int) -> str:
    return f"{x}/{y} ({x / y:.2f})" if y else f"{x}/{y}"


def _row(name: str, s: Score) -> list[str]:
    return [
        name,
        _ratio(len(s.actors_found), s.gold_actors),
        f"{len(s.actors_described)}/{s.gold_actors}",
        f"{len(s.junk_actors)}/{s.actors_listed}",
        f"{s.kinds_right}/{len(s.kinds)}",
        f"{s.attributed}/{len(s.positions)}",
        f"{len(s.holders_covered)}/{len(s.holders)}",
        _ratio(s.paired, len(s.timeline)),
        f"{len(s.repeated_fields)}/{s.fields}",
        f"{len(s.bare_signposts)}/{s.signposts}",
        f"{len(s.cut_texts)}/{s.texts}",
        _ratio(s.supported, len(s.support)) if s.support else "-",
        str(len(s.contradicted_shown)),
        str(s.prompt_tokens),
        str(s.output_tokens),
        str(s.calls),
        "" if s.seconds is None else f"{s.seconds:.1f}",
    ]


def total(scores: dict[str, Score]) -> Score:
    """All scores added up (lists joined, field labels prefixed by their article, numbers summed)."""
    t = Score(seconds=0.0)
    for name, s in scores.items():
        t.actors_found += s.actors_found
        t.actors_missed += s.actors_missed
        t.actors_described += s.actors_described
        t.timeline += s.timeline
        t.fields += s.fields
        t.repeats += [(f"{name}:{a}", f"{name}:{b}", j) for a, b, j in s.repeats]
        t.signposts += s.signposts
        t.bare_signposts += s.bare_signposts
        t.actors_listed += s.actors_listed
        t.junk_actors += s.junk_actors
        t.kinds += s.kinds
        t.positions += s.positions
        t.holders += [f"{name}:{h}" for h in s.holders]
        t.holders_covered += [f"{name}:{h}" for h in s.holders_covered]
        t.texts += s.texts
        t.cut_texts += s.cut_texts
        t.support += [(f"{name}:{item}", verdict) for item, verdict in s.support]
        t.contradicted_shown += [f"{name}:{c}" for c in s.contradicted_shown]
        t.prompt_tokens += s.prompt_tokens
        t.output_tokens += s.output_tokens
        t.calls += s.calls
        t.seconds = None if t.seconds is None or s.seconds is None else t.seconds + s.seconds
    return t


def table(scores: dict[str, Score]) -> str:
    """The per-article table and its totals, as Markdown."""
    head = ["article", "key actors", "described", "junk actors", "kinds right", "positions attributed",
            "stance-holders covered", "timeline pairing", "repeated fields", "bare-name signposts", "cut texts",
            "judged supported", "contradicted shown", "prompt tok", "output tok", "calls", "seconds"]
    rows = [_row(name, s) for name, s in scores.items()]
    rows.append(_row("total", total(scores)))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in [head, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def details(name: str, s: Score) -> list[str]:
    """What lies behind one article's figures: misses, pairings, repeats, bare signposts."""
    lines = [f"{name}:"]
    if s.error:
        lines.append(f"  FAILED: {s.error}")
    lines.append(f"  missed actors: {', '.join(s.actors_missed) or '-'}")
    lines += [f"  timeline {'ok ' if ok else 'BAD'} {date}: {event}" for date, event, ok in s.timeline]
    lines += [f"  repeated ({j:.2f}): {a} ~ {b}" for a, b, j in s.repeats]
    lines += [f"  bare-name signpost: {sign}" for sign in s.bare_signposts]
    lines += [f"  junk actor: {name}" for name in s.junk_actors]
    lines += [f"  kind BAD {name}: {kind} (gold {gold})" for name, kind, gold in s.kinds if kind != gold]
    lines += [f"  position {'ok ' if ok else 'BAD'} {actor}: {stance}" for actor, stance, ok in s.positions]
    uncovered = ", ".join(h for h in s.holders if h not in s.holders_covered) or "-"
    lines.append(f"  stance-holders without a position: {uncovered}")
    lines += [f"  cut: {text}" for text in s.cut_texts]
    lines += [f"  judged {verdict}: {item}" for item, verdict in s.support if verdict != "supported"]
    lines += [f"  CONTRADICTED SHOWN: {text}" for text in s.contradicted_shown]
    return lines


def report(scores: dict[str, Score]) -> str:
    """The table, then the details of every article."""
    return "\n".join([table(scores), "", *(line for name, s in scores.items() for line in details(name, s))])


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """This script's options, and the rest for `briefing generate` (a leading `--` dropped)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False)
    parser.add_argument("--gold", type=Path, default=GOLD, help=f"gold file (default {GOLD})")
    parser.add_argument("--keep", type=Path, help="folder for the JSON outputs (default: a temp folder, removed)")
    parser.add_argument("--briefing", type=Path, default=BIN, help=f"the briefing executable (default {BIN})")
    parser.add_argument("--score-only", type=Path, metavar="DIR", help="score the saved outputs in DIR; run nothing")
    parser.add_argument("--only", action="append", metavar="ARTICLE", help="run only this article (repeatable)")
    args, extra = parser.parse_known_args(argv)
    if "--" in extra:
        extra.remove("--")
    return args, extra


def main(argv: Sequence[str] | None = None) -> int:
    """Run (or only score) the benchmark and print the report; 1 if a run failed."""
    args, extra = parse_args(argv)
    if not args.score_only and not args.briefing.exists():
        print(f"quality.py: no briefing executable at {args.briefing}; run it with the project's "
              "Python (.venv/bin/python) or give --briefing", file=sys.stderr)
        return 2
    articles = load_gold(args.gold)
    if args.only:
        articles = {name: articles[name] for name in args.only}
    if args.score_only:
        scores = score_folder(articles, args.score_only)
    elif args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        scores = run_all(articles, args.gold.resolve().parent.parent, args.keep, args.briefing, extra)
    else:
        with tempfile.TemporaryDirectory(prefix="briefing-quality-") as tmp:
            scores = run_all(articles, args.gold.resolve().parent.parent, Path(tmp), args.briefing, extra)
    print(report(scores))
    return 1 if any(s.error for s in scores.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
