"""The local backend's grammar: compact JSON, no stray scripts, and it still accepts valid briefings."""

from __future__ import annotations

import json

import pytest

from briefing.schema import json_schema

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
