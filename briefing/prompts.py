"""Prompt templates: a sandboxed Jinja2 environment, the user's folder first, then the packaged one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    import jinja2

    from .sources import Source

SYSTEM = "system.j2"
REQUEST = "request.j2"
REPAIR = "repair.j2"
REPORT = "report.md.j2"


def packaged_dir() -> Path:
    """The folder holding the default templates shipped with the package."""
    return Path(str(resources.files("briefing.prompt_files")))


@dataclass
class PromptSet:
    """Templates found in `user_dir` (if any) before the packaged defaults."""

    user_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.user_dir is not None and not self.user_dir.is_dir():
            raise ConfigError(f"--prompts {self.user_dir}: no such folder")
        self._env = _environment(self.search_path())
        self.hashes: dict[str, str] = {}

    def add_filters(self, **filters: Any) -> None:
        """Make functions available to templates as `{{ value | name }}`."""
        self._env.filters.update(filters)

    def search_path(self) -> list[Path]:
        """Folders searched for a template, first match wins."""
        return [p for p in (self.user_dir, packaged_dir()) if p is not None]

    def render(self, name: str, **variables: Any) -> str:
        """Render one template; records the sha256 of the template text actually used.

        Raises:
            ConfigError: the template is missing, has a syntax error or uses an undefined variable.
        """
        import jinja2

        try:
            template = self._env.get_template(name)
            text = template.render(**variables)
        except jinja2.TemplateSyntaxError as e:
            raise ConfigError(f"template {e.filename or name}, line {e.lineno}: {e.message}") from e
        except jinja2.TemplateNotFound as e:
            raise ConfigError(f"template {name} not found in {self._where()}") from e
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as e:
            raise ConfigError(f"template {template.filename or name}: {e}") from e
        self.hashes[name] = _sha256_file(template.filename)
        return text

    def _where(self) -> str:
        return ", ".join(str(p) for p in self.search_path())


def _sha256_file(filename: str | None) -> str:
    return hashlib.sha256(Path(filename).read_bytes()).hexdigest() if filename else ""


def _environment(search_path: list[Path]) -> jinja2.Environment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([str(p) for p in search_path]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def delimiter(sources: list[Source]) -> str:
    """A fence around source text that no source can contain: derived from the texts' own hash.

    A document cannot contain its own hash, so the fence is unguessable, yet the same sources
    always give the same fence (byte-stable requests for recorded tests).
    """
    digest = hashlib.sha256("\x00".join(s.text for s in sources).encode()).hexdigest()
    for start in range(0, len(digest) - 16, 4):
        fence = f"SOURCE-{digest[start:start + 16].upper()}"
        if not any(fence in s.text for s in sources):
            return fence
    raise ConfigError("could not find a delimiter absent from the sources")  # unreachable in practice
