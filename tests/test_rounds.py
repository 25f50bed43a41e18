"""`briefing batch --emit / --collect / --openai-batch`: a batch on a batch engine, in rounds of one
request file out and one results file in, until every item is briefed or failed."""

from __future__ import annotations

import email.parser
import json
import shutil
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from briefing import cli, rounds, support
from briefing.backends.base import ChatRequest
from briefing.backends.openai_compat import request_body

from helpers import ROOT, SEED, as_json, good_briefing

FIXTURE = ROOT / "tests" / "data" / "batch"
BODY_KEYS = {"model", "messages", "response_format", "max_tokens", "temperature", "seed"}


def _folder(tmp_path: Path, names: list[str], broken: bool = False) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names:
        shutil.copy(SEED, folder / f"{name}.txt")
    if broken:
        (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 200)
    return folder


def _requests(path: Path) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines()]


def _is_judge(body: dict[str, Any]) -> bool:
    schema = body["response_format"]["json_schema"]["schema"]
    return "verdict" in schema.get("properties", {})


def _openai_line(custom_id: str, model: str, content: str) -> dict[str, Any]:
    """A line of OpenAI's Batch API output file (as documented)."""
    return {"id": f"batch_req_{custom_id[-6:]}", "custom_id": custom_id, "error": None,
            "response": {"status_code": 200, "request_id": "req_1", "body": {
                "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 900, "completion_tokens": 40, "total_tokens": 940}}}}


def _vllm_line(custom_id: str, model: str, content: str) -> dict[str, Any]:
    """A line of `vllm run-batch` output (its BatchRequestOutput: no refusal, a stop_reason)."""
    return {"id": "vllm-1", "custom_id": custom_id, "error": None,
            "response": {"status_code": 200, "request_id": "vllm-batch-1", "body": {
                "id": "chatcmpl-2", "object": "chat.completion", "created": 0, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "tool_calls": []},
                             "logprobs": None, "finish_reason": "stop", "stop_reason": None}],
                "usage": {"prompt_tokens": 800, "total_tokens": 830, "completion_tokens": 30}}}}


Answerer = Callable[[dict[str, Any]], str]


def _engine(first: str | None = None) -> Answerer:
    """What a model would answer: a valid briefing (after `first` to the first briefing request),
    "supported" to every judge request."""
    asked: list[str] = []

    def answer(line: dict[str, Any]) -> str:
        if _is_judge(line["body"]):
            return json.dumps({"verdict": "supported"})
        asked.append(line["custom_id"])
        return first if first is not None and len(asked) == 1 else as_json(good_briefing())
    return answer


def _run_round(path: Path, results: Path, answer: Answerer,
               line: Callable[[str, str, str], dict[str, Any]] = _openai_line) -> None:
    out = [line(r["custom_id"], r["body"]["model"], answer(r)) for r in _requests(path)]
    results.write_text("".join(json.dumps(o) + "\n" for o in out), encoding="utf-8")


def test_request_lines_are_the_openai_batch_format_and_what_a_direct_call_sends(tmp_path: Path) -> None:
    from stub_server import Script, completion, stub_server

    folder = _folder(tmp_path, ["a"])
    emitted = tmp_path / "r1.jsonl"
    args = [str(folder), "-o", str(tmp_path / "out"), "-f", "json", "--model", "m", "--structured-output",
            "json_schema"]
    assert cli.run(["batch", *args, "--emit", str(emitted)]) == 0
    [line] = _requests(emitted)
    assert set(line) == {"custom_id", "method", "url", "body"}
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    assert set(line["body"]) == BODY_KEYS and line["custom_id"] == rounds.custom_id(line["body"])
    assert line["body"]["response_format"]["type"] == "json_schema"
    assert line["body"]["response_format"]["json_schema"]["strict"] is True
    # The same messages and response_format a direct call to a server sends.
    script = Script([completion(as_json(good_briefing()))])
    with stub_server(script) as url:
        cli.run(["generate", str(folder / "a.txt"), "--base-url", url, "--model", "m", "--structured-output",
                 "json_schema", "-o", str(tmp_path / "direct.md")])
    direct = script.requests[0]
    for key in BODY_KEYS:
        assert direct[key] == line["body"][key], key


