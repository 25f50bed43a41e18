"""briefing: evidence-cited policy briefings from source documents.

The library API; everything the CLI does is available here. Heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "generate": "pipeline",
    "BriefingRun": "pipeline",
    "GenerateOptions": "pipeline",
    "Briefing": "schema",
    "load_sources": "sources",
    "load_source": "sources",
    "Source": "sources",
    "render_markdown": "render",
    "render_json": "render",
    "load_briefing_json": "render",
    "make_backend": "config",
    "BackendSettings": "config",
    "BriefingError": "errors",
}

if TYPE_CHECKING:
    from .config import BackendSettings, make_backend
    from .errors import BriefingError
    from .pipeline import BriefingRun, GenerateOptions, generate
    from .render import load_briefing_json, render_json, render_markdown
    from .schema import Briefing
    from .sources import Source, load_source, load_sources

__all__ = [
    "BackendSettings",
    "Briefing",
    "BriefingError",
    "BriefingRun",
    "GenerateOptions",
    "Source",
    "generate",
    "load_briefing_json",
    "load_source",
    "load_sources",
    "make_backend",
    "render_json",
    "render_markdown",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'briefing' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
