"""Every setting, declared once: name, type, default, bounds, environment variable and help.

The three option objects the library takes (`BackendSettings`, `SourceLimits`, `GenerateOptions`)
are these declarations; `Settings` holds one of each, and from it come the CLI's options,
`briefing.toml` validation and `briefing config`. Values are resolved in a fixed order: flag,
environment, project `briefing.toml`, user `briefing.toml`, default, and each remembers where it
came from.

The declarations are stdlib dataclasses, not pydantic models, so that building the CLI imports
nothing heavy (pydantic alone takes 0.2 s, more than all of `briefing --help`): a setting's
bounds are in its metadata, and a pydantic model built from the declarations on first use
validates every value that comes from a file, a flag or the environment.
"""

import dataclasses
import functools
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from .errors import ConfigError
from .paths import config_dir

if TYPE_CHECKING:
    from pydantic import BaseModel

CONFIG_NAME = "briefing.toml"

StructuredOutput = Literal["auto", "json_schema", "json_object_schema", "json_object"]
LengthName = Literal["short", "standard", "long"]


def setting(default: Any, help: str, *, ge: float | None = None, gt: float | None = None, env: str | None = None,
            flag: str | None = None, secret: bool = False, default_help: str | None = None) -> Any:
    """Declare a user setting: a dataclass field whose metadata says how users set it.

    Args:
        default: the value when nothing sets it (None: "decided later", e.g. by the backend).
        help: one line for `--help`; the default and the environment variable are appended.
        ge, gt: the lower bound, inclusive or exclusive.
        env: the environment variable that sets it.
        flag: the CLI option, when not `--name-with-dashes` (a dict setting takes KEY=VALUE pairs).
        secret: never shown by `briefing config`.
        default_help: how `--help` describes the default, when the value alone would not say it.
    """
    meta = {"setting": True, "help": help, "ge": ge, "gt": gt, "env": env, "flag": flag, "secret": secret,
            "default_help": default_help}
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class BackendSettings:
    """Where the model runs. Empty fields mean: use the embedded local model."""

    model: str | None = setting(None, "Model name on the server.", env="BRIEFING_MODEL")
    base_url: str | None = setting(
        None, "An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.", env="OPENAI_BASE_URL")
    api_key: str | None = setting(None, "API key for the server.", env="OPENAI_API_KEY", secret=True)
    model_path: Path | None = setting(None, "Run this GGUF file in process instead of the packaged model.")
    hf_model: str | None = setting(
        None, "Run OWNER/REPO/FILE.gguf from the Hugging Face hub in process (needs internet).")
    local_model: str | None = setting(None, "Which packaged model to run.", env="BRIEFING_LOCAL_MODEL")
    structured_output: StructuredOutput = setting("auto", "How the JSON schema is sent to a server.")
    timeout: float = setting(600.0, "Seconds to wait for a server's answer.", gt=0)
    max_retries: int = setting(2, "Retries of a failed request, honouring Retry-After.", ge=0)
    context_window: int | None = setting(
        None, "The model's context window in tokens.", ge=512, default_help="local 8192; OpenAI 128k")
    judge_model: str | None = setting(
        None, "Judge support with this model on the server (default: the model that wrote the briefing).",
        env="BRIEFING_JUDGE_MODEL")
    judge_base_url: str | None = setting(
        None, "The OpenAI-compatible server of --judge-model (default: --base-url).", env="BRIEFING_JUDGE_BASE_URL")


@dataclass(frozen=True)
class SourceLimits:
    """What `load_sources` accepts."""

    max_bytes: int = setting(2_000_000, "Largest source accepted, in bytes.", ge=1)
    max_sources: int = setting(20, "Most sources in one briefing.", ge=1)
    fetch_timeout: float = setting(20.0, "Seconds to wait for a URL.", gt=0)
    max_redirects: int = 5


@dataclass(frozen=True)
class GenerateOptions:
    """What shapes the request and the report."""

    prompts: Path | None = setting(
        None, "Folder of templates used before the user's and the packaged ones.", env="BRIEFING_PROMPTS")
    audience: str | None = setting(None, "Who the briefing is for.")
    focus: str | None = setting(None, "A question the briefing must answer.")
    language: str = setting("English", "Language to write in; quoted source sentences stay as written.")
    length: LengthName | None = setting(
        None, "How many actors, positions, risks… to ask for.",
        default_help="the backend's: short locally, else standard")
    vars: dict[str, str] = setting({}, "KEY=VALUE made available to templates as vars.KEY.", flag="var")
    max_tokens: int = setting(2048, "Output token limit per model call.", ge=256)
    concurrency: int = setting(4, "Calls in flight at once against a server: the parts of a long document, "
                               "the items of a batch.", ge=1)
    # The model, left to choose, named 9 of 44 key actors of the development articles
    # (bench/quality.py); the names the sources write most, ranked by mentions and speech, named 30
    # (README, Benchmarks).
    named_actors: bool = setting(
        True, "The actors are the names the sources write most (found by spaCy), each with the sentences "
        "naming it and the role the sources give it, if any; off: the model chooses, names and describes them.")
    # Sentences that try to instruct AI models (`Sentence.ai_directed`) are replaced by a note in
    # the prompt (they stay in the source and can still be cited and quoted); True shows them to
    # the model as text (`--show-ai-directed`).
    show_ai_directed: bool = False
    # Each model-written item judged against the sentences it cites (`support`); what fails is
    # repaired once, and dropped or replaced when still contradicted. Off, the title, bottom line
    # and context are still judged (a defence against instructions hidden in sources).
    support_check: bool = setting(
        True, "Judge every item against the sentences it cites; repair what they do not state, drop what they "
        "contradict. Off: only the title, bottom line and context, which are judged always.")
    temperature: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class Settings:
    """Every setting of every command, by the part of the library that takes it; what
    `briefing.toml` may set and `briefing config` shows."""

    backend: BackendSettings = field(default_factory=BackendSettings)
    generate: GenerateOptions = field(default_factory=GenerateOptions)
    sources: SourceLimits = field(default_factory=SourceLimits)

    def value(self, name: str) -> Any:
        """One setting's value by name (for listings; code reads the typed attributes)."""
        return getattr(getattr(self, _part_of()[name]), name)


