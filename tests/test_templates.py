"""Customising prompts and reports: template folders, variables, config files, lint, HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import cli
from briefing.errors import ConfigError
from briefing.templates import PromptSet, lint, packaged_dir

from conftest import CliRun
from helpers import SEED, FakeBackend, as_json, good_briefing


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(as_json(good_briefing()), as_json(good_briefing()))


def test_prompts_list_says_where_each_template_comes_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "system.j2").write_text("Brief the {{ audience }} desk.")
    assert cli.run(["prompts", "list", "--prompts", str(mine)]) == 0
    out = capsys.readouterr().out
    assert f"from {mine / 'system.j2'}" in out and f"from {packaged_dir() / 'request.j2'}" in out
    assert "the numbered sources and what to write" in out


def test_prompts_show_prints_the_effective_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["prompts", "show", "repair.j2"]) == 0
    assert capsys.readouterr().out == (packaged_dir() / "repair.j2").read_text()
    assert cli.run(["prompts", "show", "nope.j2"]) == 4


def test_prompts_init_copies_once_and_keeps_edits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["prompts", "init"]) == 0  # into the user config folder (a temp dir in tests)
    folder = tmp_path / "config" / "prompts"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in packaged_dir().glob("*.j2"))
    (folder / "system.j2").write_text("my edit")
    capsys.readouterr()
    assert cli.run(["prompts", "init"]) == 0
    out = capsys.readouterr().out
    assert "system.j2: kept (edited; --force replaces it)" in out and "request.j2: unchanged" in out
    assert (folder / "system.j2").read_text() == "my edit"
    assert cli.run(["prompts", "init", "--force"]) == 0
    assert (folder / "system.j2").read_text() == (packaged_dir() / "system.j2").read_text()


def test_user_config_folder_templates_are_used_and_the_rest_inherited(run_cli: CliRun, tmp_path: Path,
                                                                     backend: FakeBackend) -> None:
    folder = tmp_path / "config" / "prompts"
    folder.mkdir(parents=True)
    (folder / "system.j2").write_text("You brief the {{ vars.desk }} desk in {{ language }}. Reply in JSON.")
    assert run_cli(["generate", str(SEED), "-q", "--var", "desk=Baltic", "--language", "German"]) == 0
    system, user = backend.requests[0].messages
    assert system["content"] == "You brief the Baltic desk in German. Reply in JSON."
    assert "[1.1] Blinken travels" in user["content"]


def test_template_errors_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "system.j2").write_text("Line one\n{{ nonsense }}\n")
    with pytest.raises(ConfigError, match=r"system.j2, line 2: 'nonsense' is undefined"):
        PromptSet(tmp_path).render("system.j2")
    (tmp_path / "repair.j2").write_text("{% for x in %}")
    with pytest.raises(ConfigError, match=r"repair.j2, line 1: "):
        PromptSet(tmp_path).render("repair.j2")


def test_templates_cannot_reach_python_internals(tmp_path: Path) -> None:
    (tmp_path / "system.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ConfigError, match="unsafe|access to attribute"):
        PromptSet(tmp_path).render("system.j2")


def test_source_text_that_looks_like_a_template_passes_through(run_cli: CliRun, tmp_path: Path, backend: FakeBackend,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    tricky = "The memo said {{ secret }} and {% include '/etc/passwd' %} and {# hidden #} and $HOME stay."
    article.write_text(tricky + " Nothing else.")
    assert run_cli(["generate", str(article), "-q", "--dry-run"]) == 0
    assert f"[1.1] {tricky}\n" in capsys.readouterr().out


def test_lint_accepts_the_defaults_and_catches_broken_templates(tmp_path: Path) -> None:
    assert lint(packaged_dir()) == []
    (tmp_path / "request.j2").write_text("Summarise {{ sources | length }} sources for {{ reader }}.")
    (tmp_path / "summary.j2").write_text("x")
    problems = lint(tmp_path)
    assert any("summary.j2: briefing uses no template of this name" in p for p in problems)
    assert any("unknown variable(s) reader" in p for p in problems)
    (tmp_path / "summary.j2").unlink()
    (tmp_path / "request.j2").write_text("Summarise {{ sources | length }} sources. Give a title.")
    problems = lint(tmp_path)
    assert any("does not show the numbered sentences" in p for p in problems)
    assert any("never asks for bottom_line, context" in p for p in problems)


def test_prompts_lint_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["prompts", "lint", str(packaged_dir())]) == 0
    (tmp_path / "system.j2").write_text("{{ oops")
    assert cli.run(["prompts", "lint", str(tmp_path)]) == 4
    assert "system.j2, line 1" in capsys.readouterr().err


def test_render_with_the_users_report_template_and_as_html(run_cli: CliRun, tmp_path: Path, backend: FakeBackend,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "b.json"
    assert run_cli(["generate", str(SEED), "-q", "-f", "json", "-o", str(saved)]) == 0
    mine = tmp_path / "desk.md.j2"
    mine.write_text("DESK NOTE: {{ briefing.title | md }}\n{% for a in briefing.actors %}* {{ a.name | md }}\n"
                    "{% endfor %}")
    capsys.readouterr()
    assert run_cli(["render", str(saved), "--template", str(mine)]) == 0
    assert capsys.readouterr().out.startswith("DESK NOTE: Blinken courts Europe on Ukraine before Trump returns\n"
                                              "* Donald Trump\n* Ukraine\n")  # the names the sources write most
    document = json.loads(saved.read_text())
    document["briefing"]["title"] = "<img src=x onerror=alert(1)> https://evil.example"
    saved.write_text(json.dumps(document))
    assert run_cli(["render", str(saved), "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "<img" not in page and "&lt;img src=x" in page
    assert "href=" not in page.split("<h2>Evidence</h2>")[0]
