"""One place that decides which backend runs, from flags and environment (resolved by the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .backends.base import Backend, StructuredMode
from .errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class BackendSettings:
    """Where the model runs. Empty fields mean: use the embedded local model."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    model_path: Path | None = None
    hf_model: str | None = None  # OWNER/REPO/FILE.gguf on the Hugging Face hub
    local_model: str | None = None
    structured_output: StructuredMode | None = None
    timeout: float = 600.0
    max_retries: int = 2
    context_window: int | None = None

    @property
    def n_ctx(self) -> int:
        """The local model's context size: what the user named, else 8192."""
        return self.context_window or 8192


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


def _local(settings: BackendSettings, path: Path, name: str | None) -> Backend:
    from .backends.local import LocalBackend

    return LocalBackend(path, model_name=name, n_ctx=settings.n_ctx)


def _server(settings: BackendSettings) -> Backend:
    from .backends.openai_compat import ModeMemory, OpenAICompatBackend
    from .paths import state_dir

    if settings.base_url and not settings.model:
        raise ConfigError(f"name the model to use on {settings.base_url} with --model or BRIEFING_MODEL")
    return OpenAICompatBackend(
        model=settings.model or DEFAULT_OPENAI_MODEL,
        base_url=settings.base_url,
        api_key=settings.api_key,
        mode=settings.structured_output,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        context_window=settings.context_window,
        memory=ModeMemory(state_dir() / "servers.json"),
    )
