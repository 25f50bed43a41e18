"""Where briefing keeps files between runs (XDG locations, each overridable)."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path:
    return Path(os.environ.get(variable) or Path.home() / fallback) / "briefing"


def cache_dir() -> Path:
    """Large files that can be rebuilt (the assembled model): $BRIEFING_CACHE_DIR or ~/.cache/briefing."""
    explicit = os.environ.get("BRIEFING_CACHE_DIR")
    return Path(explicit) if explicit else _xdg("XDG_CACHE_HOME", ".cache")


def state_dir() -> Path:
    """Facts learnt in earlier runs (what each server supports): $BRIEFING_STATE_DIR or ~/.local/state/briefing."""
    explicit = os.environ.get("BRIEFING_STATE_DIR")
    return Path(explicit) if explicit else _xdg("XDG_STATE_HOME", ".local/state")


def config_dir() -> Path:
    """The user's settings and templates: $BRIEFING_CONFIG_DIR or ~/.config/briefing."""
    explicit = os.environ.get("BRIEFING_CONFIG_DIR")
    return Path(explicit) if explicit else _xdg("XDG_CONFIG_HOME", ".config")
