"""Many briefings in one run (`briefing batch`): items from a folder, a glob, a list of paths or
URLs, or a JSONL manifest; one output folder; a line per item in `DIR/batch.jsonl`.

An item's key is the sha256 of its sources, the model, the templates' hashes and the options
that change the answer; an item whose key a finished line of `batch.jsonl` already holds, with
its files in place, is not briefed again (`cached`) unless `force`. Every file is written whole
or not at all and each line of `batch.jsonl` is flushed to disk before the next item starts, so
an interrupted batch keeps every finished item and resumes where it stopped. One item's failure
(bad input, a refusal, a validation failure after repair, a timeout) is recorded with its exit
code and reason, and the batch goes on. The model is loaded once: one backend briefs every item,
one item after another in process, several at once against a server (`concurrency`).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .calls import Unanswered
from .errors import BriefingError, InputError, ValidationFailedError

if TYPE_CHECKING:
    from .backends import Backend
    from .settings import GenerateOptions, SourceLimits

LOG = "batch.jsonl"
EXTENSIONS = {"markdown": "md", "json": "json", "html": "html"}
# What a manifest line may set for its own item, besides its sources and name.
PER_ITEM = ("focus", "audience", "length", "vars", "language")
_GLOB = set("*?[")


@dataclass(frozen=True)
class Item:
    """One briefing to make: its sources, the stem of its output files, and its own options."""

    name: str
    sources: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What became of one item: one line of `batch.jsonl`."""

    name: str
    status: str  # "ok" | "failed" | "cached" | "waiting" (for a batch engine's answers)
    key: str = ""
    sources: list[str] = field(default_factory=list)
    code: int = 0
    reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    support_rate: float | None = None
    outputs: list[str] = field(default_factory=list)

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def items_from(specs: Sequence[str], out_dir: Path | None = None) -> list[Item]:
    """The items a command line names: a `.jsonl` manifest (one item a line), a folder (each file
    in it but those a batch wrote into `out_dir`), a glob, or paths and URLs (one item each). Output names are the
    files' stems; stems two files share are their whole file names ("a.txt", "a.html"), and names
    still alike get a number.

    Raises:
        InputError: a manifest line that is not an object with sources, an empty folder or glob,
            a missing path, or no item at all.
    """
    items: list[Item] = []
    ours = written(out_dir)
    for spec in specs:
        path = Path(spec)
        if spec.endswith(".jsonl") and path.is_file():
            items += _manifest(path)
        elif path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                           and p.resolve() not in ours)
            if not files:
                raise InputError(f"{spec}: no files in this folder")
            items += [Item(p.stem, (str(p),)) for p in files]
        elif _GLOB & set(spec) and not spec.startswith(("http://", "https://")):
            found = sorted(p for p in glob.glob(spec, recursive=True)
                           if Path(p).is_file() and Path(p).resolve() not in ours)
            if not found:
                raise InputError(f"{spec}: matches no file")
            items += [Item(Path(p).stem, (p,)) for p in found]
        else:
            stem = spec.rstrip("/").rsplit("/", 1)[-1] if spec.startswith(("http://", "https://")) else path.stem
            items.append(Item(stem or "item", (spec,)))
    if not items:
        raise InputError("no items: name files, a folder, a glob or a .jsonl manifest")
    return _unique(items)


