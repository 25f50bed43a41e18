"""`briefing doctor`: what the configured backend is and what it supports."""

from __future__ import annotations

from collections.abc import Iterator

from .base import Backend


def diagnose(backend: Backend) -> Iterator[str]:
    """Lines describing the backend, as they are found.

    Raises:
        BackendError: after the lines, when the backend cannot serve briefings.
    """
    window = f"{backend.context_window:,} tokens" if backend.context_window else "unknown (set --context-window)"
    yield from (f"backend: {backend.name}", f"model: {backend.model}", f"context window: {window}")
    yield from backend.describe()
