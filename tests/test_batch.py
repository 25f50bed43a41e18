"""`briefing batch`: many items into one folder on one backend; one failure is one failed item;
an interrupted batch resumes without redoing what it finished."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from briefing import batch, cli
from briefing.backends import Backend, BackendSettings, ChatRequest, ChatResult
from briefing.settings import GenerateOptions

from helpers import SEED, FakeBackend, as_json, good_briefing


def _folder(tmp_path: Path, names: list[str]) -> Path:
    """A folder of copies of the sample article, and one file that cannot be read (binary)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names:
        shutil.copy(SEED, folder / f"{name}.txt")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 200)
    return folder


class Counting:
    """Builds the fake backend and counts how often it is built (the model is loaded once)."""

    def __init__(self, backend: Backend):
        self.backend, self.built = backend, 0

    def __call__(self, settings: BackendSettings) -> Backend:
        self.built += 1
        return self.backend


def _lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "batch.jsonl").read_text(encoding="utf-8").splitlines()]


def test_one_unreadable_item_fails_alone_and_the_model_is_built_once(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, ["a", "b"])
    fake = FakeBackend(as_json(good_briefing()), as_json(good_briefing()))
    counting = Counting(fake)
    out = tmp_path / "out"
    code = cli.run(["batch", str(folder), "-o", str(out), "-f", "json", "-f", "markdown"],
                   cli.Seams(make_backend=counting))
    assert code == 13
    lines = {line["name"]: line for line in _lines(out)}
    assert [lines[n]["status"] for n in ("a", "b", "broken")] == ["ok", "ok", "failed"]
    assert lines["broken"]["code"] == 3 and "binary" in lines["broken"]["reason"]
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.md", "b.json", "b.md", "batch.jsonl"]
    assert lines["a"]["outputs"] == [str(out / "a.json"), str(out / "a.md")]
    assert lines["a"]["calls"] >= 2 and lines["a"]["prompt_tokens"] > 0 and lines["a"]["support_rate"] == 1.0
    assert counting.built == 1  # the judge is the same backend; one model for the whole batch
    err = capsys.readouterr().err
    assert "[3/3] broken: failed" in err and "2 ok, 1 failed, 0 cached" in err
    assert "1 of 3 items failed" in err


class Interrupting(FakeBackend):
    """Answers like FakeBackend until the briefing call number `stop`, which Ctrl-C interrupts."""

    def __init__(self, *outputs: str, stop: int):
        super().__init__(*outputs)
        self.stop, self.briefings = stop, 0

    def chat(self, request: ChatRequest, progress: Any = None) -> ChatResult:
        from briefing import support

        if request.json_schema != support.SCHEMA:
            self.briefings += 1
            if self.briefings == self.stop:
                raise KeyboardInterrupt
        return super().chat(request, progress)


def test_an_interrupted_batch_resumes_without_redoing_the_finished_items(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["a", "b", "c", "d"])
    (folder / "broken.txt").unlink()
    out = tmp_path / "out"
    first = Interrupting(*[as_json(good_briefing())] * 4, stop=3)
    assert cli.run(["batch", str(folder), "-o", str(out)], cli.Seams(make_backend=lambda s: first)) == 130
    assert [(line["name"], line["status"]) for line in _lines(out)] == [("a", "ok"), ("b", "ok")]
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "b.md", "batch.jsonl"]  # nothing half-written
    before = (out / "a.md").stat().st_mtime_ns
    second = FakeBackend(*[as_json(good_briefing())] * 2)
    assert cli.run(["batch", str(folder), "-o", str(out)], cli.Seams(make_backend=lambda s: second)) == 0
    assert [(line["name"], line["status"]) for line in _lines(out)][2:] == [
        ("a", "cached"), ("b", "cached"), ("c", "ok"), ("d", "ok")]
    assert len(second.requests) == 2 and (out / "a.md").stat().st_mtime_ns == before
    # --force briefs everything again.
    third = FakeBackend(*[as_json(good_briefing())] * 4)
    assert cli.run(["batch", str(folder), "-o", str(out), "--force"], cli.Seams(make_backend=lambda s: third)) == 0
    assert len(third.requests) == 4


