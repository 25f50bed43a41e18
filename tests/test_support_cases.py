"""The labelled support-judge set (tests/data/support/cases.jsonl) is well formed and quotes its
sentences as the product numbers them (checked on the sample article, which the project keeps)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from briefing.ingest import load_sources

ROOT = Path(__file__).resolve().parent.parent
CASES = [json.loads(line) for line in (ROOT / "tests" / "data" / "support" / "cases.jsonl").read_text().splitlines()
         if line.strip()]
VERDICTS = {"supported", "partly", "not_supported", "contradicted"}


def test_the_set_is_large_enough_and_half_of_it_is_not_supported() -> None:
    verdicts = Counter(case["verdict"] for case in CASES)
    assert set(verdicts) <= VERDICTS and len(CASES) >= 80
    assert verdicts["not_supported"] + verdicts["contradicted"] >= len(CASES) / 2
    assert len({case["id"] for case in CASES}) == len(CASES)


def test_every_case_quotes_each_sentence_it_cites() -> None:
    for case in CASES:
        assert 1 <= len(case["cited"]) <= 2 and set(case["cited"]) == set(case["sentences"]), case["id"]
        assert case["claim"].strip() and case["why"].strip(), case["id"]


def test_the_sample_s_sentences_are_quoted_as_the_product_numbers_them() -> None:
    sample = next((ROOT / "seeds").glob("*.txt"))
    text = {s.id: s.text for source in load_sources([str(sample)]) for s in source.sentences}
    quoted = {i: t for case in CASES if case["article"] == "seed" for i, t in case["sentences"].items()}
    assert quoted and all(text.get(i) == t for i, t in quoted.items())
