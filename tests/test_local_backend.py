"""The local backend's grammar: compact JSON, no stray scripts, and it still accepts valid briefings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.request_schema import json_schema

from helpers import good_briefing

llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")


def test_grammar_allows_no_whitespace_and_no_unicode_escapes() -> None:
    from briefing.backends.local import compact_gbnf

    rules = dict(line.split(" ::= ", 1) for line in compact_gbnf(json_schema(["1.1"])).splitlines() if " ::= " in line)
    assert rules["space"] == '""'
    assert '"u"' not in rules["char"] and "\\u2E80-\\u9FFF" in rules["char"]


def test_cjk_stays_allowed_when_the_prompt_uses_it() -> None:
    from briefing.backends.local import compact_gbnf

    gbnf = compact_gbnf(json_schema(["1.1"]), "北京的消息")
    assert "\\u2E80" not in gbnf


def test_grammar_compiles_for_the_real_schema() -> None:
    from briefing.backends.local import compact_grammar

    ids = [f"1.{i}" for i in range(1, 40)]
    assert compact_grammar(json_schema(ids, {"Nov. 5": ["1.3"]}), json.dumps(good_briefing())) is not None
    named = json_schema(ids, {"Nov. 5": ["1.3"], "2022": ["1.4", "1.9"]}, None, ["Ana Duarte", "U.S."])
    assert compact_grammar(named, json.dumps(good_briefing())) is not None


def test_no_rule_is_left_empty_when_no_sentence_states_a_risk_or_leaves_a_question_open() -> None:
    from briefing.backends.local import compact_gbnf

    # An empty enum made an empty rule, which llama.cpp refuses to parse (a whole article failed).
    for possibilities, unknowns in (([], []), (["1.2"], []), ([], ["1.1"])):
        gbnf = compact_gbnf(json_schema(["1.1", "1.2"], possibilities=possibilities, unknowns=unknowns))
        assert not [line for line in gbnf.splitlines() if line.rstrip().endswith("::=")]


class _OverflowingLlama:
    """Stands in for llama_cpp.Llama where the prompt is longer than the context."""

    def create_chat_completion(self, *args: object, **kwargs: object) -> None:
        raise ValueError("Requested tokens (9100) exceed context window of 8192")


def test_a_prompt_over_the_context_window_is_too_large_not_a_backend_failure(tmp_path: Path) -> None:
    from briefing.backends.base import ChatRequest
    from briefing.backends.local import LocalBackend
    from briefing.errors import TooLargeError

    backend = LocalBackend(tmp_path / "model.gguf", llama=_OverflowingLlama())  # type: ignore[arg-type]
    with pytest.raises(TooLargeError) as caught:
        backend.chat(ChatRequest([{"role": "user", "content": "x"}], json_schema(["1.1"])))
    assert caught.value.exit_code == 10


def test_the_llama_cpp_internals_the_sampler_needs_are_where_it_expects_them() -> None:
    """An upgrade of llama-cpp-python that moves them fails here, by name, not in a user's run."""
    from briefing.backends import llama_internals

    assert llama_internals.problems() == []


def test_a_missing_internal_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.backends import llama_internals

    needed = {**llama_internals._NEEDED, ("llama_cpp", "Llama"): ("_init_sampler", "_renamed_in_a_new_release")}
    monkeypatch.setattr(llama_internals, "_NEEDED", needed)
    assert llama_internals.problems() == ["llama_cpp.Llama._renamed_in_a_new_release: missing"]
