"""The OpenAI-compatible backend against a scripted local server: format negotiation and failures."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from briefing.backends.base import ChatRequest
from briefing.backends.openai_compat import ModeMemory, OpenAICompatBackend, response_format
from briefing.errors import BackendError, ConfigError
from briefing.request_schema import json_schema

from helpers import as_json, good_briefing
from stub_server import Reply, Script, completion, stub_server

REQUEST = ChatRequest([{"role": "user", "content": "brief"}], json_schema(["1.1"]), max_tokens=300)
LLAMA_CPP_REJECTION = Reply(500, {"error": {"message": "1 validation error: ('body', 'response_format', 'type') "
                                            "Input should be 'text' or 'json_object'"}})


def _backend(url: str, **kw: object) -> OpenAICompatBackend:
    kw.setdefault("max_retries", 0)
    return OpenAICompatBackend(model="stub-model", base_url=url, **kw)  # type: ignore[arg-type]


def test_a_server_that_takes_json_schema_gets_it_once() -> None:
    script = Script([completion(as_json(good_briefing()))])
    with stub_server(script) as url:
        backend = _backend(url)
        result = backend.chat(REQUEST)
        backend.chat(REQUEST)
    assert result.content == as_json(good_briefing()) and result.usage.completion_tokens == 7
    assert [r["response_format"]["type"] for r in script.requests] == ["json_schema", "json_schema"]
    assert script.requests[0]["response_format"]["json_schema"]["schema"] == REQUEST.json_schema
    assert backend.structured_mode == "json_schema"


def test_a_rejected_json_schema_falls_back_once_and_is_remembered() -> None:
    script = Script([LLAMA_CPP_REJECTION, completion("{}")])
    with stub_server(script) as url:
        backend = _backend(url, max_retries=2)
        backend.chat(REQUEST)
        backend.chat(REQUEST)
    formats = [(r["response_format"]["type"], "schema" in r["response_format"]) for r in script.requests]
    assert formats == [("json_schema", False), ("json_object", True), ("json_object", True)]
    assert backend.structured_mode == "json_object_schema"


def test_an_ordinary_server_error_is_not_mistaken_for_a_format_rejection() -> None:
    script = Script([Reply(500, {"error": {"message": "out of memory"}})])
    with stub_server(script) as url, pytest.raises(BackendError, match="answered 500: out of memory"):
        _backend(url).chat(REQUEST)
    assert {r["response_format"]["type"] for r in script.requests} == {"json_schema"}


def test_the_structured_output_override_skips_probing() -> None:
    script = Script([completion("{}")])
    with stub_server(script) as url:
        _backend(url, mode="json_object").chat(REQUEST)
    assert script.requests[0]["response_format"] == {"type": "json_object"}


def test_a_rejected_key_is_a_configuration_error() -> None:
    script = Script([Reply(401, {"error": {"message": "bad key"}})])
    with stub_server(script) as url, pytest.raises(ConfigError, match="refused the API key"):
        _backend(url).chat(REQUEST)


def test_an_unreachable_server_names_its_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(BackendError, match=f"cannot reach the model server at {url}"):
        _backend(url).chat(REQUEST)


def test_the_ladder_ends_in_plain_json_mode_with_the_schema_in_the_prompt() -> None:
    rejection = Reply(400, {"error": {"message": "response_format type not supported"}})
    script = Script([rejection, rejection, completion("{}")])
    with stub_server(script) as url:
        backend = _backend(url)
        backend.chat(REQUEST)
    assert [r["response_format"] for r in script.requests[:2]] == [
        response_format("json_schema", REQUEST.json_schema), response_format("json_object_schema", REQUEST.json_schema)]
    assert script.requests[2]["response_format"] == {"type": "json_object"}
    assert '"additionalProperties":false' in script.requests[2]["messages"][-1]["content"]
    assert backend.structured_mode == "json_object"


def test_what_worked_is_remembered_across_runs(tmp_path: Path) -> None:
    memory = ModeMemory(tmp_path / "servers.json")
    script = Script([LLAMA_CPP_REJECTION, completion("{}")])
    with stub_server(script) as url:
        _backend(url, memory=memory).chat(REQUEST)  # the first run probes
        _backend(url, memory=memory).chat(REQUEST)  # a later run (a new backend) does not
    assert [r["response_format"]["type"] for r in script.requests] == ["json_schema", "json_object", "json_object"]
    assert "json_object_schema" in (tmp_path / "servers.json").read_text()


def test_429_honours_retry_after_and_400_is_not_retried() -> None:
    import time

    script = Script([Reply(429, {"error": {"message": "slow down"}}), completion("{}")])
    script.replies[0].headers = {"Retry-After": "1"}
    with stub_server(script) as url:
        started = time.monotonic()
        _backend(url, mode="json_schema", max_retries=2).chat(REQUEST)
        assert time.monotonic() - started >= 1.0
    assert len(script.requests) == 2
    bad = Script([Reply(400, {"error": {"message": "bad request"}})])
    with stub_server(bad) as url, pytest.raises(BackendError, match="answered 400"):
        _backend(url, mode="json_schema", max_retries=2).chat(REQUEST)
    assert len(bad.requests) == 1


def test_doctor_probe_reports_each_mode() -> None:
    script = Script([LLAMA_CPP_REJECTION, completion('{"ok": true}'), completion('{"ok": true}')])
    with stub_server(script) as url:
        found = _backend(url).probe()
    assert found["json_schema"].startswith("rejected (500")
    assert found["json_object_schema"] == found["json_object"] == "accepted"


def test_a_server_remembered_as_plain_json_gets_the_schema_once_and_it_is_counted(tmp_path: Path) -> None:
    """In auto mode the remembered mode decides what is sent; the budget and the dry run see the same."""
    from briefing.ingest import load_sources
    from briefing.pipeline import prepare

    from helpers import SEED

    memory = ModeMemory(tmp_path / "servers.json")
    script = Script([completion(as_json(good_briefing()))])
    with stub_server(script) as url:
        memory.set(f"{url} stub-model", "json_object")
        backend = _backend(url, memory=memory)
        assert backend.structured_mode == "json_object"
        prepared = prepare(load_sources([SEED]), backend)
        note = "Reply with one JSON object that matches this JSON schema:"
        assert note in prepared.sent[-1]["content"] and note not in prepared.request.messages[-1]["content"]
        assert prepared.prompt_tokens == backend.count_tokens(prepared.sent)[0]
        assert prepared.prompt_tokens > backend.count_tokens(prepared.request.messages)[0] + 1000
        backend.chat(prepared.request)
    sent = script.requests[0]
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["messages"] == prepared.sent and sent["messages"][-1]["content"].count(note) == 1
