"""Every setting resolved in one place, in a fixed order: flag, environment, project
`briefing.toml`, user `briefing.toml`, default; each value remembers where it came from."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError
from .paths import config_dir

CONFIG_NAME = "briefing.toml"


class ConfigFile(BaseModel):
    """What a briefing.toml may set; anything else is a mistake worth reporting."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None
    local_model: str | None = None
    model_path: Path | None = None
    hf_model: str | None = None
    structured_output: Literal["auto", "json_schema", "json_object_schema", "json_object"] | None = None
    timeout: float | None = Field(default=None, gt=0)
    max_retries: int | None = Field(default=None, ge=0)
    context_window: int | None = Field(default=None, ge=512)
    prompts: Path | None = None
    audience: str | None = None
    focus: str | None = None
    language: str | None = None
    length: Literal["short", "standard", "long"] | None = None
    max_tokens: int | None = Field(default=None, ge=256)
    max_bytes: int | None = Field(default=None, ge=1)
    max_sources: int | None = Field(default=None, ge=1)
    fetch_timeout: float | None = Field(default=None, gt=0)
    vars: dict[str, str] | None = None


DEFAULTS: dict[str, Any] = {
    "model": None, "base_url": None, "api_key": None, "local_model": None, "model_path": None, "hf_model": None,
    "structured_output": "auto", "timeout": 600.0, "max_retries": 2, "context_window": None,
    "prompts": None, "audience": None, "focus": None, "language": "English", "length": None,
    "max_tokens": 2048, "max_bytes": 2_000_000, "max_sources": 20, "fetch_timeout": 20.0, "vars": {},
}
ENV = {"model": "BRIEFING_MODEL", "base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY",
       "local_model": "BRIEFING_LOCAL_MODEL", "prompts": "BRIEFING_PROMPTS"}
_PATHS = ("model_path", "prompts")


@dataclass(frozen=True)
class Resolved:
    value: Any
    origin: str


def config_files(project_dir: Path | None = None) -> list[Path]:
    """The config files that exist, strongest first: the project folder's, then the user's."""
    candidates = [(project_dir or Path.cwd()) / CONFIG_NAME, config_dir() / CONFIG_NAME]
    return [p for p in dict.fromkeys(c.resolve() for c in candidates) if p.is_file()]


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        parsed = ConfigFile.model_validate(raw)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    except ValidationError as e:
        err = e.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from e
    values = parsed.model_dump(exclude_none=True)
    for key in _PATHS:  # relative paths in a config file mean: next to that file
        if key in values and not values[key].is_absolute():
            values[key] = path.parent / values[key]
    return values


def resolve(flags: dict[str, Any], project_dir: Path | None = None) -> dict[str, Resolved]:
    """Each setting's value and origin. `flags` holds the CLI's values, None where not given.

    Raises:
        ConfigError: a config file is not valid TOML or sets an unknown or invalid key.
    """
    files = [(path, _load(path)) for path in config_files(project_dir)]
    resolved = {name: _one(name, flags.get(name), files, default) for name, default in DEFAULTS.items()}
    resolved["vars"] = _merged_vars(flags.get("vars") or {}, files)
    return resolved


def _merged_vars(flag: dict[str, str], files: list[tuple[Path, dict[str, Any]]]) -> Resolved:
    """Template variables add up: the user's file, then the project's, then --var pairs."""
    merged: dict[str, str] = {}
    origins = []
    for path, values in reversed(files):
        if values.get("vars"):
            merged.update(values["vars"])
            origins.append(str(path))
    if flag:
        merged.update(flag)
        origins.append("--var")
    return Resolved(merged, " + ".join(origins) or "default")


def _one(name: str, flag: Any, files: list[tuple[Path, dict[str, Any]]], default: Any) -> Resolved:
    if flag is not None and flag != {}:
        return Resolved(flag, f"--{name.replace('_', '-')}")
    env = ENV.get(name)
    if env and os.environ.get(env):
        value: Any = os.environ[env]
        return Resolved(Path(value) if name in _PATHS else value, f"${env}")
    for path, values in files:
        if name in values:
            return Resolved(values[name], str(path))
    return Resolved(default, "default")


def describe(resolved: dict[str, Resolved]) -> list[str]:
    """`name = value  (origin)` lines for `briefing config`; the API key is never shown."""
    lines = []
    for name, item in resolved.items():
        value = "(set)" if name == "api_key" and item.value else item.value
        lines.append(f"{name} = {value!r}  ({item.origin})")
    return lines
