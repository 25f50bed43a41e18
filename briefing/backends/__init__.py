"""Model backends, and the one place that decides which runs.

`openai_compat` talks to any OpenAI-compatible server; `local` runs a GGUF model in process with
llama-cpp-python (its weights from `model_store`); `doctor` reports what a backend supports.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..record import Usage
from ..settings import BackendSettings
from .base import Backend, ChatRequest, ChatResult, Message, Outgoing, ProgressCallback, StructuredMode

__all__ = ["Backend", "BackendSettings", "ChatRequest", "ChatResult", "Message", "Outgoing", "ProgressCallback",
           "StructuredMode", "Usage", "make_backend", "make_judge"]

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# The local model's context when the user names none.
LOCAL_CONTEXT = 8192


def make_backend(settings: BackendSettings) -> Backend:
    """Build the backend the settings ask for; nothing is loaded or contacted yet.

    Order: --model-path (a GGUF in process); --hf-model (a hub GGUF, in process); --base-url (any
    OpenAI-compatible server); an API key (OpenAI); a remote --model without either is an error;
    else the embedded model.

    Raises:
        ConfigError: the settings name a server without enough to reach it.
    """
    if settings.model_path is not None:
        return _local(settings, settings.model_path, None)
    if settings.hf_model:
        from .model_store import from_hub

        return _local(settings, from_hub(settings.hf_model), settings.hf_model.rsplit("/", 1)[-1])
    if settings.base_url or settings.api_key:
        return _server(settings)
    if settings.model:
        raise ConfigError(
            f"model {settings.model!r} needs a server: set OPENAI_API_KEY (OpenAI) or --base-url / "
            "OPENAI_BASE_URL (any OpenAI-compatible server), or leave out --model for the embedded model"
        )
    from .model_store import DEFAULT_MODEL, ensure_model

    name = settings.local_model or DEFAULT_MODEL
    return _local(settings, ensure_model(name), name)


def make_judge(settings: BackendSettings) -> Backend | None:
    """The backend that judges support when the settings name one (`--judge-model`,
    `--judge-base-url`); None: the briefing's own backend judges.

    Raises:
        ConfigError: a judge model named with no server to run it on.
    """
    if not (settings.judge_model or settings.judge_base_url):
        return None
    from dataclasses import replace

    base_url = settings.judge_base_url or settings.base_url
    if not (base_url or settings.api_key):
        raise ConfigError("--judge-model names a model on a server: give --judge-base-url, --base-url or "
                          "OPENAI_API_KEY")
    return _server(replace(settings, base_url=base_url, model=settings.judge_model or settings.model))


def _local(settings: BackendSettings, path: Path, name: str | None) -> Backend:
    from .local import LocalBackend

    return LocalBackend(path, model_name=name, n_ctx=settings.context_window or LOCAL_CONTEXT)


def _server(settings: BackendSettings) -> Backend:
    from ..paths import state_dir
    from .openai_compat import ModeMemory, OpenAICompatBackend

    if settings.base_url and not settings.model:
        raise ConfigError(f"name the model to use on {settings.base_url} with --model or BRIEFING_MODEL")
    return OpenAICompatBackend(
        model=settings.model or DEFAULT_OPENAI_MODEL,
        base_url=settings.base_url,
        api_key=settings.api_key,
        mode=None if settings.structured_output == "auto" else settings.structured_output,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        context_window=settings.context_window,
        memory=ModeMemory(state_dir() / "servers.json"),
    )
