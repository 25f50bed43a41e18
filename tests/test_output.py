"""Output files: atomic, never replaced without --force, untouched by an interrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.output import write_atomic

from helpers import SEED
from stub_server import Script, completion, stub_server


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "brief.md"
    target.write_text("old")

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]


def test_sigterm_during_a_run_exits_143_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    target.write_text("my earlier briefing")
    slow = Script([completion("{}")])
    slow.replies[0].delay = 30
    with stub_server(slow) as url:
        proc = subprocess.Popen(
            [sys.executable, "-m", "briefing", "generate", str(SEED), "--base-url", url, "--model", "m",
             "--structured-output", "json_object_schema", "-o", str(target), "--force", "-q"],
            stderr=subprocess.PIPE, text=True, cwd=tmp_path, env={**os.environ, "BRIEFING_STATE_DIR": str(tmp_path)})
        deadline = time.monotonic() + 20
        while not slow.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 143
    assert err.strip() == "briefing: error: terminated; nothing was written"
    assert target.read_text() == "my earlier briefing"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md"]
