"""The `briefing` command: parse options, call the library, print. No logic of its own."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from .errors import BriefingError, ConfigError

if TYPE_CHECKING:
    from .backends.base import Backend, StructuredMode
    from .settings import Resolved

app = typer.Typer(
    help="Evidence-cited policy briefings from source documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold API keys
    add_completion=False,
)
prompts_app = typer.Typer(help="List, show, copy and check the prompt and report templates.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


class Format(StrEnum):
    markdown = "markdown"
    json = "json"
    html = "html"


class LengthChoice(StrEnum):
    short = "short"
    standard = "standard"
    long = "long"


class Structured(StrEnum):
    auto = "auto"
    json_schema = "json_schema"
    json_object_schema = "json_object_schema"
    json_object = "json_object"


# Settings options default to None: `settings.resolve` then takes the environment, briefing.toml
# or the default, and remembers which (see `briefing config`).
Model = Annotated[str | None, typer.Option(help="Model name on the server (env BRIEFING_MODEL).")]
BaseUrl = Annotated[
    str | None, typer.Option(help="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (env OPENAI_BASE_URL).")
]
ApiKey = Annotated[str | None, typer.Option(help="API key for the server (env OPENAI_API_KEY).", show_default=False)]
ModelPath = Annotated[Path | None, typer.Option(help="Run this GGUF file in process instead of the packaged model.")]
HfModel = Annotated[
    str | None, typer.Option(help="Run OWNER/REPO/FILE.gguf from the Hugging Face hub in process (needs internet).")
]
LocalModel = Annotated[str | None, typer.Option(help="Which packaged model to run (env BRIEFING_LOCAL_MODEL).")]
StructuredOpt = Annotated[
    Structured | None, typer.Option("--structured-output", help="How the JSON schema is sent to a server (auto).")
]
Timeout = Annotated[float | None, typer.Option(min=1, help="Seconds to wait for a server's answer (600).")]
MaxRetries = Annotated[int | None, typer.Option(min=0, help="Retries of a failed request, honouring Retry-After (2).")]
ContextWindow = Annotated[
    int | None, typer.Option(min=512, help="The model's context window in tokens (local 8192; OpenAI 128k).")
]
PromptsDir = Annotated[
    Path | None, typer.Option("--prompts", help="Folder of templates used before the configured and packaged ones.")
]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]


def _resolve(**flags: Any) -> dict[str, Resolved]:
    from .settings import resolve

    return resolve({k: (v.value if isinstance(v, StrEnum) else v) for k, v in flags.items()})


def _backend(conf: dict[str, Resolved]) -> Backend:
    from .config import BackendSettings, make_backend

    mode = conf["structured_output"].value
    return make_backend(BackendSettings(
        model=conf["model"].value, base_url=conf["base_url"].value, api_key=conf["api_key"].value,
        model_path=conf["model_path"].value, hf_model=conf["hf_model"].value, local_model=conf["local_model"].value,
        structured_output=None if mode == "auto" else cast("StructuredMode", mode),
        timeout=conf["timeout"].value, max_retries=conf["max_retries"].value,
        context_window=conf["context_window"].value,
    ))


def _prompt_dirs(conf: dict[str, Resolved]) -> list[Path]:
    """--prompts (or the configured folder), then the user's template folder if it exists."""
    from .prompts import user_dir

    given = conf["prompts"].value
    return [p for p in (given, user_dir()) if p is not None and (p == given or p.is_dir())]


def _parse_vars(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    parsed = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"--var {pair!r}: write KEY=VALUE with KEY a name such as desk or region")
        parsed[key.strip()] = value
    return parsed


