"""briefing: evidence-cited policy briefings from source documents.

The library API; everything the CLI does is available here. Heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "generate": "pipeline",
    "BriefingRun": "pipeline",
    "GenerateOptions": "settings",
    "SourceLimits": "settings",
    "BackendSettings": "settings",
    "Briefing": "schema",
    "BriefingDocument": "document",
    "load_sources": "ingest",
    "load_source": "ingest",
    "Source": "sources",
    "render_markdown": "render",
    "render_html": "render",
    "make_backend": "backends",
    "BriefingError": "errors",
}

if TYPE_CHECKING:
    from .backends import make_backend
    from .document import BriefingDocument
    from .errors import BriefingError
    from .ingest import load_source, load_sources
    from .pipeline import BriefingRun, generate
    from .render import render_html, render_markdown
    from .schema import Briefing
    from .settings import BackendSettings, GenerateOptions, SourceLimits
    from .sources import Source

__all__ = [
    "BackendSettings",
    "Briefing",
    "BriefingDocument",
    "BriefingError",
    "BriefingRun",
    "GenerateOptions",
    "Source",
    "SourceLimits",
    "generate",
    "load_source",
    "load_sources",
    "make_backend",
    "render_html",
    "render_markdown",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'briefing' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
