from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefing import cli
from briefing.backends import Backend, BackendSettings

from helpers import FakeBackend, as_json, good_briefing

SERVER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_MODEL", "BRIEFING_LOCAL_MODEL", "BRIEFING_DEBUG",
              "BRIEFING_PROMPTS")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No developer's keys or servers leak into a test; raw outputs land in a temp folder."""
    for name in SERVER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFING_STATE_DIR", str(tmp_path / "state"))  # no remembered server modes
    monkeypatch.setenv("BRIEFING_CONFIG_DIR", str(tmp_path / "config"))  # no user briefing.toml or templates
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def backend() -> FakeBackend:
    """A fake backend that answers with a valid briefing of the sample article (once)."""
    return FakeBackend(as_json(good_briefing()))


CliRun = Callable[[list[str]], int]


@pytest.fixture
def run_cli(backend: FakeBackend) -> CliRun:
    """`briefing ARGS` in process, with `backend` in place of the one the settings would build."""
    def make(settings: BackendSettings) -> Backend:
        return backend
    return lambda args: cli.run(args, cli.Seams(make_backend=make))


@pytest.fixture
def run_cli_no_model() -> CliRun:
    """`briefing ARGS` in process; building any backend fails the test (bad input is refused first)."""
    def refuse(settings: BackendSettings) -> Backend:
        raise AssertionError("a backend was built for bad input")
    return lambda args: cli.run(args, cli.Seams(make_backend=refuse))
