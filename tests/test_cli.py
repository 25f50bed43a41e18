"""The CLI end to end with a fake backend: bad input, outputs, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import cli
from briefing.backends import DEFAULT_OPENAI_MODEL, BackendSettings, make_backend

from conftest import CliRun
from helpers import SEED, FakeBackend


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--help"]) == 0
    out = capsys.readouterr().out
    assert "generate" in out and "render" in out


def test_help_names_arguments_and_pairs_as_a_user_writes_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["generate", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: briefing generate [OPTIONS] SOURCE..." in out and "--var KEY=VALUE" in out
    assert "list[str]" not in out and "{" not in out
    assert cli.run(["verify", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: briefing verify [OPTIONS] BRIEF.json SOURCE..." in out and "list[str]" not in out


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: _write(d / "empty.txt", ""), "empty"),
    (lambda d: _write(d / "blank.txt", "  \n\t \n"), "empty"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_3(run_cli_no_model: CliRun, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str], make, message: str) -> None:  # type: ignore[no-untyped-def]
    code = run_cli_no_model(["generate", str(make(tmp_path))])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_generate_prints_markdown(run_cli: CliRun, backend: FakeBackend, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["generate", str(SEED), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Blinken courts Europe") and "## Evidence" in out


def test_the_backend_s_connections_are_closed_when_the_command_ends(run_cli: CliRun, backend: FakeBackend) -> None:
    assert not backend.closed
    assert run_cli(["generate", str(SEED), "-q"]) == 0
    assert backend.closed


def test_an_openai_compatible_backend_closes_its_http_client() -> None:
    from briefing.backends.openai_compat import OpenAICompatBackend

    backend = OpenAICompatBackend(model="m", base_url="http://127.0.0.1:9/v1")
    backend.close()
    assert backend._client.is_closed


def test_progress_goes_to_stderr_not_stdout(run_cli: CliRun, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["generate", str(SEED)]) == 0
    captured = capsys.readouterr()
    assert "fake-model" in captured.err and "42 tokens" in captured.err
    assert "42 tokens" not in captured.out


def test_json_output_then_render_gives_the_same_markdown(run_cli: CliRun, backend: FakeBackend, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    brief_json, brief_md = tmp_path / "brief.json", tmp_path / "brief.md"
    assert run_cli(["generate", str(SEED), "-q", "--format", "json", "-o", str(brief_json)]) == 0
    document = json.loads(brief_json.read_text())
    assert document["run"]["backend"] == "fake" and document["sources"][0]["sentences"] == 27
    assert run_cli(["render", str(brief_json), "-o", str(brief_md)]) == 0
    assert run_cli(["render", str(brief_json)]) == 0
    assert capsys.readouterr().out == brief_md.read_text()


def test_existing_output_is_kept_without_force(run_cli: CliRun, backend: FakeBackend, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "brief.md"
    target.write_text("my notes")
    assert run_cli(["generate", str(SEED), "-q", "-o", str(target)]) == 9
    assert target.read_text() == "my notes"
    assert backend.requests == []  # refused before any model call
    assert run_cli(["generate", str(SEED), "-q", "-o", str(target), "--force"]) == 0
    assert target.read_text().startswith("# Blinken")
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]  # no temp files left


def test_validation_failure_exits_8_and_names_the_saved_output(backend: FakeBackend, run_cli: CliRun,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    backend.outputs[:] = ["{}", "[]"]
    assert run_cli(["generate", str(SEED), "-q"]) == 8
    err = capsys.readouterr().err
    saved = Path(err.split("raw output saved to ")[1].strip())
    assert saved.read_text() == "[]"


def test_remote_model_without_a_server_is_a_configuration_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["generate", str(SEED), "--model", "gpt-4o-mini"]) == 4
    err = capsys.readouterr().err
    assert "OPENAI_API_KEY" in err and "--base-url" in err


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_model = _write(tmp_path / "model.gguf", "not a model")
    assert cli.run(["generate", str(SEED), "-q", "--model-path", str(fake_model)]) == 4
    assert "not a GGUF" in capsys.readouterr().err


def test_render_of_a_missing_file_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["render", "nope.json"]) == 3
    assert "no such file" in capsys.readouterr().err


def test_settings_pick_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.backends.openai_compat import OpenAICompatBackend

    server = make_backend(BackendSettings(base_url="http://127.0.0.1:9/v1", model="qwen"))
    assert isinstance(server, OpenAICompatBackend) and server.base_url == "http://127.0.0.1:9/v1"
    openai = make_backend(BackendSettings(api_key="sk-test"))
    assert isinstance(openai, OpenAICompatBackend) and openai.model == DEFAULT_OPENAI_MODEL
    with pytest.raises(Exception, match="--model"):
        make_backend(BackendSettings(base_url="http://127.0.0.1:9/v1"))


def test_dry_run_prints_the_messages_and_budget_and_calls_no_model(run_cli: CliRun, backend: FakeBackend,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["generate", str(SEED), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("=== system ===\n") and "=== user ===\n" in out
    assert "[1.3] Following Trump’s election victory on Nov. 5" in out
    assert "of 8,192-token context window: fits" in out.split("=== budget ===")[1]
    assert backend.requests == []


def test_sources_too_large_even_for_staged_reading_are_refused_before_any_call(
        run_cli: CliRun, backend: FakeBackend, capsys: pytest.CaptureFixture[str]) -> None:
    backend.context_window = 1000  # too small for a paragraph and the notes it would give
    assert run_cli(["generate", str(SEED), "-q"]) == 10
    err = capsys.readouterr().err
    assert "more than a 1,000-token window can read with room for notes" in err
    assert backend.requests == []


def test_standard_input_is_read_with_a_dash(run_cli: CliRun, backend: FakeBackend, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes())))
    assert run_cli(["generate", "-", "-q", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"][0]["origin"] == "stdin"


def test_an_unfetchable_url_exits_11(run_cli_no_model: CliRun, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert run_cli_no_model(["generate", f"http://127.0.0.1:{port}/a"]) == 11
    assert capsys.readouterr().err.startswith(f"briefing: error: http://127.0.0.1:{port}/a: cannot fetch")


def test_dry_run_in_plain_json_mode_shows_the_schema_the_backend_will_add(
        backend: FakeBackend, run_cli: CliRun, capsys: pytest.CaptureFixture[str]) -> None:
    backend.mode = "json_object"
    assert run_cli(["generate", str(SEED), "--dry-run"]) == 0
    assert "Reply with one JSON object that matches this JSON schema:" in capsys.readouterr().out


def test_schema_prints_the_json_schema_of_what_format_json_writes(run_cli: CliRun, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    saved = tmp_path / "brief.json"
    assert run_cli(["generate", str(SEED), "-q", "--format", "json", "-o", str(saved)]) == 0
    document = json.loads(saved.read_text())
    assert list(schema["properties"]) == list(document) and set(schema["required"]) == set(document)
    assert schema["additionalProperties"] is False
    source = schema["$defs"]["SourceEntry"]
    assert set(source["properties"]) == set(document["sources"][0])


def test_doctor_describes_the_backend(run_cli: CliRun, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "backend: fake" in out and "context window: 8,192 tokens" in out and "canned outputs" in out


def test_doctor_fails_through_the_backend_error_after_its_lines(backend: FakeBackend, run_cli: CliRun,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from collections.abc import Iterator

    from briefing.errors import BackendError

    def broken() -> Iterator[str]:
        yield "server: http://127.0.0.1:9/v1"
        raise BackendError("no structured-output mode works on the server at http://127.0.0.1:9/v1")

    monkeypatch.setattr(backend, "describe", broken)
    assert run_cli(["doctor"]) == 5
    captured = capsys.readouterr()
    assert "server: http://127.0.0.1:9/v1" in captured.out
    assert captured.err.startswith("briefing: error: no structured-output mode works")


def test_every_declared_setting_is_an_option_of_generate_and_shown_by_config(
        capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from briefing import settings

    command = typer.main.get_command(cli.app).commands["generate"]  # type: ignore[attr-defined]
    options = {opt for param in command.params for opt in param.opts}
    for name in settings.names():
        flag = settings.field_info(name).metadata["flag"] or name
        assert f"--{flag.replace('_', '-')}" in options, name
    assert cli.run(["config"]) == 0
    shown = [line.split(" = ")[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert shown == settings.names()


def test_an_option_below_its_declared_bound_is_a_usage_error(run_cli_no_model: CliRun,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli_no_model(["generate", str(SEED), "--max-tokens", "10"]) == 2
    assert run_cli_no_model(["generate", str(SEED), "--timeout", "0"]) == 4  # open bound: refused by validation
    assert "timeout" in capsys.readouterr().err


def test_dry_run_shows_the_schema_a_remembered_plain_json_server_gets(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://127.0.0.1:9/v1"
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    (state / "servers.json").write_text(json.dumps({f"{url} qwen": "json_object"}))
    assert cli.run(["generate", str(SEED), "--dry-run", "--base-url", url, "--model", "qwen"]) == 0
    out = capsys.readouterr().out
    assert out.count("Reply with one JSON object that matches this JSON schema:") == 1
    tokens = int(out.split("=== budget ===\nprompt ")[1].split(" tokens")[0].replace(",", ""))
    assert tokens > 3000  # the schema's enum of sentence ids and names is counted