@app.command()
def generate(
    sources: Annotated[
        list[str],
        typer.Argument(help="Text or HTML files, http(s) URLs, or - for standard input.", show_default=False),
    ],
    output: Output = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="markdown, json (briefing + run metadata) or html.")
    ] = Format.markdown,
    force: Force = False,
    model: Model = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    hf_model: HfModel = None,
    local_model: LocalModel = None,
    structured_output: StructuredOpt = None,
    prompts_dir: PromptsDir = None,
    audience: Annotated[str | None, typer.Option(help="Who the briefing is for.")] = None,
    focus: Annotated[str | None, typer.Option(help="A question the briefing must answer.")] = None,
    language: Annotated[
        str | None, typer.Option(help="Language to write in; quoted source sentences stay as written (English).")
    ] = None,
    length: Annotated[
        LengthChoice | None,
        typer.Option(help="How many actors, positions, risks… to ask for (short on the local model, else standard)."),
    ] = None,
    var: Annotated[
        list[str] | None, typer.Option("--var", help="KEY=VALUE made available to templates as vars.KEY.")
    ] = None,
    max_tokens: Annotated[int | None, typer.Option(min=256, help="Output token limit per model call (2048).")] = None,
    timeout: Timeout = None,
    max_retries: MaxRetries = None,
    context_window: ContextWindow = None,
    max_bytes: Annotated[int | None, typer.Option(min=1, help="Largest source accepted, in bytes (2000000).")] = None,
    max_sources: Annotated[int | None, typer.Option(min=1, help="Most sources in one briefing (20).")] = None,
    fetch_timeout: Annotated[float | None, typer.Option(min=0.1, help="Seconds to wait for a URL (20).")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the messages and token budget; call no model.")
    ] = False,
    show_ai_directed: Annotated[
        bool, typer.Option("--show-ai-directed", help="Show the model paragraphs that try to instruct AI models.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Write a cited policy briefing of SOURCES (Markdown on stdout by default)."""
    from . import output as out
    from . import pipeline, render
    from .sources import SourceLimits, load_sources

    _notices(quiet)
    conf = _resolve(model=model, base_url=base_url, api_key=api_key, model_path=model_path, hf_model=hf_model,
                    local_model=local_model,
                    structured_output=structured_output, prompts=prompts_dir, audience=audience, focus=focus,
                    language=language, length=length, vars=_parse_vars(var), max_tokens=max_tokens, timeout=timeout,
                    max_retries=max_retries, context_window=context_window, max_bytes=max_bytes,
                    max_sources=max_sources, fetch_timeout=fetch_timeout)
    if output is not None and not dry_run:
        out.check_writable(output, force)
    limits = SourceLimits(max_bytes=conf["max_bytes"].value, max_sources=conf["max_sources"].value,
                          timeout=conf["fetch_timeout"].value)
    loaded = load_sources(list(sources), limits=limits)
    for source in loaded:
        if source.suspicious_ids:
            shown = "shown to the model as text" if show_ai_directed else "withheld from the model"
            sys.stderr.write(f"briefing: warning: {source.origin}: sentence(s) {', '.join(source.suspicious_ids)} "
                             f"try to instruct AI models; {shown}\n")
    backend = _backend(conf)
    dirs = _prompt_dirs(conf)
    options = pipeline.GenerateOptions(
        audience=conf["audience"].value, focus=conf["focus"].value, language=conf["language"].value,
        length=conf["length"].value, vars=conf["vars"].value, max_tokens=conf["max_tokens"].value,
        prompts_dir=dirs, raw_output_dir=output.parent if output else Path.cwd(),
        withhold_suspicious=not show_ai_directed)
    if dry_run:
        sys.stdout.write(render.render_dry_run(pipeline.prepare(loaded, backend, options)))
        return
    with _progress(f"briefing ({backend.model})", quiet) as progress:
        run = pipeline.generate(loaded, backend, options, progress=progress)
    for warning in run.grounding.warnings:
        sys.stderr.write(f"briefing: warning: {warning}\n")
    _emit(_rendered(run.to_document(), fmt, dirs, None), output, force)


def _rendered(document: dict[str, Any], fmt: Format, dirs: list[Path], template: Path | None) -> str:
    from . import prompts, render

    if fmt is Format.json:
        return render.render_json(document)
    if fmt is Format.html:
        return render.render_html(document, dirs, str(template) if template else prompts.REPORT_HTML)
    return render.render_markdown(document, dirs, str(template) if template else prompts.REPORT)


@app.command("render")
def render_cmd(
    document: Annotated[Path, typer.Argument(help="A briefing saved with --format json.", show_default=False)],
    output: Output = None,
    force: Force = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="markdown or html.")] = Format.markdown,
    template: Annotated[
        Path | None, typer.Option(help="Your own report template (a .md.j2 or .html.j2 file).")
    ] = None,
    prompts_dir: PromptsDir = None,
) -> None:
    """Re-render a saved JSON briefing without calling a model."""
    from . import output as out
    from .render import load_briefing_json

    if output is not None:
        out.check_writable(output, force)
    dirs = _prompt_dirs(_resolve(prompts=prompts_dir))
    _emit(_rendered(load_briefing_json(document), fmt, dirs, template), output, force)


@app.command("verify")
def verify_cmd(
    document: Annotated[Path, typer.Argument(help="A briefing saved with --format json.", show_default=False)],
    sources: Annotated[
        list[str], typer.Argument(help="The sources it was made from, in the same order.", show_default=False)
    ],
) -> None:
    """Re-check every citation, quote and source hash of a saved briefing against the sources."""
    from .errors import VerificationFailedError
    from .render import load_briefing_json
    from .sources import load_sources
    from .verify import verify

    problems = verify(load_briefing_json(document), load_sources(list(sources)))
    for problem in problems:
        sys.stderr.write(f"briefing: {document}: {problem}\n")
    if problems:
        raise VerificationFailedError(f"{len(problems)} problem(s) found; the briefing does not match its sources")
    sys.stdout.write(f"{document}: every citation, quote and source hash matches\n")


