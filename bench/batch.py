"""`briefing batch` benchmarks: resuming an interrupted batch, and memory over a long one.

resume (the default embedded model): the five development articles, a file that cannot be read (a
fake .docx of random bytes) and the development PDF, in that order. (a) `briefing batch` is sent
SIGINT as soon as batch.jsonl holds 2 lines; (b) the same command runs again and must resume:
the finished items come back `cached` with their files untouched, the others `ok` (the unreadable
one `failed`); (c) `briefing generate` briefs each item in a process of its own (the model loads
each time). Each command is timed whole by /usr/bin/time -v; printed: wall time, peak RSS, the
statuses, each item's seconds, and (a + b) / c.

memory (no model): N copies of the five articles, each made distinct by a line of its own, briefed
by `briefing batch` against tests/stub_server.py, which answers every request with a valid
answer built from the request's JSON schema. The process's VmRSS is sampled every 0.5 s and as
each item's line is written, so the RSS after items 1, 10, 25 and N shows whether memory stays flat.

    python bench/batch.py resume [--out DIR] [--items N] [--skip-generate]
    python bench/batch.py memory [--items 50] [--concurrency 1]

The exit status is 1 when something is unexpected: the resumed batch redid a finished item, an
item came out with another status, or a command failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "briefing"
CORPUS = ROOT.parent / "shared" / "corpus"
ARTICLES = [
    ROOT / "seeds" / "000_918e6d9692383a64.txt",
    *(CORPUS / f"{name}.html" for name in ("bloomberg.com1", "huffingtonpost.com1", "reuters.com1", "cnn_article")),
]
PDF = CORPUS / "pdf" / "federal-register-2020-17221.pdf"
UNREADABLE = "unreadable.docx"  # written into the scratch folder: random bytes, not a ZIP
STOP_AT = 2  # batch.jsonl lines before SIGINT
# Strings for the stub's answers: distinct texts, so that no two fields read as repeats.
WORDS = "harbour ledger quarry meadow lantern orchard compass granite pylon beacon canal saddle thimble violet".split()


@dataclass
class Run:
    """One command timed by /usr/bin/time -v, and the batch.jsonl lines it wrote."""

    seconds: float
    rss: int  # MiB
    code: int
    lines: list[dict[str, Any]] = field(default_factory=list)


def fail(message: str) -> NoReturn:
    sys.exit(f"bench/batch.py: {message}")


def timed(
    cmd: list[str],
    stats: Path,
    log: Path,
    env: dict[str, str],
    watch: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> Run:
    """Run cmd under /usr/bin/time -v (its figures to `stats`, the command's stderr to `log`) in a
    process group of its own, so that a signal to the group reaches briefing itself; `watch(proc)`
    runs meanwhile. Should the bench stop first (Ctrl-C, a failed check), briefing is stopped too."""
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", str(stats), *cmd],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            start_new_session=True,
        )
    try:
        if watch is not None:
            watch(proc)
        code = proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait()
    text = stats.read_text()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not (wall and rss):
        fail(f"no figures from /usr/bin/time in {stats}:\n{text[-1000:]}")
    seconds = sum(float(part) * 60**i for i, part in enumerate(reversed(wall.group(1).split(":"))))
    return Run(seconds, int(rss.group(1)) // 1024, code)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-1500:]


def lines_of(log: Path) -> list[dict[str, Any]]:
    """The complete lines of a batch.jsonl."""
    if not log.is_file():
        return []
    return [
        json.loads(line) for line in log.read_text(encoding="utf-8").splitlines(keepends=True) if line.endswith("\n")
    ]


def counts(lines: list[dict[str, Any]]) -> str:
    return "/".join(str(sum(line["status"] == s for line in lines)) for s in ("ok", "failed", "cached"))


def answer(schema: dict[str, Any], defs: dict[str, Any], count: Iterator[int]) -> Any:
    """The smallest value a JSON schema allows: the first of an enum or alternative, the required
    keys of an object, minItems (at least one, if allowed) of an array, a distinct three-word text."""
    if "$ref" in schema:
        return answer(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, count)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return answer(next(s for s in schema["anyOf"] if s.get("type") != "null"), defs, count)
    if schema.get("type") == "object":
        return {key: answer(schema["properties"][key], defs, count) for key in schema.get("required", [])}
    if schema.get("type") == "array":
        return [
            answer(schema["items"], defs, count)
            for _ in range(min(max(schema.get("minItems", 0), 1), schema.get("maxItems", 1)))
        ]
    if schema.get("type") == "string":
        n = next(count)
        return f"Stub {WORDS[n % len(WORDS)]} {WORDS[n // len(WORDS) % len(WORDS)]} text"[: schema.get("maxLength")]
    raise ValueError(f"stub: no answer for schema {schema}")


@contextmanager
def stub() -> Iterator[str]:
    """tests/stub_server.py answering each request from its response_format's JSON schema."""
    sys.path.insert(0, str(ROOT / "tests"))
    from stub_server import Reply, Script, completion, stub_server

    def route(body: dict[str, Any]) -> Reply:
        schema = body.get("response_format", {}).get("json_schema", {}).get("schema")
        if schema is None:
            return Reply(400, {"error": {"message": "stub: send the schema (--structured-output json_schema)"}})
        return completion(json.dumps(answer(schema, schema.get("$defs", {}), itertools.count())))

    with stub_server(Script([], route=route)) as url:
        yield url


@contextmanager
def backend(base_url: str | None, scratch: Path) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The flags and environment of the briefing commands: none for the embedded model; for a
    server, --base-url (`stub`: tests/stub_server.py, started here) and a state folder of its own."""
    # A state folder of its own: the notes of the PDF's parts are not taken from an earlier run.
    env = dict(os.environ, BRIEFING_STATE_DIR=str(scratch / "state"))
    if base_url is None:
        yield [], env
        return
    if base_url != "stub":
        yield ["--base-url", base_url], env
        return
    with stub() as url:
        yield ["--base-url", url, "--model", "stub", "--structured-output", "json_schema"], env


def bench_resume(out: Path, count: int, skip_generate: bool, base_url: str | None) -> None:
    unreadable = out / "in" / UNREADABLE
    items = [*ARTICLES, unreadable, PDF][:count]
    if len(items) < STOP_AT + 1:
        fail(f"--items must be at least {STOP_AT + 1}: the batch is interrupted after {STOP_AT}")
    for name in ("in", "batch", "generate", "logs"):
        if (out / name).exists() and any((out / name).iterdir()):
            fail(f"{out / name} is not empty: give an empty --out")
        (out / name).mkdir(parents=True, exist_ok=True)
    unreadable.write_bytes(b"\x8f\x13" + random.Random(17).randbytes(4094))  # not "PK": not a ZIP
    logs, jsonl = out / "logs", out / "batch" / "batch.jsonl"
    print(f"items, in this order: {', '.join(p.name for p in items)}", flush=True)

    def interrupt(proc: subprocess.Popen[bytes]) -> None:
        while proc.poll() is None and len(lines_of(jsonl)) < STOP_AT:
            time.sleep(0.05)
        if proc.poll() is not None:
            fail(f"(a) the batch ended ({proc.returncode}) before {STOP_AT} lines:\n{tail(logs / 'a.log')}")
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(600)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            fail(f"(a) briefing did not stop within 600 s of SIGINT:\n{tail(logs / 'a.log')}")

    with backend(base_url, out) as (flags, env):
        cmd = [str(BIN), "batch", *map(str, items), "-o", str(out / "batch"), *flags]
        if flags:
            cmd += ["--concurrency", "1"]  # one item after another, as the embedded model
        a = timed(cmd, logs / "a.time", logs / "a.log", env, interrupt)
        a.lines = lines_of(jsonl)
        print(
            f"(a) SIGINT at {STOP_AT} lines: exit {a.code} after {a.seconds:.1f} s; "
            + ", ".join(f"{line['name']} {line['status']}" for line in a.lines),
            flush=True,
        )
        done = {line["name"]: line for line in a.lines if line["status"] == "ok"}
        stamps = {p: Path(p).stat().st_mtime_ns for line in done.values() for p in line["outputs"]}
        b = timed(cmd, logs / "b.time", logs / "b.log", env)
        b.lines = lines_of(jsonl)[len(a.lines) :]
        print(f"(b) resumed: exit {b.code} after {b.seconds:.1f} s", flush=True)
        c: dict[str, Run] = {}
        for item in [] if skip_generate else items:
            gen = [str(BIN), "generate", str(item), "-o", str(out / "generate" / f"{item.stem}.md"), "--quiet", *flags]
            # Nor from the batch's: each way reads the PDF's parts once.
            alone = dict(env, BRIEFING_STATE_DIR=str(out / "state-generate"))
            c[item.stem] = timed(gen, logs / f"c-{item.stem}.time", logs / f"c-{item.stem}.log", alone)
            print(f"(c) generate {item.name}: exit {c[item.stem].code} after {c[item.stem].seconds:.1f} s", flush=True)

    redone = sorted(p for p, stamp in stamps.items() if not Path(p).is_file() or Path(p).stat().st_mtime_ns != stamp)
    expected = {p.stem: "cached" if p.stem in done else "failed" if p == unreadable else "ok" for p in items}
    got = {line["name"]: line["status"] for line in b.lines}
    problems = []
    if a.code != 130 or len(done) < STOP_AT or len(done) != len(a.lines):
        problems.append(f"(a) exited {a.code} with {counts(a.lines)} ok/failed/cached, not 130 with {STOP_AT}+ ok")
    if len(b.lines) != len(items) or got != expected:
        problems.append(f"(b) statuses {got}, expected {expected}")
    if redone:
        problems.append(f"(b) rewrote what (a) finished: {', '.join(redone)}")
    if b.code != (13 if unreadable in items else 0):
        problems.append(f"(b) exited {b.code}:\n{tail(logs / 'b.log')}")
    for item in items:
        if item.stem in c and c[item.stem].code != (3 if item == unreadable else 0):
            problems.append(
                f"(c) generate {item.name} exited {c[item.stem].code}:\n{tail(logs / f'c-{item.stem}.log')}"
            )

    report(items, a, b, c, "embedded model" if base_url is None else base_url)
    print(
        f"\nThe {len(done)} items (a) finished, not redone by (b): "
        f"{'yes' if not redone and all(got.get(n) == 'cached' for n in done) else 'NO'}."
    )
    if problems:
        fail("unexpected:\n- " + "\n- ".join(problems))


def report(items: list[Path], a: Run, b: Run, c: dict[str, Run], backend_name: str) -> None:
    """The resume benchmark's tables: one row per run, then one per item."""
    print(f"\n### `briefing batch` interrupted and resumed, {len(items)} items ({backend_name})\n")
    print("| run | wall s | peak RSS MiB | items ok/failed/cached | exit |")
    print("|---|---:|---:|---|---:|")
    print(f"| a. batch, SIGINT at {STOP_AT} lines | {a.seconds:.1f} | {a.rss} | {counts(a.lines)} | {a.code} |")
    print(f"| b. the same batch again | {b.seconds:.1f} | {b.rss} | {counts(b.lines)} | {b.code} |")
    print(f"| a + b | {a.seconds + b.seconds:.1f} | {max(a.rss, b.rss)} | | |")
    if c:
        c_seconds, c_ok = sum(r.seconds for r in c.values()), sum(r.code == 0 for r in c.values())
        print(
            f"| c. generate, one process per item | {c_seconds:.1f} | {max(r.rss for r in c.values())} "
            f"| {c_ok}/{len(c) - c_ok}/0 | |"
        )
    print("\n| item | a: status, s | b: status, s | c: generate s (exit) |")
    print("|---|---|---|---|")
    in_a, in_b = ({line["name"]: f"{line['status']}, {line['seconds']:.1f}" for line in r.lines} for r in (a, b))
    for item in (p.stem for p in items):
        gen = f"{c[item].seconds:.1f} ({c[item].code})" if item in c else "-"
        print(f"| {item} | {in_a.get(item, '-')} | {in_b.get(item, '-')} | {gen} |")
    if c:
        print(f"\n(a + b) / c = {(a.seconds + b.seconds) / c_seconds:.2f}")


def copies(folder: Path, n: int) -> None:
    """n copies of the articles, each with a closing line of its own (another text, another key)."""
    folder.mkdir()
    for i in range(n):
        source = ARTICLES[i % len(ARTICLES)]
        text = source.read_text(encoding="utf-8")
        line = f"Copy {i} of this article closes here."
        if source.suffix == ".html" and "</body>" in text:
            head, _, rest = text.rpartition("</body>")
            text = f"{head}<p>{line}</p>\n</body>{rest}"
        else:
            text += f"\n{line}\n"
        (folder / f"{i:03d}_{source.name}").write_text(text, encoding="utf-8")


def child_of(pid: int) -> int | None:
    """The first child process of pid (briefing, under /usr/bin/time)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                return int(stat.parent.name)
        except (OSError, IndexError, ValueError):
            continue
    return None


def vm_rss(pid: int) -> int | None:
    """VmRSS of pid in KiB; None once it has ended."""
    try:
        found = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def bench_memory(n: int, concurrency: int) -> None:
    samples: list[tuple[float, int, int]] = []  # (seconds, lines, VmRSS KiB)

    def sample(proc: subprocess.Popen[bytes]) -> None:
        """VmRSS every 0.5 s, and as soon as an item's line is written."""
        began, child, last = time.monotonic(), None, (-1.0, 0, 0)
        while proc.poll() is None:
            child = child or child_of(proc.pid)
            now, done, rss = time.monotonic() - began, len(lines_of(jsonl)), vm_rss(child) if child else None
            if rss and (now - last[0] >= 0.5 or done != last[1]):
                last = (now, done, rss)
                samples.append(last)
            time.sleep(0.05)

    with tempfile.TemporaryDirectory() as tmp, backend("stub", Path(tmp)) as (flags, env):
        scratch = Path(tmp)
        copies(scratch / "in", n)
        jsonl = scratch / "out" / "batch.jsonl"
        cmd = [str(BIN), "batch", str(scratch / "in"), "-o", str(scratch / "out"), "--quiet", *flags]
        run = timed([*cmd, "--concurrency", str(concurrency)], scratch / "time", scratch / "log", env, sample)
        run.lines = lines_of(jsonl)
        log = tail(scratch / "log")
    if not samples:
        fail(f"no RSS sample of the batch (exit {run.code}):\n{log}")
    print(
        f"\n### `briefing batch` memory, {n} copies of the 5 development articles, stub server, "
        f"--concurrency {concurrency}\n"
    )
    print("| point | items done | s | RSS MiB |")
    print("|---|---:|---:|---:|")
    for k in sorted({1, 10, 25, n} & set(range(1, n + 1))):
        at = next((s for s in samples if s[1] >= k), samples[-1])
        print(f"| after item {k}{'' if at[1] >= k else ' (last sample)'} | {at[1]} | {at[0]:.1f} | {at[2] // 1024} |")
    print(f"| peak (/usr/bin/time) | {len(run.lines)} | {run.seconds:.1f} | {run.rss} |")
    print(
        f"\n{counts(run.lines)} ok/failed/cached, exit {run.code}; {run.seconds:.1f} s wall, "
        f"{run.seconds / n:.2f} s per item; {len(samples)} samples"
    )
    failed = [f"{line['name']}: {line['reason']}" for line in run.lines if line["status"] != "ok"]
    if run.code != 0 or len(run.lines) != n or failed:
        fail(f"expected {n} items ok, exit 0:\n" + "\n".join(failed[:10]) + f"\n{log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["resume", "memory"])
    parser.add_argument("--items", type=int, help="resume: the first N items (default all 7); memory: N (default 50)")
    parser.add_argument("--out", type=Path, help="resume: keep every output and log in this (empty) folder")
    parser.add_argument("--skip-generate", action="store_true", help="resume: no (c), one generate per item")
    parser.add_argument("--concurrency", type=int, default=1, help="memory: items in flight at once (default 1)")
    # Testing the plumbing: a server instead of the embedded model ("stub": tests/stub_server.py).
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Started with SIGINT ignored (`&` in a script), briefing would inherit that and ignore it too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.what == "memory":
        bench_memory(args.items or 50, args.concurrency)
    elif args.out:
        bench_resume(args.out, args.items or 7, args.skip_generate, args.base_url)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench_resume(Path(tmp), args.items or 7, args.skip_generate, args.base_url)


if __name__ == "__main__":
    main()
