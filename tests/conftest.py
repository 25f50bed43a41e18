from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