@app.command()
def doctor(
    model: Model = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    hf_model: HfModel = None,
    local_model: LocalModel = None,
    timeout: Timeout = None,
    context_window: ContextWindow = None,
) -> None:
    """Report which backend the settings select and what it supports (probes a server's JSON modes)."""
    from .diagnose import diagnose

    conf = _resolve(model=model, base_url=base_url, api_key=api_key, model_path=model_path, hf_model=hf_model,
                    local_model=local_model, timeout=timeout, context_window=context_window, max_retries=0)
    lines, healthy = diagnose(_backend(conf))
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    if not healthy:
        raise typer.Exit(code=5)


@app.command("config")
def config_cmd() -> None:
    """Show every effective setting and where it came from (flag, environment, briefing.toml, default)."""
    from .settings import config_files, describe

    files = config_files()
    sys.stdout.write(f"config files: {', '.join(map(str, files)) or 'none'}\n")
    sys.stdout.write("".join(f"{line}\n" for line in describe(_resolve())))


@prompts_app.command("list")
def prompts_list(prompts_dir: PromptsDir = None) -> None:
    """Every template, what it is for, and the file it is loaded from."""
    from .prompts import TEMPLATES, PromptSet

    prompt_set = PromptSet(_prompt_dirs(_resolve(prompts=prompts_dir)))
    for name, (purpose, _) in TEMPLATES.items():
        sys.stdout.write(f"{name:<16} {purpose}\n{'':<16} from {prompt_set.where(name)}\n")


@prompts_app.command("show")
def prompts_show(name: Annotated[str, typer.Argument(help="A template name, e.g. request.j2.")],
                 prompts_dir: PromptsDir = None) -> None:
    """Print the template a name resolves to."""
    from .prompts import PromptSet

    sys.stdout.write(PromptSet(_prompt_dirs(_resolve(prompts=prompts_dir))).source(name))


@prompts_app.command("init")
def prompts_init(
    folder: Annotated[Path | None, typer.Argument(help="Where to copy them (the user config folder).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace templates you have edited.")] = False,
) -> None:
    """Copy the packaged templates into a folder to edit; edited files are kept unless --force."""
    from .prompts import init_folder, user_dir

    for line in init_folder(folder or user_dir(), force):
        sys.stdout.write(f"{line}\n")


@prompts_app.command("lint")
def prompts_lint(
    folder: Annotated[Path | None, typer.Argument(help="Templates to check (the configured folders).")] = None,
) -> None:
    """Check user templates before a run: syntax, unknown variables, and what the pipeline needs."""
    from .prompts import lint

    folders = [folder] if folder else _prompt_dirs(_resolve())
    problems = [p for f in folders for p in lint(f)]
    for problem in problems:
        sys.stderr.write(f"briefing: {problem}\n")
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the templates")
    sys.stdout.write(f"templates OK: {', '.join(map(str, folders)) or 'the packaged defaults'}\n")


def _progress(label: str, quiet: bool):  # type: ignore[no-untyped-def]
    from contextlib import nullcontext

    from .progress import Progress

    return nullcontext(None) if quiet else Progress(label)


def _notices(quiet: bool) -> None:
    """Library notices (such as the first-use model assembly) go to stderr as one line each."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("briefing: %(message)s"))
    logger = logging.getLogger("briefing")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING if quiet else logging.INFO)


def _emit(text: str, output: Path | None, force: bool) -> None:
    from . import output as out

    if output is None:
        sys.stdout.write(text)
        return
    out.check_writable(output, force)
    out.write_atomic(output, text)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code, without leaving the process (for tests and embedding)."""
    try:
        app(args=args, prog_name="briefing")  # typer reports usage errors itself, exit code 2
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BriefingError as e:
        _fail(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written")
        return 130
    except _Terminated:
        _fail("terminated; nothing was written")
        return 143
    except Exception as e:
        if os.environ.get("BRIEFING_DEBUG") == "1":
            raise
        _fail(f"internal error: {type(e).__name__}: {e} (set BRIEFING_DEBUG=1 for the traceback)")
        return 1
    return 0


def _fail(message: str) -> None:
    sys.stderr.write(f"briefing: error: {' '.join(message.split())}\n")


class _Terminated(BaseException):
    """SIGTERM, raised where Python next runs so that `finally` blocks remove temp files."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    sys.exit(run())