def test_a_manifest_gives_each_item_its_sources_name_and_options(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "seed.txt")
    manifest = tmp_path / "items.jsonl"
    manifest.write_text(json.dumps({"sources": ["seed.txt"], "name": "ukraine", "focus": "What will NATO do?",
                                    "length": "standard"}) + "\n\n"
                        + json.dumps({"sources": "seed.txt"}) + "\n", encoding="utf-8")
    items = batch.items_from([str(manifest)])
    assert [(i.name, i.sources, i.options) for i in items] == [
        ("ukraine", (str(tmp_path / "seed.txt"),), {"focus": "What will NATO do?", "length": "standard"}),
        ("seed", (str(tmp_path / "seed.txt"),), {})]
    fake = FakeBackend(as_json(good_briefing()), as_json(good_briefing()))
    outcomes = batch.brief_many(items, fake, GenerateOptions(), tmp_path / "out")
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert "What will NATO do?" in fake.requests[0].messages[-1]["content"]
    assert outcomes[0].key != outcomes[1].key  # the focus and length change the answer: another key
    with pytest.raises(batch.InputError, match="line 1: unknown field"):
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"sources": ["seed.txt"], "fokus": "x"}\n', encoding="utf-8")
        batch.items_from([str(bad)])


def test_items_from_folders_globs_and_paths_get_unique_names(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    for folder in ("x", "y"):
        (tmp_path / folder / "story.txt").write_text("Text.", encoding="utf-8")
    items = batch.items_from([str(tmp_path / "x"), str(tmp_path / "y" / "*.txt"), "https://example.org/news/a"])
    assert [i.name for i in items] == ["story", "story-2", "a"]
    with pytest.raises(batch.InputError, match="matches no file"):
        batch.items_from([str(tmp_path / "*.pdf")])


def test_items_in_flight_against_a_server_survive_429s_and_a_slow_item(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import threading
    import time

    from briefing import support

    from stub_server import Reply, Script, completion, stub_server

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):  # the sample, each copy with a last line of its own (the ids before it are the same)
        text = SEED.read_text(encoding="utf-8") + f"\nItem {n} closes here{' SLOW' if n == 2 else ''}.\n"
        (folder / f"item{n}.txt").write_text(text, encoding="utf-8")
    lock, seen, finished_at = threading.Lock(), {"requests": 0, "most": 0, "now": 0}, {}

    def route(body: dict[str, Any]) -> Reply:
        with lock:
            seen["requests"] += 1
            count = seen["requests"]
        schema = body.get("response_format", {}).get("json_schema", {}).get("schema")
        if count in (2, 5):  # busy: come back in a moment
            return Reply(429, {"error": {"message": "rate limited"}}, {"retry-after": "0"})
        if schema == support.SCHEMA:
            return completion('"supported"')
        slow = "SLOW" in json.dumps(body)
        with lock:
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])
        time.sleep(3.0 if slow else 0.2)  # far apart: a loaded machine still finishes others first
        with lock:
            seen["now"] -= 1
            finished_at["SLOW" if slow else len(finished_at)] = time.monotonic()
        return completion(as_json(good_briefing()))

    script = Script([], route=route)
    out = tmp_path / "out"
    with stub_server(script) as url:
        code = cli.run(["batch", str(folder), "-o", str(out), "-f", "json", "--base-url", url, "--model", "stub",
                        "--structured-output", "json_schema", "--concurrency", "4"])
    assert code == 0
    lines = _lines(out)
    assert sorted(line["name"] for line in lines) == [f"item{n}" for n in range(6)]
    assert {line["status"] for line in lines} == {"ok"}
    for n in range(6):
        document = json.loads((out / f"item{n}.json").read_text(encoding="utf-8"))
        assert document["briefing"]["title"] == good_briefing()["title"]
        assert document["sources"][0]["origin"].endswith(f"item{n}.txt")
    assert seen["most"] > 1  # items were in flight together
    assert sum(t < finished_at["SLOW"] for k, t in finished_at.items() if k != "SLOW") >= 2  # the slow one held none up
    err = capsys.readouterr().err
    assert "6 ok, 0 failed, 0 cached" in err and "2 answers retried (429 or 5xx)" in err


