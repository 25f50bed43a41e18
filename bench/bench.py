"""Whole-process benchmarks: `briefing --help` start-up and the sample article on the default model.

Each command runs N times under /usr/bin/time -v; the medians of wall time and peak memory are
printed with every run, plus the token counts the briefing's run metadata reports.

    python bench/bench.py help --runs 20
    python bench/bench.py sample --runs 5 [--length standard]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "briefing"
SAMPLE = ROOT / "seeds" / "000_918e6d9692383a64.txt"


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one run of cmd, measured by GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert wall and rss, proc.stderr
    seconds = sum(float(part) * 60**i for i, part in enumerate(reversed(wall.group(1).split(":"))))
    return seconds, int(rss.group(1)) // 1024


def bench_help(runs: int) -> None:
    timed([str(BIN), "--help"])  # warm the file cache
    results = [timed([str(BIN), "--help"]) for _ in range(runs)]
    report("briefing --help", results)


def bench_sample(runs: int, length: str | None) -> None:
    results, usage = [], []
    extra = ["--length", length] if length else []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            out = Path(tmp) / f"brief{n}.json"
            results.append(timed([str(BIN), "generate", str(SAMPLE), "--quiet", "--format", "json", "-o", str(out),
                                  *extra]))
            run = json.loads(out.read_text())["run"]
            usage.append((run["usage"]["prompt_tokens"], run["usage"]["completion_tokens"], len(run["attempts"])))
            print(f"  run {n + 1}: {results[-1][0]:.1f} s, {results[-1][1]} MiB, "
                  f"prompt {usage[-1][0]} + output {usage[-1][1]} tokens, {usage[-1][2]} call(s)", flush=True)
    report(f"briefing generate <sample> (default local model, length {length or 'default'})", results)
    print(f"  median output tokens: {statistics.median(u[1] for u in usage):.0f}, "
          f"median prompt tokens: {statistics.median(u[0] for u in usage):.0f}")


def report(name: str, results: list[tuple[float, int]]) -> None:
    walls = [r[0] for r in results]
    print(f"{name}: median {statistics.median(walls):.2f} s over {len(walls)} runs "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); median peak RSS "
          f"{statistics.median(r[1] for r in results):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["help", "sample", "all"])
    parser.add_argument("--runs", type=int, default=0, help="runs per command (default: help 20, sample 3)")
    parser.add_argument("--length", choices=["short", "standard", "long"], help="--length for the sample briefing")
    args = parser.parse_args()
    if args.what in ("help", "all"):
        bench_help(args.runs or 20)
    if args.what in ("sample", "all"):
        bench_sample(args.runs or 3, args.length)


if __name__ == "__main__":
    main()
