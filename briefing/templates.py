"""The prompt and report templates: the Jinja2 files in the top-level `prompts/` folder (installed
as the package `briefing.prompts`), looked up in the user's folders first, rendered in a sandbox."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
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
UNSUPPORTED = "unsupported.j2"
NOTES = "notes.j2"
REPORT = "report.md.j2"
REPORT_HTML = "report.html.j2"
# Every template the pipeline uses, with what it is for and the variables it is given. The names
# are the templates' API, kept for users' copies: `withhold_suspicious` (with `sentence.suspicious`)
# is whether AI-directed sentences are withheld (`GenerateOptions.show_ai_directed` off).
TEMPLATES = {
    SYSTEM: ("system message: the analyst's role and the rules", {"audience", "language", "vars"}),
    REQUEST: ("user message: the numbered sources and what to write",
              {"sources", "fence", "focus", "limits", "audience", "language", "vars", "withhold_suspicious",
               "actors", "also_named", "positions", "possibilities", "unsettled", "overview", "notes"}),
    NOTES: ("user message for one part of a long document: the notes to take",
            {"sources", "fence", "part", "parts", "points", "audience", "language", "vars"}),
    REPAIR: ("user message after an invalid answer: the validation errors", {"errors", "vars"}),
    UNSUPPORTED: ("user message after the support check: the items their cited sentences do not state",
                  {"items", "vars"}),
    REPORT: ("the Markdown report", {"briefing", "quotes", "sources", "run"}),
    REPORT_HTML: ("the standalone HTML report", {"briefing", "quotes", "sources", "run"}),
}


# Filters the report templates get from render.py.
REPORT_FILTERS = ("md", "cite", "dictsort_ids", "linked", "page", "support_mark", "support_line")


def packaged_dir() -> Path:
    """The folder holding the default templates shipped with the package."""
    return Path(str(resources.files("briefing.prompts")))


def user_dir() -> Path:
    """Templates in the user's config folder (`briefing prompts init` copies the defaults there)."""
    from .paths import config_dir

    return config_dir() / "prompts"


def search_dirs(given: Path | None = None) -> list[Path]:
    """The user's template folders, strongest first: `given` (--prompts or the configured folder),
    then the user config folder if it exists; the packaged templates come after both."""
    return [p for p in (given, user_dir()) if p is not None and (p == given or p.is_dir())]


class PromptSet:
    """Templates looked up in the given folders in order, then in the packaged defaults."""

    def __init__(self, dirs: Path | Sequence[Path] | None = None, *, autoescape: bool = False):
        given = [dirs] if isinstance(dirs, Path) else list(dirs or [])
        for folder in given:
            if not folder.is_dir():
                raise ConfigError(f"prompts folder {folder}: no such folder")
        self.dirs = [*given, packaged_dir()]
        self._env = _environment(self.dirs, autoescape)
        self.hashes: dict[str, str] = {}

    def add_filters(self, **filters: Any) -> None:
        """Make functions available to templates as `{{ value | name }}`."""
        self._env.filters.update(filters)

    def where(self, name: str) -> Path | None:
        """The file a template name resolves to, or None."""
        return next((d / name for d in self.dirs if (d / name).is_file()), None)

    def source(self, name: str) -> str:
        """The text of the template a name resolves to.

        Raises:
            ConfigError: no folder has it.
        """
        path = self.where(name)
        if path is None:
            raise ConfigError(f"no template {name!r}; templates: {', '.join(TEMPLATES)}")
        return path.read_text(encoding="utf-8")

    def render(self, name: str, **variables: Any) -> str:
        """Render one template; records the sha256 of the template text actually used.

        Raises:
            ConfigError: the template is missing, has a syntax error, uses an undefined variable or
                reaches for something the sandbox forbids; the message names file and line.
        """
        import jinja2

        try:
            template = self._env.get_template(name)
        except jinja2.TemplateSyntaxError as e:
            raise ConfigError(f"template {e.filename or name}, line {e.lineno}: {e.message}") from e
        except jinja2.TemplateNotFound as e:
            raise ConfigError(f"template {name} not found in {', '.join(map(str, self.dirs))}") from e
        try:
            text = template.render(**variables)
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, jinja2.TemplateRuntimeError) as e:
            line = _template_line(e, template.filename)
            raise ConfigError(f"template {template.filename}, line {line}: {e}") from e
        self.hashes[name] = _sha256_file(template.filename)
        return text


