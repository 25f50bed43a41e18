"""End to end through the openai SDK, replaying exchanges recorded from a real llama-cpp-python server.

Re-record with `make cassettes` (it starts `python -m llama_cpp.server` on 127.0.0.1:8765).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from briefing import cli, support

from helpers import SEED
from vcr_support import CASSETTES, RECORDING, cassette

SERVER = ["--base-url", "http://127.0.0.1:8765/v1", "--model", "qwen2.5-coder-1.5b-instruct", "--quiet"]


def _quotes_are_from_the_source(markdown: str) -> None:
    source = SEED.read_text(encoding="utf-8")
    sentence_ids = re.findall(r"^> \*\*\[(\d+\.\d+)\]\*\* (.*)$", markdown, flags=re.M)
    assert sentence_ids, "no quoted evidence"
    for _id, quoted in sentence_ids:
        assert quoted.replace("\\", "") in source


def test_auto_mode_falls_back_from_json_schema_and_briefs_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    with cassette("server_auto_markdown") as tape:
        code = cli.run(["generate", str(SEED), *SERVER])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    formats = [json.loads(r.body)["response_format"]["type"] for r in tape.requests]
    # llama-cpp-python's server rejects json_schema (a 500 naming response_format), once, unretried;
    # then its own form carries the schema, for the briefing and for each item the support check judges.
    assert formats[:2] == ["json_schema", "json_object"] and set(formats[2:]) <= {"json_object"}
    assert tape.responses[0]["status"]["code"] == 500
    markdown = captured.out
    assert markdown.startswith("# ") and "## Actors" in markdown and "## Evidence" in markdown
    _quotes_are_from_the_source(markdown)


def test_explicit_mode_writes_json_that_renders_identically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "brief.json"
    with cassette("server_json_object_schema") as tape:
        code = cli.run(["generate", str(SEED), *SERVER, "--structured-output", "json_object_schema",
                        "--format", "json", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    body = json.loads(tape.requests[0].body)
    assert body["response_format"]["type"] == "json_object" and "schema" in body["response_format"]
    document = json.loads(out.read_text())
    run = document["run"]
    assert run["backend"] == "openai_compat" and run["structured_output"] == "json_object_schema"
    assert run["usage"]["prompt_tokens"] > 1000 and run["usage"]["completion_tokens"] > 100
    assert document["sources"][0]["sha256"] and set(run["prompt_hashes"]) >= {"system.j2", "request.j2"}
    first = tmp_path / "a.md"
    assert cli.run(["render", str(out), "-o", str(first)]) == 0
    assert cli.run(["render", str(out)]) == 0
    assert capsys.readouterr().out == first.read_text()
    _quotes_are_from_the_source(first.read_text())
    # The briefing was judged item by item, each in a call of its own.
    checked = run["support"]
    assert checked and {e["judge"] for e in checked} <= {"qwen2.5-coder-1.5b-instruct", "facts", "quoted", "attributed",
                                                          "stated", "raised"}
    judged = [body for body in (json.loads(r.body) for r in tape.requests) if body["max_tokens"] <= support.WHOLE]
    assert judged and all(body["messages"][0]["content"] == support.SYSTEM for body in judged)
    assert "Support check:" in first.read_text()
    # `verify --support` judges the saved briefing again, each item in a call of its own.
    with cassette("server_verify_support") as again:
        code = cli.run(["verify", "--support", str(out), str(SEED), *SERVER[:4]])
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.split(" ", 1)[0] in
             ("supported", "partly", "not_supported", "contradicted")]
    assert len(lines) == len([e for e in checked if e["action"] != "dropped"])  # what the saved briefing holds
    unsupported = [line for line in lines if line.startswith(("not_supported", "contradicted"))]
    assert code == (12 if unsupported else 0), captured.err
    assert all(len(json.loads(r.body)["messages"]) == 2 for r in again.requests)


@pytest.mark.skipif(RECORDING, reason="checks replay only")
def test_a_changed_prompt_cannot_replay_a_stale_answer(capsys: pytest.CaptureFixture[str]) -> None:
    # None of its recorded interactions is played: the briefing's request differs, so nothing after it runs.
    with pytest.raises(AssertionError, match=r"\d+ recorded interaction\(s\) unplayed"), \
            cassette("server_json_object_schema"):
        code = cli.run(["generate", str(SEED), *SERVER, "--structured-output", "json_object_schema",
                        "--focus", "What will Europe do?", "--max-retries", "0"])
        assert code == 1  # vcrpy refuses: no recorded answer matches the new request body
    assert "no recorded interaction matches it" in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted(CASSETTES.glob("*.json")), ids=lambda p: p.name)
def test_cassettes_hold_no_credentials_or_tracking_headers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"bearer [a-z0-9_-]{8,}|sk-[a-z0-9]{16,}", text, flags=re.I)
    for interaction in json.loads(text)["interactions"]:
        assert urlsplit(interaction["request"]["uri"]).hostname == "127.0.0.1"
        for headers in (interaction["request"]["headers"], interaction["response"]["headers"]):
            names = {name.lower() for name in headers}
            assert not names & {"authorization", "cookie", "set-cookie", "user-agent"}
            assert not any(name.startswith(("openai-", "x-stainless")) for name in names)


INJECTION = Path(__file__).parent / "data" / "injection.txt"


def test_instructions_inside_a_source_cannot_change_schema_citations_or_rendering(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real model run on an article that tells the model to misbehave (recorded from the server)."""
    out = tmp_path / "brief.json"
    with cassette("server_injection"):
        code = cli.run(["generate", str(INJECTION), *SERVER, "--structured-output", "json_object_schema",
                        "--format", "json", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    document = json.loads(out.read_text())
    written = json.dumps(document["briefing"]).casefold()
    assert "hacked" not in written and "evil corp" not in written  # the injected story did not take over
    assert document["sources"][0]["addresses_ai"]  # and the reader is told what was withheld
    source = INJECTION.read_text(encoding="utf-8")
    assert all(quote in source for quote in document["quotes"].values())  # quotes come from the source
    assert all(re.fullmatch(r"1\.[1-9]", i) for i in document["quotes"])  # no 9.9: only real ids
    markdown = tmp_path / "brief.md"
    assert cli.run(["render", str(out), "-o", str(markdown)]) == 0
    text = markdown.read_text()
    assert not re.search(r"(?<!\\)<script", text) and "![" not in text  # escaped, so inert
    assert not re.search(r"(?<!\\)\]\(", text)  # no inline link or image can form
    autolinks = re.findall(r"(?<!\\)<(https?://[^>]+)>", text)
    assert all(url in source for url in autolinks)  # a live link only where the source writes the URL


CNN = Path(__file__).parent / "data" / "corpus" / "cnn_article.html"


def test_sources_longer_than_the_window_are_briefed_in_stages(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Two sources read in two parts by a real server (a 4,096-token window), then briefed from the notes."""
    out = tmp_path / "brief.json"
    with cassette("server_staged") as tape:
        code = cli.run(["generate", str(SEED), str(CNN), *SERVER, "--structured-output", "json_object_schema",
                        "--context-window", "4096", "--max-tokens", "1500", "--concurrency", "1",
                        "--format", "json", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    kinds = [a["kind"] for a in json.loads(out.read_text())["run"]["attempts"]]
    assert kinds[:2] == ["notes 1/2", "notes 2/2"] and kinds[2] == "generate"
    judge_calls = [r for r in tape.requests if json.loads(r.body)["max_tokens"] <= support.WHOLE]
    assert judge_calls and len(tape.requests) - len(judge_calls) == len([k for k in kinds if k != "support"])
    first = json.loads(tape.requests[0].body)["messages"][1]["content"]
    assert "This is part 1 of 2" in first
    assert cli.run(["verify", str(out), str(SEED), str(CNN)]) == 0  # every quote is the sources' own