def test_rounds_run_until_every_item_is_done_with_a_repair_in_the_second(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, ["a", "b"], broken=True)
    out = tmp_path / "out"
    base = ["batch", str(folder), "-o", str(out), "-f", "json", "-f", "markdown", "--model", "m"]
    answer = _engine(first="{}")  # the first briefing fails validation: its repair is in round 2
    assert cli.run([*base, "--emit", str(tmp_path / "r1.jsonl")]) == 13  # the binary file fails alone
    first = _requests(tmp_path / "r1.jsonl")
    assert len(first) == 2 and not any(_is_judge(r["body"]) for r in first)
    sent: list[list[dict[str, Any]]] = [first]
    for n in range(1, 6):
        _run_round(tmp_path / f"r{n}.jsonl", tmp_path / f"res{n}.jsonl", answer,
                   _openai_line if n % 2 else _vllm_line)
        cli.run([*base, "--collect", str(tmp_path / f"res{n}.jsonl"), "--emit", str(tmp_path / f"r{n + 1}.jsonl")])
        if not (tmp_path / f"r{n + 1}.jsonl").exists():
            break
        sent.append(_requests(tmp_path / f"r{n + 1}.jsonl"))
    second = sent[1]
    repair = [r for r in second if not _is_judge(r["body"])]
    assert len(repair) == 1 and repair[0]["body"]["messages"][-2] == {"role": "assistant", "content": "{}"}
    assert sum(_is_judge(r["body"]) for r in second) > 1  # every claim of the other item, in one round
    assert "no item waits for an answer" in capsys.readouterr().err
    lines = [json.loads(raw) for raw in (out / "batch.jsonl").read_text(encoding="utf-8").splitlines()]
    final = {line["name"]: line["status"] for line in lines}
    assert final == {"a": "ok", "b": "ok", "broken": "failed"}
    assert {line["status"] for line in lines} == {"waiting", "ok", "failed"}
    for name in ("a", "b"):
        assert cli.run(["verify", str(out / f"{name}.json"), str(folder / f"{name}.txt")]) == 0
    # Everything is answered: the same command with --emit writes nothing and briefs nothing again.
    assert cli.run([*base, "--emit", str(tmp_path / "again.jsonl")]) == 13
    assert not (tmp_path / "again.jsonl").exists()
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.md", "b.json", "b.md", "batch-answers.jsonl",
                                                      "batch.jsonl"]


def test_results_of_openai_and_vllm_are_read_with_their_errors() -> None:
    lines = [
        _openai_line("c1", "gpt", '{"a": 1}'),
        _vllm_line("c2", "qwen", '"supported"'),
        # OpenAI's error file: no response, an error object.
        {"id": "batch_req_3", "custom_id": "c3", "response": None,
         "error": {"code": "batch_expired", "message": "This request could not be executed before the completion "
                                                       "window expired."}},
        # OpenAI: a request the API refused, its error in the body.
        {"id": "batch_req_4", "custom_id": "c4", "error": None,
         "response": {"status_code": 400, "request_id": "req_4",
                      "body": {"error": {"message": "Invalid schema for response_format",
                                         "type": "invalid_request_error"}}}},
        # vLLM: a failed request, the status in the response, the message as a string.
        {"id": "vllm-5", "custom_id": "c5",
         "response": {"status_code": 400, "request_id": "vllm-batch-5", "body": None},
         "error": "Request failed: context length exceeded"},
    ]
    answers = {a.custom_id: a for a in rounds.read_results([json.dumps(line) for line in lines])}
    assert answers["c1"].result is not None and answers["c1"].result.content == '{"a": 1}'
    assert answers["c1"].result.usage.prompt_tokens == 900 and answers["c1"].result.finish_reason == "stop"
    assert answers["c2"].result is not None and answers["c2"].result.model == "qwen"
    assert answers["c3"].result is None and "completion window expired" in answers["c3"].error
    assert answers["c4"].result is None and "400: Invalid schema" in answers["c4"].error
    assert answers["c5"].result is None and "context length exceeded" in answers["c5"].error
    with pytest.raises(Exception, match="line 1: not a batch result line"):
        list(rounds.read_results(['{"id": 1}']))


