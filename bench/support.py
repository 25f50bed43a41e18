"""How well a model judges whether cited sentences support a claim, on the labelled set.

Each case of `tests/data/support/cases.jsonl` (a claim as a briefing states it, the sentences it
cites, and a hand-written verdict) is put to the model in one grammar-constrained call whose
answer is one label: supported, partly, not_supported or contradicted. Reports the confusion
matrix, the balanced accuracy over the four labels (the mean of each label's recall) and over two
(supported or partly, against not supported or contradicted), and the seconds per case.

    python bench/support.py                                   # embedded model, every prompt form
    python bench/support.py --form sentences-first --limit 40
    python bench/support.py --base-url http://127.0.0.1:8080/v1 --model qwen

Prompt forms, one claim per call: `sentences-first` (the cited sentences, then the claim),
`claim-first`, and `reason-first` (sentences first; the answer gives one short reason, then the
label). `product` is what `briefing generate` runs (`briefing.support.judge`): the facts check and the
quote check (no model), then `sentences-first` for the claims they leave, answered with the label
alone, except for the title, bottom line and context, asked as in `request-ids` (`briefing verify
--support`, which has no request, asks those as the rest: `product-alone`); `product-shots` the same
after ten worked examples (`briefing.support.SHOTS`, invented, none from the labelled set's
articles). `conversation` asks
each claim as the next turn of the conversation in which the model wrote its article's briefing
(written first, with the check off, and not timed), the cited sentences quoted, so that a model in
process keeps the sources in its KV cache; `conversation-ids` names the sentences by id only.
Both measured slower and less accurate than `product` (bench/RESULTS.md). `request-ids` asks each
claim as a turn after its article's briefing request alone (no answer), sentences named by id: a
model in process reads only the claim, the sources being in its cache from the briefing call. The labels are the
set's; nothing here is tuned to its cases.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "support" / "cases.jsonl"
LABELS = ["supported", "partly", "not_supported", "contradicted"]
FORMS = ["sentences-first", "claim-first", "reason-first", "product", "product-alone", "product-shots",
         "conversation", "conversation-ids", "request-ids"]
GOLD = ROOT.parent / "shared" / "gold" / "dev.json"

SYSTEM = ("You check a briefing against its sources. You are given a claim and the source sentences it "
          "cites. Judge only from those sentences, not from what you know.\n"
          "- supported: the sentences state the claim (words may differ).\n"
          "- partly: they state part of it, or the claim goes beyond them.\n"
          "- not_supported: they do not state it (another actor's position, a generic statement, "
          "something they do not raise).\n"
          "- contradicted: they state the opposite, or another number, date, actor or likelihood.\n"
          "Reply with one JSON object: {\"verdict\": LABEL}.")


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def messages(case: dict[str, Any], form: str) -> list[dict[str, str]]:
    """The chat messages for one case in one prompt form."""
    sentences = "\n".join(f"[{i}] {case['sentences'][i]}" for i in case["cited"])
    claim = f"Claim ({case['field'].replace('_', ' ')}): {case['claim']}"
    cited = f"Cited sentences:\n{sentences}"
    body = f"{claim}\n\n{cited}" if form == "claim-first" else f"{cited}\n\n{claim}"
    if form == "reason-first":
        return [{"role": "system", "content": SYSTEM.replace('{\"verdict\": LABEL}', REASONED)},
                {"role": "user", "content": body + "\n\nWhat do the sentences say about the claim, and your verdict?"}]
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": body + "\n\nVerdict?"}]


REASONED = '{"reason": what the sentences say about the claim, in one short sentence, "verdict": LABEL}'
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["verdict"],
          "properties": {"verdict": {"type": "string", "enum": LABELS}}}
REASONED_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["reason", "verdict"],
                   "properties": {"reason": {"type": "string", "maxLength": 200},
                                  "verdict": {"type": "string", "enum": LABELS}}}


def balanced_accuracy(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> float:
    """The mean over the gold labels present of the share of their cases judged right."""
    recalls = []
    for label in labels:
        gold = [(g, p) for g, p in pairs if g == label]
        if gold:
            recalls.append(sum(g == p for g, p in gold) / len(gold))
    return sum(recalls) / len(recalls) if recalls else 0.0


def binary(label: str) -> str:
    return "backed" if label in ("supported", "partly") else "unbacked"


def report(form: str, pairs: list[tuple[str, str]], seconds: float) -> str:
    matrix = Counter(pairs)
    width = max(map(len, LABELS)) + 2
    lines = [f"## {form}: {len(pairs)} cases, {seconds / max(len(pairs), 1):.2f} s per case", "",
             "gold \\ judged".ljust(width) + "".join(label.rjust(width) for label in LABELS)]
    lines += [gold.ljust(width) + "".join(str(matrix[(gold, p)]).rjust(width) for p in LABELS) for gold in LABELS]
    four = balanced_accuracy(pairs, LABELS)
    two = balanced_accuracy([(binary(g), binary(p)) for g, p in pairs], ["backed", "unbacked"])
    lines += ["", f"balanced accuracy, four labels: {four:.3f}; supported or partly against not: {two:.3f}", ""]
    return "\n".join(lines)


def product(backend: Any, cases: list[dict[str, Any]], shots: bool = False,
            alone: bool = False) -> list[tuple[str, str]]:
    """(gold, judged) for every case, as the product judges a briefing's claims: article by
    article, the title, bottom line and context first, each asked after the article's briefing
    request (its sentences named by id) by a model in process, every other claim alone with its
    sentences quoted. `alone`: every claim shown its sentences, as `verify --support` and a judge
    other than the writer ask them."""
    from briefing import support

    articles = list(dict.fromkeys(c["article"] for c in cases))
    before = requests(backend, articles) if backend.reuses_prompt_prefix and not alone else {}
    ordered = sorted(cases, key=lambda c: (articles.index(c["article"]), c["field"] not in support.TEXTS))
    judged = {}
    for case in ordered:
        claim = support.Claim(case["id"], case["field"], case["claim"], tuple(case["cited"]))
        judged[case["id"]] = support.judge(backend, [claim], case["sentences"], shots=shots,
                                           after=before.get(case["article"]))[0].verdict
    return [(c["verdict"], judged[c["id"]]) for c in cases]


def _sources(articles: list[str]) -> dict[str, Any]:
    """Each labelled article's sources, loaded from the file the gold names for it."""
    from briefing import load_sources

    files = {name: entry["file"] for name, entry in json.loads(GOLD.read_text(encoding="utf-8")).items()
             if isinstance(entry, dict) and "file" in entry}
    return {article: load_sources([str(ROOT.parent / "shared" / files[article])]) for article in articles}


