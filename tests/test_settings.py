"""Settings: flag, environment, project and user briefing.toml, default; each value's origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import cli
from briefing.actors import find
from briefing.ingest import load_sources
from briefing.request_schema import LENGTHS

from conftest import CliRun
from helpers import SEED, FakeBackend


def test_flag_beats_project_config_beats_user_config(run_cli: CliRun, tmp_path: Path, backend: FakeBackend,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "briefing.toml").write_text('audience = "user desk"\nlanguage = "French"\n'
                                                       '[vars]\nregion = "Europe"\n')
    (tmp_path / "briefing.toml").write_text('audience = "project desk"\nlength = "long"\n')
    assert run_cli(["config"]) == 0
    out = capsys.readouterr().out
    assert f"audience = 'project desk'  ({(tmp_path / 'briefing.toml').resolve()})" in out
    assert "language = 'French'" in out and "vars = {'region': 'Europe'}" in out
    assert "timeout = 600.0  (default)" in out
    assert run_cli(["generate", str(SEED), "-q", "--audience", "flag desk"]) == 0
    system = backend.requests[0].messages[0]["content"]
    assert "for flag desk" in system and "Write in French" in system
    schema = backend.requests[0].json_schema  # length = long: every list at the schema's most
    assert schema["properties"]["risks"]["maxItems"] == LENGTHS["long"].risks > LENGTHS["short"].risks
    enum = schema["$defs"]["Position"]["properties"]["actor"]["enum"]
    assert len(enum) > LENGTHS["short"].named_actors and set(enum) <= {c.name for c in find(load_sources([SEED]))}


def test_a_bad_config_file_names_the_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "briefing.toml").write_text('audiance = "typo"\n')
    assert cli.run(["config"]) == 4
    err = capsys.readouterr().err
    assert "briefing.toml: audiance: Extra inputs are not permitted" in err


def test_the_api_key_is_never_shown(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123456")
    assert cli.run(["config"]) == 0
    out = capsys.readouterr().out
    assert "sk-secret" not in out and "api_key = '(set)'  ($OPENAI_API_KEY)" in out