def test_an_answer_the_engine_failed_fails_its_item_and_the_next_emit_asks_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    base = ["batch", str(folder), "-o", str(out), "-f", "json", "--model", "m"]
    assert cli.run([*base, "--emit", str(tmp_path / "r1.jsonl")]) == 0
    a, b = _requests(tmp_path / "r1.jsonl")
    failed = {"id": "x", "custom_id": a["custom_id"], "response": None,
              "error": {"code": "server_error", "message": "the engine fell over"}}
    good = _openai_line(b["custom_id"], "m", as_json(good_briefing()))
    (tmp_path / "res1.jsonl").write_text(json.dumps(failed) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    assert cli.run([*base, "--collect", str(tmp_path / "res1.jsonl"), "--emit", str(tmp_path / "r2.jsonl")]) == 13
    lines = [json.loads(raw) for raw in (out / "batch.jsonl").read_text(encoding="utf-8").splitlines()]
    failed_line = next(line for line in lines if line["status"] == "failed")
    assert failed_line["name"] == "a" and "the engine fell over" in failed_line["reason"]
    assert all(_is_judge(r["body"]) for r in _requests(tmp_path / "r2.jsonl"))  # b goes on to its check
    # A later round asks again for what failed.
    assert cli.run([*base, "--emit", str(tmp_path / "r3.jsonl")]) == 0
    assert a["custom_id"] in {r["custom_id"] for r in _requests(tmp_path / "r3.jsonl")}


def test_an_engine_needs_a_model_name_and_a_results_file_must_be_readable(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, ["a"])
    emit = ["--emit", str(tmp_path / "r.jsonl")]
    assert cli.run(["batch", str(folder), "-o", str(tmp_path / "out"), *emit]) == 4  # a configuration error
    assert "--emit and --collect need --model" in capsys.readouterr().err
    (tmp_path / "bad.jsonl").write_text("not json\n", encoding="utf-8")
    assert cli.run(["batch", str(folder), "-o", str(tmp_path / "out"), "--model", "m", "--collect",
                    str(tmp_path / "bad.jsonl")]) == 3
    assert "bad.jsonl, line 1: not JSON" in capsys.readouterr().err


def test_the_judge_label_is_an_object_for_openai_strict_schemas() -> None:
    from briefing import support

    request = ChatRequest([{"role": "user", "content": "x"}], support.SCHEMA, max_tokens=2)
    body = request_body("m", request, "json_schema", object_root=True)
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["type"] == "object" and schema["properties"]["verdict"] == support.SCHEMA
    assert body["max_tokens"] >= 16  # {"verdict":"not_supported"} whole
    assert support.read('{"verdict":"not_supported"}') == "not_supported"
    assert request_body("m", request, "json_object_schema", object_root=True)["response_format"]["schema"] == \
        support.SCHEMA


class FakeOpenAI:
    """OpenAI's files and batches endpoints as documented, answering each request line with
    `answer`; a batch is in progress on the first look and completed on the next."""

    def __init__(self, answer: Answerer):
        self.answer = answer
        self.files: dict[str, str] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.looks: dict[str, int] = {}
        self.lock = threading.Lock()
        self.fail = False  # OpenAI fails every batch as a whole

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path == "/v1/files":
                    head = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode()
                    message = email.parser.BytesParser().parsebytes(head + raw)
                    parts = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                             for p in message.get_payload()}
                    assert parts["purpose"] == b"batch"
                    with fake.lock:
                        file_id = f"file-{len(fake.files) + 1}"
                        fake.files[file_id] = parts["file"].decode("utf-8")
                    self._json({"id": file_id, "object": "file", "bytes": len(parts["file"]), "created_at": 0,
                                "filename": "requests.jsonl", "purpose": "batch", "status": "processed"})
                elif self.path == "/v1/batches":
                    body = json.loads(raw)
                    assert body["endpoint"] == "/v1/chat/completions" and body["completion_window"] == "24h"
                    lines = fake.files[body["input_file_id"]].splitlines()
                    batch_id = f"batch_{len(fake.batches) + 1}"
                    fake.batches[batch_id] = {"id": batch_id, "object": "batch", "endpoint": body["endpoint"],
                                              "input_file_id": body["input_file_id"], "completion_window": "24h",
                                              "status": "validating", "created_at": 0,
                                              "request_counts": {"total": len(lines), "completed": 0, "failed": 0}}
                    self._json(fake.batches[batch_id])
                else:
                    self._json({"error": {"message": "no such route"}}, 404)

            def do_GET(self) -> None:  # noqa: N802
                parts = self.path.strip("/").split("/")
                if parts[:2] == ["v1", "batches"]:
                    batch = fake.batches[parts[2]]
                    fake.looks[parts[2]] = fake.looks.get(parts[2], 0) + 1
                    if fake.looks[parts[2]] == 1:
                        batch["status"] = "in_progress"
                    elif fake.fail:
                        error = {"code": "invalid_json_schema", "line": 1,
                                 "message": "Invalid schema for response_format"}
                        batch.update(status="failed", errors={"object": "list", "data": [error]})
                    elif batch["status"] != "completed":
                        lines = [json.loads(x) for x in fake.files[batch["input_file_id"]].splitlines()]
                        out = [_openai_line(x["custom_id"], x["body"]["model"], fake.answer(x)) for x in lines]
                        file_id = f"file-out-{parts[2]}"
                        fake.files[file_id] = "".join(json.dumps(o) + "\n" for o in out)
                        batch.update(status="completed", output_file_id=file_id,
                                     request_counts={"total": len(lines), "completed": len(lines), "failed": 0})
                    self._json(batch)
                elif parts[:2] == ["v1", "files"] and parts[-1] == "content":
                    data = fake.files[parts[2]].encode("utf-8")
                    self.send_response(200)
                    self.send_header("content-type", "application/octet-stream")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self._json({"error": {"message": "no such route"}}, 404)

            def _json(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def test_openai_batch_uploads_waits_and_collects_round_after_round(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from stub_server import serve

    folder = _folder(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    fake = FakeOpenAI(_engine(first="{}"))
    with serve(fake.handler()) as base:
        code = cli.run(["batch", str(folder), "-o", str(out), "-f", "json", "--openai-batch", "--poll", "0",
                        "--api-key", "sk-test", "--base-url", f"{base}/v1"])
    assert code == 0
    err = capsys.readouterr().err
    assert "batch_1: 2 requests sent" in err and "batch_1: in_progress" in err and "answers collected" in err
    # The briefings; then the repair of one and the checks of the other (the same claims as the
    # repaired one's: asked once, answered for both).
    assert len(fake.batches) == 2
    for name in ("a", "b"):
        assert cli.run(["verify", str(out / f"{name}.json"), str(folder / f"{name}.txt")]) == 0
    assert not (out / rounds.STATE).exists()
    first = [json.loads(x) for x in fake.files["file-1"].splitlines()]
    assert first[0]["body"]["model"] == "gpt-4o-mini"


def test_an_interrupted_openai_batch_waits_for_the_batch_in_flight(tmp_path: Path) -> None:
    from stub_server import serve

    folder = _folder(tmp_path, ["a"])
    out = tmp_path / "out"
    fake = FakeOpenAI(_engine())
    args = ["batch", str(folder), "-o", str(out), "-f", "json"]
    with serve(fake.handler()) as base:
        # A batch sent by a run that was stopped: the state file names it; the rerun sends nothing anew.
        from briefing import batch as batches
        from briefing.settings import GenerateOptions

        engine = rounds.EngineBackend(model="gpt-4o-mini", round=rounds.new_round(out), strict=True,
                                      context_window=128_000)
        batches.brief_many(batches.items_from([str(folder)]), engine, GenerateOptions(), out, ["json"])
        data = "".join(json.dumps(line) + "\n" for line in engine.round.requests()).encode("utf-8")
        import openai

        client = openai.OpenAI(api_key="sk", base_url=f"{base}/v1")
        upload = client.files.create(file=("r.jsonl", data), purpose="batch")
        batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/chat/completions",
                                      completion_window="24h")
        (out / rounds.STATE).write_text(json.dumps({"batch": batch.id}), encoding="utf-8")
        assert cli.run([*args, "--openai-batch", "--poll", "0", "--api-key", "sk", "--base-url", f"{base}/v1"]) == 0
    assert fake.looks[batch.id] >= 2 and len(fake.batches) == 2  # the one in flight, then the checks
    assert (out / "a.json").is_file()


def test_a_real_servers_answers_round_after_round_brief_and_verify(tmp_path: Path) -> None:
    """tests/data/batch/results-N.jsonl: what a llama-cpp-python server on 127.0.0.1 answered to
    each round's requests (scripts/record_batch_fixture.sh, never written by hand). Replayed, each
    round must ask exactly what was answered; the support judge's calls come in a later round than
    the briefings'; the briefings verify against their sources. (A repair across rounds, which a
    recording holds only when the model's first answer fails, is
    test_rounds_run_until_every_item_is_done_with_a_repair_in_the_second.)"""
    recorded = sorted(FIXTURE.glob("results-*.jsonl"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(recorded) >= 2
    out = tmp_path / "out"
    base = ["batch", str(FIXTURE / "items.jsonl"), "-o", str(out), "-f", "json", "--model",
            "qwen2.5-coder-1.5b-instruct", "--structured-output", "json_object_schema", "--length", "short"]
    asked: list[list[dict[str, Any]]] = []
    for n, results in enumerate([None, *recorded]):
        emit = tmp_path / f"requests-{n + 1}.jsonl"
        collect = ["--collect", str(results)] if results else []
        assert cli.run([*base, *collect, "--emit", str(emit)]) == 0
        if n == len(recorded):
            assert not emit.exists()  # every item briefed
            break
        asked.append(_requests(emit))
        answered = {json.loads(raw)["custom_id"] for raw in recorded[n].read_text(encoding="utf-8").splitlines()}
        assert {r["custom_id"] for r in asked[-1]} == answered, f"round {n + 1} asks other requests"
    judged = [r for r in asked[1] if r["body"]["messages"][0]["content"] == support.SYSTEM]
    assert judged and not any(r["body"]["messages"][0]["content"] == support.SYSTEM for r in asked[0])
    for line in asked[0]:
        response_format = line["body"]["response_format"]
        assert response_format["type"] == "json_object" and "schema" in response_format
    done = {(json.loads(raw)["name"], json.loads(raw)["status"])
            for raw in (out / "batch.jsonl").read_text(encoding="utf-8").splitlines()}
    assert {("sample", "ok"), ("reuters", "ok")} <= done and not any(status == "failed" for _, status in done)
    assert cli.run(["verify", str(out / "sample.json"), str(SEED)]) == 0
    assert cli.run(["verify", str(out / "reuters.json"), str(ROOT / "tests/data/corpus/reuters.com1.html")]) == 0


def test_a_batch_writes_only_into_its_output_folder_and_the_cache(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the rounds: the briefings, batch.jsonl and the answers in the output folder, the
    request file where --emit names it, and nothing else (the working folder stays empty)."""
    folder = _folder(tmp_path, ["a"], broken=True)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    before = set(tmp_path.rglob("*"))
    out, emitted = tmp_path / "out", tmp_path / "r.jsonl"
    answer = _engine()
    base = ["batch", str(folder), "-o", str(out), "-f", "json", "--model", "m"]
    cli.run([*base, "--emit", str(emitted)])
    for n in range(4):
        _run_round(emitted, tmp_path / f"res{n}.jsonl", answer)
        emitted.unlink()
        cli.run([*base, "--collect", str(tmp_path / f"res{n}.jsonl"), "--emit", str(emitted)])
        if not emitted.exists():
            break
    made = {p for p in tmp_path.rglob("*") if p not in before and p.is_file()}
    made -= {p for p in made if p.name.startswith("res")}  # the test's own results files
    assert {p.relative_to(tmp_path).as_posix() for p in made} == {
        "out/a.json", "out/batch.jsonl", "out/batch-answers.jsonl"}
    assert not any(work.iterdir()) and not (tmp_path / "home").exists()


def test_the_parts_of_a_long_document_are_asked_in_one_round_then_the_briefing(tmp_path: Path) -> None:
    from test_stages import OPTIONS, WINDOW, _final

    from briefing import batch
    from briefing.ingest import load_sources
    from briefing.pipeline import plan_stages

    engine = rounds.EngineBackend(model="m", round=rounds.new_round(tmp_path / "out"), context_window=WINDOW)
    plan = plan_stages(load_sources([SEED]), engine, OPTIONS)
    items = batch.items_from([str(SEED)])

    def answer(line: dict[str, Any]) -> str:
        schema = line["body"]["response_format"]["json_schema"]["schema"]
        if "points" in schema["properties"]:
            ids = schema["properties"]["points"]["items"]["properties"]["citations"]["items"]["enum"]
            return json.dumps({"points": [{"point": f"Point from {ids[0]}.", "citations": [ids[0]]},
                                          {"point": f"Point from {ids[1]}.", "citations": [ids[1]]}]})
        if "verdict" in schema.get("properties", {}):
            return json.dumps({"verdict": "supported"})
        return _final([p.sentences[0].id for p in plan.parts])

    asked = []
    for _ in range(5):
        [outcome] = batch.brief_many(items, engine, OPTIONS, tmp_path / "out", ["json"])
        lines = engine.round.requests()
        if not lines:
            break
        asked.append(lines)
        engine.round.collect([json.dumps(_openai_line(x["custom_id"], "m", answer(x))) for x in lines])
    kinds = [sorted({next(iter(x["body"]["response_format"]["json_schema"]["schema"]["properties"])) for x in r})
             for r in asked]
    assert len(asked[0]) == len(plan.parts) >= 2 and kinds[0] == ["points"]  # every part at once
    assert kinds[1] != ["points"] and outcome.status == "ok"
    assert cli.run(["verify", str(tmp_path / "out" / f"{SEED.stem}.json"), str(SEED)]) == 0


def test_a_batch_openai_fails_as_a_whole_stops_with_its_reason_and_is_not_waited_for_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from stub_server import serve

    folder = _folder(tmp_path, ["a"])
    out = tmp_path / "out"
    fake = FakeOpenAI(_engine())
    fake.fail = True
    args = ["batch", str(folder), "-o", str(out), "--openai-batch", "--poll", "0", "--api-key", "sk"]
    with serve(fake.handler()) as base:
        assert cli.run([*args, "--base-url", f"{base}/v1"]) == 5
        assert "OpenAI failed the batch batch_1: Invalid schema for response_format" in capsys.readouterr().err
        assert not (out / rounds.STATE).exists()
        fake.fail = False
        assert cli.run([*args, "--base-url", f"{base}/v1"]) == 0  # sent again, as a new batch
    assert sorted(fake.batches) == ["batch_1", "batch_2", "batch_3"]


def test_results_of_another_command_are_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, ["a"])
    out = tmp_path / "out"
    assert cli.run(["batch", str(folder), "-o", str(out), "--model", "m", "--emit", str(tmp_path / "r1.jsonl")]) == 0
    _run_round(tmp_path / "r1.jsonl", tmp_path / "res1.jsonl", _engine())
    capsys.readouterr()
    # The same results, collected by a command that names another model: its requests differ.
    assert cli.run(["batch", str(folder), "-o", str(out), "--model", "other", "--collect",
                    str(tmp_path / "res1.jsonl")]) == 0
    assert "none of the collected answers answers a request of these items" in capsys.readouterr().err
    assert cli.run(["batch", str(folder), "-o", str(out), "--model", "m", "--collect",
                    str(tmp_path / "res1.jsonl")]) == 0
    assert "none of the collected answers" not in capsys.readouterr().err


def test_openai_gets_its_strict_schema_form_and_the_answer_still_validates() -> None:
    from briefing.backends.openai_compat import strict_form
    from briefing.request_schema import json_schema
    from briefing.schema import Briefing

    def objects(node: Any) -> list[dict[str, Any]]:
        found = []
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                found.append(node)
            for value in node.values():
                found += objects(value)
        elif isinstance(node, list):
            for value in node:
                found += objects(value)
        return found

    schema = strict_form(json_schema(["1.1", "1.2", "1.3", "1.6", "1.7", "1.8", "1.12", "1.17", "1.20"]))
    assert all(set(o["required"]) == set(o["properties"]) for o in objects(schema))
    assert "minLength" not in json.dumps(schema) and "maxLength" not in json.dumps(schema)
    assert schema["$defs"]["Actor"]["properties"]["interests"]["anyOf"][-1] == {"type": "null"}
    answer = good_briefing()
    answer["actors"][0]["interests"] = None  # what a strict answer gives for an optional field
    assert Briefing.model_validate(answer).actors[0].interests is None
    request = ChatRequest([{"role": "user", "content": "x"}], json_schema(["1.1"]))
    assert request_body("gpt-4o-mini", request, "json_schema", strict=True)["response_format"]["json_schema"][
        "schema"] == strict_form(json_schema(["1.1"]))
    assert "minLength" in json.dumps(request_body("m", request, "json_schema", object_root=True))  # vLLM: as is