def _template_line(error: BaseException, filename: str | None) -> int | str:
    """The template line an exception was raised at (Jinja rewrites tracebacks to point there)."""
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line if line is not None else "?"


def _sha256_file(filename: str | None) -> str:
    return hashlib.sha256(Path(filename).read_bytes()).hexdigest() if filename else ""


def _environment(search_path: list[Path], autoescape: bool) -> jinja2.Environment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([str(p) for p in search_path]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=autoescape,
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


def lint(folder: Path) -> list[str]:
    """Problems in a folder of user templates, one line each: unknown files, syntax errors,
    variables briefing never passes, and a request template that no longer shows the numbered
    sources or asks for every field of the schema."""
    import jinja2
    from jinja2 import meta

    env = _environment([folder, packaged_dir()], False)
    env.filters.update(dict.fromkeys(REPORT_FILTERS, str))  # the report filters, for parsing only
    problems = []
    for path in sorted(folder.glob("*.j2")):
        if path.name not in TEMPLATES:
            problems.append(f"{path}: briefing uses no template of this name ({', '.join(TEMPLATES)})")
            continue
        try:
            tree = env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as e:
            problems.append(f"{path}, line {e.lineno}: {e.message}")
            continue
        unknown = meta.find_undeclared_variables(tree) - TEMPLATES[path.name][1]
        if unknown:
            given = ", ".join(sorted(TEMPLATES[path.name][1]))
            problems.append(f"{path}: unknown variable(s) {', '.join(sorted(unknown))}; {path.name} gets {given}")
    if (folder / REQUEST).is_file() and not problems:
        problems += _request_problems(folder)
    return problems


def _request_problems(folder: Path) -> list[str]:
    """Render the request with a probe source: the pipeline needs the ids, the fence and the fields."""
    from .request_schema import LENGTHS, json_schema
    from .sources import make_source

    probe = make_source("First probe sentence. Second probe sentence.", source_id="1", origin="probe")
    fence = delimiter([probe])
    try:
        text = PromptSet(folder).render(REQUEST, sources=[probe], fence=fence, focus=None, audience=None,
                                        language="English", limits=LENGTHS["standard"].limits(), vars={},
                                        withhold_suspicious=True, actors=[], also_named=[], positions=[],
                                        possibilities=None, unsettled=None, overview=None, notes=[])
    except ConfigError as e:
        return [str(e)]
    path = folder / REQUEST
    problems = []
    if "[1.1] First probe sentence." not in text or "[1.2]" not in text:
        problems.append(f"{path}: does not show the numbered sentences ([1.1] …) the model must cite")
    if text.count(fence) < 2:
        problems.append(f"{path}: does not fence the sources with {{{{ fence }}}} (source text must stay data)")
    missing = [f for f in json_schema()["properties"] if f not in text]  # what the model is asked for
    if missing:
        problems.append(f"{path}: never asks for {', '.join(missing)}")
    return problems


def init_folder(folder: Path, force: bool = False) -> list[str]:
    """Copy the packaged templates into folder; a file that differs from the packaged one (an
    edit) is kept unless force. Returns one line per template saying what happened."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in TEMPLATES:
        packaged, target = (packaged_dir() / name).read_text(encoding="utf-8"), folder / name
        if target.exists() and target.read_text(encoding="utf-8") == packaged:
            lines.append(f"{target}: unchanged")
        elif target.exists() and not force:
            lines.append(f"{target}: kept (edited; --force replaces it)")
        else:
            from .output import write_atomic

            verb = "replaced" if target.exists() else "written"
            write_atomic(target, packaged)
            lines.append(f"{target}: {verb}")
    return lines