def names() -> list[str]:
    """Every user setting, in the order `briefing config` shows them."""
    return list(_part_of())


def _parts() -> dict[str, Any]:
    """The fields of `Settings` and the option class each holds."""
    return {part.name: part.type for part in dataclasses.fields(Settings)}


@functools.cache
def _part_of() -> dict[str, str]:
    """Each setting's name and the `Settings` field of the part that holds it."""
    return {f.name: part for part, kind in _parts().items() for f in dataclasses.fields(kind)
            if f.metadata.get("setting")}


def field_info(name: str) -> "dataclasses.Field[Any]":
    """The declaration of one setting."""
    return next(f for f in dataclasses.fields(_parts()[_part_of()[name]]) if f.name == name)


def hint(name: str) -> Any:
    """The setting's type, Optional stripped."""
    kind = field_info(name).type
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    return kind


@dataclass(frozen=True)
class Resolved:
    """The effective settings and, for each, where its value came from."""

    settings: Settings
    origins: dict[str, str]

    def describe(self) -> list[str]:
        """`name = value  (origin)` lines for `briefing config`; secrets are never shown."""
        lines = []
        for name in names():
            value = self.settings.value(name)
            shown = "(set)" if field_info(name).metadata["secret"] and value else value
            lines.append(f"{name} = {shown!r}  ({self.origins[name]})")
        return lines


def config_files(project_dir: Path | None = None) -> list[Path]:
    """The config files that exist, strongest first: the project folder's, then the user's."""
    candidates = [(project_dir or Path.cwd()) / CONFIG_NAME, config_dir() / CONFIG_NAME]
    return [p for p in dict.fromkeys(c.resolve() for c in candidates) if p.is_file()]


def resolve(flags: dict[str, Any] | None = None, project_dir: Path | None = None) -> Resolved:
    """Each setting's value and origin. `flags` holds the CLI's values, None where not given.

    Raises:
        ConfigError: a config file is not valid TOML or sets an unknown or invalid key, or an
            environment variable holds an invalid value.
    """
    flags = flags or {}
    files = [(path, _load(path)) for path in config_files(project_dir)]
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name in names():
        if name == "vars":
            values[name], origins[name] = _merged_vars(flags.get(name) or {}, files)
            continue
        found = _one(name, flags.get(name), files)
        if found is not None:
            values[name], origins[name] = found
        else:
            origins[name] = "default"
    return Resolved(_validated(values, "the settings"), origins)


def _one(name: str, flag: Any, files: list[tuple[Path, dict[str, Any]]]) -> tuple[Any, str] | None:
    if flag is not None:
        return flag, f"--{name.replace('_', '-')}"
    env = field_info(name).metadata["env"]
    if env and os.environ.get(env):
        return os.environ[env], f"${env}"
    for path, values in files:
        if name in values:
            return values[name], str(path)
    return None


def _merged_vars(flag: dict[str, str], files: list[tuple[Path, dict[str, Any]]]) -> tuple[dict[str, str], str]:
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
    return merged, " + ".join(origins) or "default"


def _load(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    parsed = _validated(raw, str(path))
    values = {key: parsed.value(key) for key in raw}
    for key, value in values.items():  # relative paths in a config file mean: next to that file
        if isinstance(value, Path) and not value.is_absolute():
            values[key] = path.parent / value
    return values


def _validated(values: dict[str, Any], where: str) -> Settings:
    from pydantic import ValidationError

    try:
        checked = _model().model_validate(values)
    except ValidationError as e:
        err = e.errors()[0]
        raise ConfigError(f"{where}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from e
    parts = {part: kind(**{f.name: getattr(checked, f.name) for f in dataclasses.fields(kind)
                           if f.metadata.get("setting")})
             for part, kind in _parts().items()}
    return Settings(**parts)


@functools.cache
def _model() -> "type[BaseModel]":
    """A pydantic model of the user settings, with their bounds; unknown names are refused."""
    from pydantic import ConfigDict, Field, create_model

    fields: dict[str, Any] = {}
    for name in names():
        info = field_info(name)
        bounds = Field(ge=info.metadata["ge"], gt=info.metadata["gt"])
        default = info.default_factory() if info.default_factory is not dataclasses.MISSING else info.default
        fields[name] = (Annotated[info.type, bounds], default)
    return create_model("Settings", __config__=ConfigDict(extra="forbid"), **fields)
