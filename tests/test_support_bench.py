"""The support benchmark's scoring and prompts (bench/support.py); no model runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_support", ROOT / "bench" / "support.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


support = _load()


def test_balanced_accuracy_is_the_mean_recall_of_the_gold_labels() -> None:
    pairs = [("supported", "supported")] * 9 + [("supported", "partly")] + [("contradicted", "supported")] * 2
    assert support.balanced_accuracy(pairs, support.LABELS) == (0.9 + 0.0) / 2  # labels with no gold case skipped
    assert support.binary("partly") == "backed" and support.binary("contradicted") == "unbacked"


def test_each_prompt_form_holds_the_claim_and_every_cited_sentence() -> None:
    case = support.load_cases()[0]
    for form in support.FORMS:
        text = support.messages(case, form)[-1]["content"]
        assert case["claim"] in text and all(case["sentences"][i] in text for i in case["cited"])
    first = support.messages(case, "sentences-first")[-1]["content"]
    assert first.index("Cited sentences") < first.index("Claim")


def test_the_report_has_a_confusion_matrix_and_both_accuracies() -> None:
    text = support.report("claim-first", [("supported", "supported"), ("contradicted", "not_supported")], 2.0)
    assert "balanced accuracy, four labels: 0.500" in text and "against not: 1.000" in text


def test_the_reasoned_form_asks_for_a_reason_before_the_label() -> None:
    case = support.load_cases()[0]
    system, user = support.messages(case, "reason-first")
    assert '"reason"' in system["content"] and system["content"].index('"reason"') < system["content"].index(
        '"verdict"')
    assert list(support.REASONED_SCHEMA["required"]) == ["reason", "verdict"]
    assert case["claim"] in user["content"]