def conversations(backend: Any, articles: list[str]) -> dict[str, list[dict[str, str]]]:
    """For each article, the product's briefing request and the briefing the model wrote for it
    (the check off): the conversation the product's judge continues."""
    from briefing.pipeline import generate, prepare
    from briefing.settings import GenerateOptions

    found = {}
    for article, sources in _sources(articles).items():
        options = GenerateOptions(support_check=False)
        run = generate(sources, backend, options)
        answer = run.briefing.model_dump_json(exclude_none=True)
        found[article] = [*prepare(sources, backend, options).request.messages,
                          {"role": "assistant", "content": answer}]
    return found


def requests(backend: Any, articles: list[str]) -> dict[str, list[dict[str, str]]]:
    """For each article, the product's briefing request alone (no answer): the prefix a judge turn
    after it shares with the briefing call."""
    from briefing.pipeline import prepare
    from briefing.settings import GenerateOptions

    return {article: list(prepare(sources, backend, GenerateOptions()).request.messages)
            for article, sources in _sources(articles).items()}


def in_conversation(backend: Any, cases: list[dict[str, Any]], talks: dict[str, list[dict[str, str]]],
                    quote: bool) -> list[tuple[str, str]]:
    """(gold, judged) for every case, each judged as the next turn of its article's briefing
    conversation, as `briefing generate` judges (the facts check first)."""
    from briefing import support

    pairs = []
    for case in cases:
        claim = support.Claim(case["id"], case["field"], case["claim"], tuple(case["cited"]))
        ruled = support.facts(claim, case["sentences"])
        if ruled is None:
            result = backend.chat(support.request(claim, case["sentences"], talks[case["article"]], quote=quote))
            pairs.append((case["verdict"], support.read(result.content) or "not_supported"))
        else:
            pairs.append((case["verdict"], ruled.verdict))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--form", choices=FORMS, action="append", help="prompt form (repeatable; default all)")
    parser.add_argument("--limit", type=int, help="judge only the first N cases")
    parser.add_argument("--field", action="append", help="judge only the cases of this field (repeatable)")
    parser.add_argument("--base-url", help="an OpenAI-compatible server (default: the embedded model)")
    parser.add_argument("--model", help="the server's model")
    parser.add_argument("--cases", type=Path, default=CASES)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from briefing import BackendSettings, make_backend
    from briefing.backends.base import ChatRequest

    cases = [c for c in load_cases(args.cases) if not args.field or c["field"] in args.field][:args.limit]
    backend = make_backend(BackendSettings(base_url=args.base_url, model=args.model))
    talks: dict[str, list[dict[str, str]]] = {}
    for form in args.form or FORMS:
        pairs, started = [], time.perf_counter()
        if form.startswith("conversation") or form == "request-ids":
            articles = list(dict.fromkeys(c["article"] for c in cases))
            talks = requests(backend, articles) if form == "request-ids" else conversations(backend, articles)
            started = time.perf_counter()
            # One article after another, as a briefing's claims come: the model keeps its cache.
            ordered = sorted(cases, key=lambda c: list(talks).index(c["article"]))
            pairs = in_conversation(backend, ordered, talks, quote=form == "conversation")
            talks = {}
            print(report(form, pairs, time.perf_counter() - started), flush=True)
            continue
        if form.startswith("product"):
            pairs = product(backend, cases, shots=form == "product-shots", alone=form == "product-alone")
            print(report(form, pairs, time.perf_counter() - started), flush=True)
            continue
        for case in cases:
            reasoned = form == "reason-first"
            result = backend.chat(ChatRequest(messages(case, form), REASONED_SCHEMA if reasoned else SCHEMA,
                                              max_tokens=96 if reasoned else 16))
            try:
                judged = json.loads(result.content)["verdict"]
            except (ValueError, KeyError, TypeError):
                judged = "not_supported"  # an answer that is no verdict backs nothing
            pairs.append((case["verdict"], judged))
        print(report(form, pairs, time.perf_counter() - started), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
