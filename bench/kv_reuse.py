"""Does keeping each system prompt's KV cache pay across the items of a batch on the embedded model?

Three briefing prompts (the sample, two corpus pages), each followed by one support-judge call, as
a batch runs them; every call asks for one output token, so its time is the prompt's reading. Run
with `0` (llama.cpp's own reuse of the last prompt's beginning only) and `1` (the state after the
first conversation of each system prompt kept and loaded again before the next one), alternately:

    python bench/kv_reuse.py 0; python bench/kv_reuse.py 1

Printed: the seconds of briefing 1, judge, briefing 2, judge, briefing 3, judge. Measured on the
commit that adds it; the finding is in bench/RESULTS.md (2026-11-30, batch), and the keeping was
taken out again.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

from briefing import pipeline, support
from briefing.backends import BackendSettings, ChatRequest, make_backend
from briefing.ingest import load_sources
from briefing.settings import GenerateOptions

ITEMS = ("seeds/000_918e6d9692383a64.txt", "tests/data/corpus/reuters.com1.html", "tests/data/corpus/cnn_article.html")
CLAIM = ("Cited sentences:\n[1.1] The minister said the plan would go ahead.\n\n"
         "Claim (position): The minister backs the plan.\n\nVerdict?")


def run(keep: bool) -> list[float]:
    backend = make_backend(BackendSettings())
    if not keep:
        backend._keep = lambda *a: None  # type: ignore[attr-defined]
    requests = [replace(pipeline.prepare(load_sources([path]), backend, GenerateOptions()).request, max_tokens=1)
                for path in ITEMS]
    judge = ChatRequest([{"role": "system", "content": support.SYSTEM}, {"role": "user", "content": CLAIM}],
                        support.SCHEMA, max_tokens=2)
    times = []
    for request in requests:
        for call in (request, judge):
            start = time.monotonic()
            backend.chat(call)
            times.append(round(time.monotonic() - start, 2))
    return times


if __name__ == "__main__":
    keep = sys.argv[1:] == ["1"]
    print("keep" if keep else "no keep", run(keep))