def json_lines(lines: Iterable[str], where: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line of a JSONL file, decoded, with its number.

    Raises:
        InputError: a line that is not JSON (named by `where` and its number).
    """
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            yield n, json.loads(raw)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}, line {n}: not JSON ({e.msg})") from e


def _manifest(path: Path) -> list[Item]:
    items = []
    for n, entry in json_lines(path.read_text(encoding="utf-8").splitlines(), str(path)):
        sources = entry.get("sources") if isinstance(entry, dict) else None
        if isinstance(sources, str):
            sources = [sources]
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
            raise InputError(f"{path}, line {n}: give \"sources\", a path or URL or a list of them")
        # Relative paths are read from the manifest's folder.
        sources = [s if s.startswith(("http://", "https://", "/")) or s == "-" else str(path.parent / s)
                   for s in sources]
        unknown = set(entry) - {"sources", "name", "output", *PER_ITEM}
        if unknown:
            raise InputError(f"{path}, line {n}: unknown field(s) {', '.join(sorted(unknown))}")
        name = str(entry.get("name") or entry.get("output") or Path(sources[0]).stem)
        items.append(Item(Path(name).stem or f"item-{n}", tuple(sources),
                          {k: entry[k] for k in PER_ITEM if k in entry}))
    return items


def written(out_dir: Path | None) -> set[Path]:
    """The files a batch wrote into its output folder (its log, its answers, every item's outputs):
    never items of a later run, even when the output folder is the input folder."""
    if out_dir is None or not out_dir.is_dir():
        return set()
    from .rounds import ANSWERS, STATE

    ours = {out_dir / LOG, out_dir / ANSWERS, out_dir / STATE}
    for outcome in logged(out_dir):
        ours.update(Path(p) for p in outcome.outputs)
        ours.add(out_dir / f"{outcome.name}.raw.txt")
    return {p.resolve() for p in ours}


def _unique(items: list[Item]) -> list[Item]:
    """Names that do not shift when a file is added beside another: a stem two files share
    becomes each one's file name; a number separates what is still alike."""
    stems: dict[str, set[str]] = {}
    for item in items:
        if len(item.sources) == 1 and Path(item.sources[0]).stem == item.name:
            stems.setdefault(item.name, set()).add(Path(item.sources[0]).name)
    items = [replace(item, name=Path(item.sources[0]).name) if len(stems.get(item.name, ())) > 1
             and Path(item.sources[0]).stem == item.name else item for item in items]
    seen: dict[str, int] = {}
    unique = []
    for item in items:
        count = seen.get(item.name, 0)
        seen[item.name] = count + 1
        unique.append(item if not count else replace(item, name=f"{item.name}-{count + 1}"))
    return unique


def key_of(source_hashes: Sequence[str], model: str, template_hashes: dict[str, str],
           options: GenerateOptions) -> str:
    """The sha256 that names one answer: the sources, the model, the templates and the options
    that change what the model is asked or how its answer is checked."""
    asked = {name: getattr(options, name) for name in ("audience", "focus", "language", "length", "vars",
                                                       "max_tokens", "named_actors", "support_check",
                                                       "show_ai_directed", "temperature", "seed")}
    text = json.dumps({"sources": list(source_hashes), "model": model, "templates": template_hashes,
                       "options": asked}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def template_hashes(prompts: Path | None) -> dict[str, str]:
    """The sha256 of each template the run would use (a user's copy where there is one)."""
    from .templates import TEMPLATES, PromptSet, search_dirs

    prompt_set = PromptSet(search_dirs(prompts))
    found = {name: prompt_set.where(name) for name in TEMPLATES}
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sorted(found.items()) if path}


def logged(out_dir: Path) -> list[Outcome]:
    """The lines of `DIR/batch.jsonl`, in order; a line cut by a crash is skipped."""
    log = out_dir / LOG
    outcomes = []
    for raw in log.read_text(encoding="utf-8").splitlines() if log.is_file() else []:
        try:
            outcomes.append(Outcome(**json.loads(raw)))
        except (json.JSONDecodeError, TypeError):
            continue
    return outcomes


def finished(out_dir: Path) -> dict[str, Outcome]:
    """The last finished line (ok or cached) of each item name in `DIR/batch.jsonl`."""
    return {o.name: o for o in logged(out_dir) if o.status in ("ok", "cached")}


def brief_many(items: Sequence[Item], backend: Backend, options: GenerateOptions, out_dir: Path,
               formats: Sequence[str] = ("markdown",), *, judge: Backend | None = None, force: bool = False,
               limits: SourceLimits | None = None, concurrency: int = 1,
               on_item: Callable[[Outcome, int, int], None] | None = None) -> list[Outcome]:
    """Brief each item with one backend into `out_dir`; `on_item(outcome, done, total)` is called
    after each. Against a server, `concurrency` items are in flight at once on the one shared
    client (which retries 429s after their Retry-After); a model in process briefs one item after
    another. Returns every item's outcome, in the items' order.

    Raises:
        InputError: `out_dir` is not a folder that can be made.
        KeyboardInterrupt: left to the caller, after the finished items are recorded.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}: not a folder")
    done = {} if force else finished(out_dir)
    templates = template_hashes(options.prompts)
    results: dict[int, Outcome] = {}

    def one(item: Item) -> Outcome:
        return _one(item, backend, judge, options, out_dir, formats, templates, done.get(item.name), limits)

    def finish(n: int, outcome: Outcome) -> None:
        _record(out_dir, outcome)
        results[n] = outcome
        if on_item is not None:
            on_item(outcome, len(results), len(items))

    if concurrency <= 1 or getattr(backend, "name", "") != "openai_compat":  # a model in process: one at a time
        for n, item in enumerate(items):
            finish(n, one(item))
    else:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="batch")
        futures = {pool.submit(one, item): n for n, item in enumerate(items)}
        try:
            for future in as_completed(futures):
                finish(futures[future], future.result())
        except KeyboardInterrupt:
            # What is in flight ends and is recorded; what has not started never starts.
            pool.shutdown(wait=True, cancel_futures=True)
            for future, n in futures.items():
                if n not in results and future.done() and not future.cancelled() and future.exception() is None:
                    finish(n, future.result())
            raise
        pool.shutdown()
    return [results[n] for n in sorted(results)]


def _one(item: Item, backend: Backend, judge: Backend | None, options: GenerateOptions, out_dir: Path,
         formats: Sequence[str], templates: dict[str, str], previous: Outcome | None,
         limits: SourceLimits | None) -> Outcome:
    """One item's outcome: cached when a finished line holds its key and its files, else briefed."""
    from .ingest import load_sources

    started = time.monotonic()
    key = ""
    try:
        item_options = _options(options, item)
        sources = load_sources(list(item.sources), limits=limits)
        key = key_of([s.sha256 for s in sources], backend.model, templates, item_options)
        cached = _cached(item, previous, key, out_dir, formats, options)
        if cached is not None:
            outcome = cached
        else:
            outcome = _brief(item, sources, key, backend, judge, item_options, out_dir, formats)
    except Unanswered as e:  # a batch engine answers in the next round (`rounds`)
        outcome = Outcome(item.name, "waiting", key=key, sources=list(item.sources),
                          reason=f"waits for {len(e.custom_ids)} answers of the batch engine")
    except BriefingError as e:
        outcome = Outcome(item.name, "failed", sources=list(item.sources), code=e.exit_code,
                          reason=" ".join(str(e).split()))
        if isinstance(e, ValidationFailedError):
            raw = _save_raw(out_dir, item.name, e.raw_output)
            outcome.reason += f"; raw output saved to {raw}"
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


def _cached(item: Item, previous: Outcome | None, key: str, out_dir: Path, formats: Sequence[str],
            options: GenerateOptions) -> Outcome | None:
    """A finished item with this key, its files in every format asked now: a format it lacks is
    rendered from its saved JSON (no model); None when it must be briefed."""
    from .document import BriefingDocument
    from .output import write_atomic
    from .render import render_as

    if previous is None or previous.key != key:
        return None
    have = {Path(p).suffix.lstrip("."): Path(p) for p in previous.outputs if Path(p).is_file()}
    if len(have) < len(previous.outputs):
        return None
    missing = [fmt for fmt in dict.fromkeys(formats) if EXTENSIONS[fmt] not in have]
    if missing and "json" not in have:
        return None
    paths = list(previous.outputs)
    if not missing:
        return replace(previous, status="cached")
    try:
        document = BriefingDocument.load(have["json"])
    except BriefingError:
        return None  # a saved JSON changed by hand: briefed again
    for fmt in missing:
        path = out_dir / f"{item.name}.{EXTENSIONS[fmt]}"
        write_atomic(path, render_as(document, fmt, options.prompts))
        paths.append(str(path))
    return replace(previous, status="cached", outputs=paths)


def _options(options: GenerateOptions, item: Item) -> GenerateOptions:
    """The batch's options with the item's own (a manifest line's focus, audience, length, vars)."""
    from pydantic import TypeAdapter, ValidationError

    from .settings import LengthName

    own = dict(item.options)
    if "length" in own:
        try:
            own["length"] = TypeAdapter(LengthName).validate_python(own["length"])
        except ValidationError as e:
            raise InputError(f"{item.name}: length {own['length']!r} is not short, standard or long") from e
    if "vars" in own and not (isinstance(own["vars"], dict) and all(isinstance(v, str) for v in own["vars"].values())):
        raise InputError(f"{item.name}: vars must be an object of strings")
    return replace(options, **own)


def _brief(item: Item, sources: list[Any], key: str, backend: Backend, judge: Backend | None,
           options: GenerateOptions, out_dir: Path, formats: Sequence[str]) -> Outcome:
    from . import output, pipeline
    from .record import total
    from .render import render_as

    run = pipeline.generate(sources, backend, options, judge=judge)
    document = run.to_document()
    paths = []
    for fmt in dict.fromkeys(formats):
        path = out_dir / f"{item.name}.{EXTENSIONS[fmt]}"
        output.write_atomic(path, render_as(document, fmt, options.prompts))
        paths.append(str(path))
    usage = total(run.attempts)
    entries = run.support or []
    shown = [e for e in entries if e.action != "dropped"]
    rate = round(sum(e.verdict == "supported" for e in shown) / len(shown), 3) if shown else None
    return Outcome(item.name, "ok", key=key, sources=list(item.sources), prompt_tokens=usage.prompt_tokens,
                   completion_tokens=usage.completion_tokens, calls=len(run.attempts), support_rate=rate,
                   outputs=paths)


def _record(out_dir: Path, outcome: Outcome) -> None:
    """Append one line to `batch.jsonl` and put it on disk before the next item starts."""
    path = out_dir / LOG
    cut = path.is_file() and path.stat().st_size > 0 and not _ends_line(path)
    with open(path, "a", encoding="utf-8", newline="\n") as f:
        f.write(("\n" if cut else "") + outcome.line() + "\n")  # a line a crash cut stays apart
        f.flush()
        os.fsync(f.fileno())


def _ends_line(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def _save_raw(out_dir: Path, name: str, raw: str) -> Path:
    from .output import write_atomic

    path = out_dir / f"{name}.raw.txt"
    write_atomic(path, raw)
    return path


def summary(outcomes: Sequence[Outcome], retries: int = 0) -> str:
    """The table printed at the end of a batch: one row per item, then the totals (with the
    answers the server asked to retry, 429 or 5xx, when there were any)."""
    rows = [f"{'item':<32} {'status':<7} {'code':>4} {'tokens':>9} {'calls':>5} {'seconds':>8}  reason"]
    for o in outcomes:
        tokens = o.prompt_tokens + o.completion_tokens
        rows.append(f"{o.name[:32]:<32} {o.status:<7} {o.code or '':>4} {tokens or '':>9} {o.calls or '':>5} "
                    f"{o.seconds:>8.1f}  {o.reason[:100]}")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ok", "failed", "cached", "waiting")}
    tokens = sum(o.prompt_tokens + o.completion_tokens for o in outcomes if o.status == "ok")
    seconds = sum(o.seconds for o in outcomes)
    waiting = f", {counts['waiting']} waiting" if counts["waiting"] else ""
    rows.append(f"{counts['ok']} ok, {counts['failed']} failed, {counts['cached']} cached{waiting}; {tokens:,} tokens; "
                f"{seconds:.1f} s of item time" + (f"; {retries} answers retried (429 or 5xx)" if retries else ""))
    return "\n".join(rows) + "\n"
