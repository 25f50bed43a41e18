"""The quality benchmark's scorer (bench/quality.py) on a made-up briefing and gold entry; no model runs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "quality"


def _load_quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


quality = _load_quality()


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def test_score_counts_recall_pairing_repeats_and_bare_name_signposts() -> None:
    s = quality.score(_read("arland.json"), _read("gold.json")["arland"])
    assert (len(s.actors_found), s.gold_actors) == (4, 6)
    assert s.actors_missed == ["World Bank", "Vance|Senate"]  # "Borvia" is in "Borvian farmers": found
    assert (s.paired, len(s.timeline)) == (3, 4)  # "Last year" is not a gold date; "2021" lacks "drought"
    assert [ok for _, _, ok in s.timeline] == [True, False, True, True]
    assert (len(s.repeated_fields), s.fields) == (4, 24)
    assert s.repeated_fields == ["bottom_line", "context", "actors[0].interests", "actors[1].interests"]
    assert (len(s.bare_signposts), s.signposts) == (4, 8)
    assert s.bare_signposts == ["Kara Holt", "Holt; Borvian farmers", "the River Commission", "RC."]
    assert (s.prompt_tokens, s.output_tokens, s.calls) == (3100, 1250, 2)


def test_an_actor_listed_as_named_counts_as_found_but_not_as_described() -> None:
    document = {"briefing": {"actors": [
        {"name": "Kara Holt", "role": "Minister who signed the accord", "citations": ["1.1"]},
        {"name": "World Bank", "role": None, "citations": ["1.4"]},
    ]}}
    s = quality.score(document, {"key_actors": ["Holt", "World Bank", "Senate"]})
    assert (s.actors_found, s.actors_described, s.actors_missed) == (["Holt", "World Bank"], ["Holt"], ["Senate"])
    assert quality.total({"a": s, "b": s}).actors_described == ["Holt", "Holt"]


@pytest.mark.parametrize(
    ("signpost", "bare"),
    [
        ("Minister Kara Holt", True),
        ("holt", True),
        ("Kara Holt, River Commission and Borvian farmers", True),
        ("Holt resigns", False),
        ("Borvia", False),  # a word of no listed name: "Borvian" is another word
        ("World Bank", False),  # not a listed actor
    ],
)
def test_bare_name_signposts(signpost: str, bare: bool) -> None:
    names = ["Minister Kara Holt", "River Commission (RC)", "Borvian farmers"]
    assert quality.is_bare_name(signpost, names) is bare


def test_two_roles_in_the_words_of_the_sentences_they_cite_are_no_repeat() -> None:
    briefing = {"actors": [{"name": "Joe Biden", "role": "President", "citations": ["1.5"]},
                           {"name": "Ana Lee", "role": "President", "citations": ["1.6"]}]}
    quotes = {"1.5": "President Joe Biden spoke.", "1.6": "Ana Lee spoke."}
    assert [label for label, _ in quality.free_text_fields(briefing, quotes)] == ["bottom_line", "context",
                                                                                 "actors[1].role"]
    assert len(quality.free_text_fields(briefing)) == 4  # without the sentences, every role counts


def test_repeat_threshold_is_jaccard_point_eight() -> None:
    fields = [("a", "one two three four five"), ("b", "One two, three four."), ("c", "one two three six")]
    assert quality.repeated_pairs(fields) == [("a", "b", 0.8)]


def test_score_only_prints_the_table_with_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main(["--score-only", str(DATA), "--gold", str(DATA / "gold.json")]) == 0
    out = capsys.readouterr().out
    assert "| total   | 4/6 (0.67) | 4/6       | 1/4         | 1/3         | 1/2                  | 1/2" in out
    assert "| 63.5    |" in out  # no timings file: the run metadata's seconds
    assert "bare-name signpost: Holt; Borvian farmers" in out


def test_a_missing_output_is_a_failed_run_that_found_nothing(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main(["--score-only", str(tmp_path), "--gold", str(DATA / "gold.json")]) == 1
    out = capsys.readouterr().out
    assert "| arland  | 0/6 (0.00) | 0/6       | 0/0         | 0/0" in out
    assert "FAILED: arland.json" in out


def test_run_passes_extra_flags_to_generate_and_keeps_outputs(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "briefing"  # stands in for the executable: records its arguments, writes the saved briefing
    fake.write_text(f"#!{sys.executable}\nimport shutil, sys\n"
                    f"open({str(tmp_path / 'args.txt')!r}, 'w').write(' '.join(sys.argv[1:]))\n"
                    f"shutil.copy({str(DATA / 'arland.json')!r}, sys.argv[sys.argv.index('-o') + 1])\n")
    fake.chmod(0o755)
    keep = tmp_path / "keep"
    argv = ["--gold", str(DATA / "gold.json"), "--keep", str(keep), "--briefing", str(fake), "--", "--length", "long"]
    assert quality.main(argv) == 0
    args = (tmp_path / "args.txt").read_text()
    article = DATA.parent / "articles" / "arland.txt"  # gold paths: relative to the gold folder's parent
    assert args == f"generate {article} --format json -o {keep / 'arland.json'} --quiet --length long"
    assert json.loads((keep / "timings.json").read_text())["arland"] >= 0
    assert "| arland  | 4/6 (0.67) | 4/6       | 1/4         | 1/3" in capsys.readouterr().out


def test_totals_add_up_articles_whose_fields_share_labels() -> None:
    one = quality.score(_read("arland.json"), _read("gold.json")["arland"], seconds=10.0)
    both = quality.total({"a": one, "b": one})
    assert (len(both.actors_found), both.gold_actors, both.paired, len(both.timeline)) == (8, 12, 6, 8)
    assert (len(both.repeated_fields), both.fields, len(both.bare_signposts), both.signposts) == (8, 48, 8, 16)
    assert (both.prompt_tokens, both.output_tokens, both.calls, both.seconds) == (6200, 2500, 4, 20.0)


def test_junk_actors_kinds_attribution_and_cut_texts() -> None:
    s = quality.score(_read("arland.json"), _read("gold.json")["arland"])
    assert s.junk_actors == ["Borvian farmers"] and s.actors_listed == 4
    assert s.kinds == [("Minister Kara Holt", "official", "person"), ("Arland government", "government", "government"),
                       ("River Commission (RC)", "international_org", "organisation")]
    assert s.kinds_right == 1
    # Holt's position cites the sentence in which Arland accepts quotas; the farmers' cites another party's.
    assert [ok for _, _, ok in s.positions] == [True, False]
    assert (s.holders, s.holders_covered) == (["Holt|Arland", "Borvia|Borvian"], ["Holt|Arland"])


def test_a_key_actor_has_the_right_kind_when_one_of_the_listed_actors_it_goes_by_has_it() -> None:
    actors = [{"name": "Acme Bank", "kind": "company"}, {"name": "Dana Ruiz", "kind": "person"}]
    # Ruiz speaks for Acme: one party; Dana Ruiz has the gold kind, though Acme Bank is listed first.
    assert quality.kinds_of_key_actors(actors, ["Ruiz|Acme"], {"Ruiz": "person"}) == [
        ("Dana Ruiz", "person", "person")]
    # None has it: the first listed actor its aliases name is judged.
    assert quality.kinds_of_key_actors(actors, ["Ruiz|Acme"], {"Ruiz": "organisation"}) == [
        ("Acme Bank", "company", "organisation")]


@pytest.mark.parametrize(("text", "cut"), [
    ("The leading diplomat of the outgoing Biden…", True),
    ("Trump's election victory, which sets the stage for", True),
    ("a signpost ending has limited choices and", True),
    ("Ends on a comma,", True),
    ("Secretary of State on his last trip", False),
    ("Allies fear the aid will stop.", False),
])
def test_a_text_is_cut_when_it_ends_mid_phrase(text: str, cut: bool) -> None:
    assert quality.is_cut(text) is cut


def test_the_support_check_s_verdicts_are_counted_for_shown_items_only() -> None:
    document = {"briefing": {}, "run": {"support": [
        {"item": "title", "verdict": "supported", "action": "kept", "claim": "T"},
        {"item": "risks[0]", "verdict": "partly", "action": "kept", "claim": "R"},
        {"item": "risks[1]", "verdict": "contradicted", "action": "dropped", "claim": "gone"},
        {"item": "context", "verdict": "contradicted", "action": "kept", "claim": "C"}]}}
    s = quality.score(document, {})
    assert (s.supported, len(s.support)) == (1, 3)
    assert s.contradicted_shown == ["context: C"]
