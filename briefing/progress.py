"""Progress on stderr while a model works: a spinner with a token count, or plain lines in logs."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    """Context manager; call it with the output-token count as tokens arrive."""

    def __init__(self, label: str, stream: TextIO | None = None, interval: float = 0.1):
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if self.tty else 15.0
        self.tokens = 0
        self.checked: tuple[int, int] | None = None
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __call__(self, tokens: int | None) -> None:
        if tokens is not None:
            self.tokens = tokens

    def checking(self, done: int, total: int) -> None:
        """The support check has judged `done` of `total` items (`pipeline.generate` calls it)."""
        self.checked = (done, total)

    def line(self) -> str:
        elapsed = time.monotonic() - self._start
        doing = f"writing, {self.tokens} tokens" if self.tokens else "reading the sources"
        if self.checked:
            doing = f"checking support, {self.checked[0]} of {self.checked[1]} items"
        return f"{self.label}: {doing} ({elapsed:.0f} s)"

    def _run(self) -> None:
        frame = 0
        while not self._stop.wait(self.interval):
            if self.tty:
                self.stream.write(f"\r\x1b[2K{_FRAMES[frame % len(_FRAMES)]} {self.line()}")
                frame += 1
            else:
                self.stream.write(self.line() + "\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        if not self.tty:
            self.stream.write(f"{self.label}: started\n")
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        end = "\r\x1b[2K" if self.tty else ""
        self.checked = None
        self.stream.write(f"{end}{self.line().replace('reading the sources', 'done')}\n")
        self.stream.flush()


class BatchProgress:
    """A batch's progress: a line per finished item and, on a terminal, a status line kept below
    them (items done, ok, failed, cached, and the time left at the pace of the items briefed so far)."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.counts = {"ok": 0, "failed": 0, "cached": 0, "waiting": 0}
        self.briefed: list[float] = []  # seconds of each item briefed: the pace of what is left

    def item(self, name: str, status: str, seconds: float, what: str, done: int, total: int) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        if status == "ok":
            self.briefed.append(seconds)
        left = sum(self.briefed) / len(self.briefed) * (total - done) if self.briefed and done < total else 0
        eta = (f"about {left / 60:.0f} min left" if left >= 90 else f"about {left:.0f} s left") if left else ""
        line = f"briefing: [{done}/{total}] {name}: {status} ({seconds:.1f} s) {what}"
        if not self.tty:
            self.stream.write(line + (f"; {eta}" if eta else "") + "\n")
            return
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        status_line = f"briefing: {done} of {total} items done ({counts})" + (f"; {eta}" if eta else "")
        self.stream.write(f"\r\x1b[K{line}\n{status_line if done < total else ''}")
        self.stream.flush()