def test_the_summary_counts_the_answers_retried() -> None:
    outcomes = [batch.Outcome("a", "ok", prompt_tokens=10, completion_tokens=5, calls=2, seconds=1.0)]
    assert "1 ok, 0 failed, 0 cached; 15 tokens; 1.0 s of item time; 2 answers retried (429 or 5xx)" in \
        batch.summary(outcomes, retries=2)


def test_a_rerun_asking_for_another_format_renders_it_from_the_saved_json(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["a"])
    (folder / "broken.txt").unlink()
    fake = FakeBackend(as_json(good_briefing()))
    out = tmp_path / "out"
    assert cli.run(["batch", str(folder), "-o", str(out), "-f", "json"], cli.Seams(make_backend=lambda s: fake)) == 0
    calls = len(fake.requests)
    assert cli.run(["batch", str(folder), "-o", str(out), "-f", "json", "-f", "html"],
                   cli.Seams(make_backend=lambda s: fake)) == 0
    assert len(fake.requests) == calls and (out / "a.html").is_file()  # rendered, not briefed again
    last = _lines(out)[-1]
    assert last["status"] == "cached" and last["outputs"] == [str(out / "a.json"), str(out / "a.html")]


def test_a_batch_writing_into_its_input_folder_does_not_brief_its_own_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["a"])
    (folder / "broken.txt").unlink()
    fake = FakeBackend(as_json(good_briefing()))
    seams = cli.Seams(make_backend=lambda s: fake)
    assert cli.run(["batch", str(folder), "-o", str(folder)], seams) == 0
    calls = len(fake.requests)
    assert cli.run(["batch", str(folder), "-o", str(folder)], seams) == 0  # a.md and batch.jsonl are not items
    assert len(fake.requests) == calls and [line["status"] for line in _lines(folder)] == ["ok", "cached"]
    assert [i.name for i in batch.items_from([str(folder / "*")], folder)] == ["a"]


def test_a_file_added_beside_another_of_the_same_stem_takes_no_name_of_another_item(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("Text.", encoding="utf-8")
    assert [i.name for i in batch.items_from([str(tmp_path)])] == ["x"]
    (tmp_path / "x.html").write_text("<p>Text.</p>", encoding="utf-8")
    # Numbered in order, x.html would have become "x" and written over x.txt's briefing.
    assert [i.name for i in batch.items_from([str(tmp_path)])] == ["x.html", "x.txt"]


def test_a_line_cut_by_a_crash_does_not_swallow_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "batch.jsonl").write_text('{"name": "a", "status": "ok", "ke', encoding="utf-8")
    batch._record(out, batch.Outcome("b", "ok", key="k"))
    assert batch.finished(out)["b"].key == "k"


def test_progress_is_a_line_per_item_in_logs_and_a_status_line_below_them_on_a_terminal() -> None:
    import io

    from briefing.progress import BatchProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    log, tty = io.StringIO(), Terminal()
    for stream in (log, tty):
        shown = BatchProgress(stream)
        shown.item("a", "ok", 100.0, "out/a.md", 1, 3)
        shown.item("b", "failed", 0.1, "b.bin: binary", 2, 3)
        shown.item("c", "ok", 80.0, "out/c.md", 3, 3)
    assert log.getvalue().splitlines() == [
        "briefing: [1/3] a: ok (100.0 s) out/a.md; about 3 min left",
        "briefing: [2/3] b: failed (0.1 s) b.bin: binary; about 2 min left",
        "briefing: [3/3] c: ok (80.0 s) out/c.md"]
    screen = tty.getvalue()
    assert "\rbriefing: [2/3] b" not in screen and "\r\x1b[Kbriefing: [2/3] b: failed" in screen
    assert "briefing: 2 of 3 items done (1 ok, 1 failed); about 2 min left" in screen
    assert screen.endswith("briefing: [3/3] c: ok (80.0 s) out/c.md\n")  # the status line gone at the end
