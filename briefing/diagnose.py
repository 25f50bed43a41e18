"""`briefing doctor`: what the configured backend is and what it supports."""

from __future__ import annotations

from .backends.base import Backend


def diagnose(backend: Backend) -> tuple[list[str], bool]:
    """Lines describing the backend, and whether it can serve briefings."""
    from .backends.local import LocalBackend
    from .backends.openai_compat import OpenAICompatBackend

    window = f"{backend.context_window:,} tokens" if backend.context_window else "unknown (set --context-window)"
    lines = [f"backend: {backend.name}", f"model: {backend.model}", f"context window: {window}"]
    if isinstance(backend, LocalBackend):
        import llama_cpp

        size = backend.model_path.stat().st_size
        lines += [f"model file: {backend.model_path} ({size:,} bytes, GGUF)",
                  f"llama-cpp-python: {llama_cpp.__version__}", "structured output: grammar from the JSON schema"]
        return lines, True
    if isinstance(backend, OpenAICompatBackend):
        lines.append(f"server: {backend.base_url}")
        found = backend.probe()
        lines += [f"structured output {mode}: {verdict}" for mode, verdict in found.items()]
        usable = [mode for mode, verdict in found.items() if verdict == "accepted"]
        lines.append(f"briefing will use: {usable[0]}" if usable else "no structured-output mode works on this server")
        return lines, bool(usable)
    return lines, True
