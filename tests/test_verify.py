"""Saved briefings re-checked against their sources; links only where a source writes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import cli

from conftest import CliRun
from helpers import SEED


@pytest.fixture
def saved(tmp_path: Path, run_cli: CliRun) -> Path:
    path = tmp_path / "brief.json"
    assert run_cli(["generate", str(SEED), "-q", "--format", "json", "-o", str(path)]) == 0
    return path


def test_verify_passes_for_an_untouched_briefing(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["verify", str(saved), str(SEED)]) == 0
    assert "every citation, quote and source hash matches" in capsys.readouterr().out


def test_verify_lists_every_problem(saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(saved.read_text())
    document["quotes"]["1.2"] = "Blinken resigned."
    document["briefing"]["actors"][1]["citations"] = ["1.99"]
    document["quotes"]["1.99"] = "invented"
    saved.write_text(json.dumps(document))
    edited = tmp_path / "edited.txt"
    edited.write_text(SEED.read_text(encoding="utf-8").replace("Nov. 5", "Nov. 6"), encoding="utf-8")
    assert cli.run(["verify", str(saved), str(edited)]) == 12
    err = capsys.readouterr().err
    assert "citation 1.2: the quoted text differs from the source" in err
    assert "citation 1.99: no such sentence" in err
    assert "sha256 differs" in err and "citation 1.3: the quoted text differs" in err


def test_verify_refuses_a_document_that_is_not_a_briefing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"schema_version": 1}')
    assert cli.run(["verify", str(path), str(SEED)]) == 3


def test_verify_reports_a_citation_changed_to_an_id_the_sources_lack(
        saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An edited id with no quote is a citation that does not match (12), not an unreadable file (3)."""
    document = json.loads(saved.read_text())
    document["briefing"]["actors"][0]["citations"] = ["1.999"]
    saved.write_text(json.dumps(document))
    assert cli.run(["verify", str(saved), str(SEED)]) == 12
    err = capsys.readouterr().err
    assert "citation 1.999: no such sentence in the sources given" in err


def test_render_refuses_a_citation_without_its_quote(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(saved.read_text())
    document["briefing"]["actors"][0]["citations"] = ["1.999"]
    saved.write_text(json.dumps(document))
    assert cli.run(["render", str(saved)]) == 3
    assert "no quoted sentence for citation 1.999" in capsys.readouterr().err
