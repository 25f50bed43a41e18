"""The `briefing` command: parse options, call the library, print. No logic of its own."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from .config import BackendSettings
from .errors import BriefingError
from .sources import DEFAULT_MAX_BYTES, DEFAULT_MAX_SOURCES, SourceLimits

if TYPE_CHECKING:
    from .backends.base import StructuredMode

app = typer.Typer(
    help="Evidence-cited policy briefings from source documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold API keys
    add_completion=False,
)


class Format(StrEnum):
    markdown = "markdown"
    json = "json"


class LengthChoice(StrEnum):
    short = "short"
    standard = "standard"
    long = "long"


class Structured(StrEnum):
    auto = "auto"
    json_schema = "json_schema"
    json_object_schema = "json_object_schema"
    json_object = "json_object"


# Options shared by the commands that reach a model.
Model = Annotated[str | None, typer.Option(envvar="BRIEFING_MODEL", help="Model name on the server.")]
BaseUrl = Annotated[
    str | None,
    typer.Option(envvar="OPENAI_BASE_URL", help="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."),
]
ApiKey = Annotated[
    str | None, typer.Option(envvar="OPENAI_API_KEY", help="API key for the server.", show_default=False)
]
ModelPath = Annotated[Path | None, typer.Option(help="Run this GGUF file in process instead of the packaged model.")]
LocalModel = Annotated[
    str | None, typer.Option(envvar="BRIEFING_LOCAL_MODEL", help="Which packaged model to run (see README).")
]
StructuredOpt = Annotated[
    Structured, typer.Option("--structured-output", help="How the JSON schema is sent to a server.")
]
Timeout = Annotated[float, typer.Option(min=1, help="Seconds to wait for a server's answer.")]
MaxRetries = Annotated[int, typer.Option(min=0, help="Retries of a failed server request (429 honours Retry-After).")]
ContextWindow = Annotated[
    int | None, typer.Option(min=512, help="The model's context window in tokens (local default 8192; OpenAI 128k).")
]


def _settings(model: str | None, base_url: str | None, api_key: str | None, model_path: Path | None,
              local_model: str | None, structured: Structured, timeout: float, max_retries: int,
              context_window: int | None) -> BackendSettings:
    mode = None if structured is Structured.auto else cast("StructuredMode", structured.value)
    return BackendSettings(model=model, base_url=base_url, api_key=api_key, model_path=model_path,
                           local_model=local_model, structured_output=mode, timeout=timeout,
                           max_retries=max_retries, context_window=context_window)


@app.command()
def generate(
    sources: Annotated[
        list[str],
        typer.Argument(help="Text or HTML files, http(s) URLs, or - for standard input.", show_default=False),
    ],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", "-f", help="markdown, or json (briefing + run metadata)."),
    ] = Format.markdown,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
    model: Model = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    local_model: LocalModel = None,
    structured_output: StructuredOpt = Structured.auto,
    prompts_dir: Annotated[
        Path | None,
        typer.Option("--prompts", help="Folder of templates overriding the packaged ones."),
    ] = None,
    audience: Annotated[str | None, typer.Option(help="Who the briefing is for.")] = None,
    focus: Annotated[str | None, typer.Option(help="A question the briefing must answer.")] = None,
    length: Annotated[
        LengthChoice | None,
        typer.Option(help="How many actors, positions, risks… to ask for [default: short on the local model, "
                     "standard on a server]."),
    ] = None,
    max_tokens: Annotated[int, typer.Option(min=256, help="Output token limit per model call.")] = 2048,
    timeout: Timeout = 600.0,
    max_retries: MaxRetries = 2,
    context_window: ContextWindow = None,
    max_bytes: Annotated[int, typer.Option(min=1, help="Largest source accepted, in bytes.")] = DEFAULT_MAX_BYTES,
    max_sources: Annotated[int, typer.Option(min=1, help="Most sources in one briefing.")] = DEFAULT_MAX_SOURCES,
    fetch_timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for a URL.")] = 20.0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the messages and token budget; call no model.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Write a cited policy briefing of SOURCES (Markdown on stdout by default)."""
    from . import config, pipeline, render
    from . import output as out
    from .sources import load_sources

    _notices(quiet)
    if output is not None and not dry_run:
        out.check_writable(output, force)
    limits = SourceLimits(max_bytes=max_bytes, max_sources=max_sources, timeout=fetch_timeout)
    loaded = load_sources(list(sources), limits=limits)
    backend = config.make_backend(_settings(model, base_url, api_key, model_path, local_model, structured_output,
                                            timeout, max_retries, context_window))
    options = pipeline.GenerateOptions(audience=audience, focus=focus, max_tokens=max_tokens,
                                       length=length.value if length else None,
                                       prompts_dir=prompts_dir,
                                       raw_output_dir=output.parent if output else Path.cwd())
    if dry_run:
        sys.stdout.write(render.render_dry_run(pipeline.prepare(loaded, backend, options)))
        return
    with _progress(f"briefing ({backend.model})", quiet) as progress:
        run = pipeline.generate(loaded, backend, options, progress=progress)
    for warning in run.grounding.warnings:
        sys.stderr.write(f"briefing: warning: {warning}\n")
    document = run.to_document()
    text = render.render_json(document) if fmt is Format.json else render.render_markdown(document, prompts_dir)
    _emit(text, output, force)


@app.command("render")
def render_cmd(
    document: Annotated[Path, typer.Argument(help="A briefing saved with --format json.", show_default=False)],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
    prompts_dir: Annotated[
        Path | None,
        typer.Option("--prompts", help="Folder whose report.md.j2 overrides the packaged one."),
    ] = None,
) -> None:
    """Re-render a saved JSON briefing to Markdown without calling a model."""
    from . import output as out
    from . import render

    if output is not None:
        out.check_writable(output, force)
    _emit(render.render_markdown(render.load_briefing_json(document), prompts_dir), output, force)


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
    local_model: LocalModel = None,
    timeout: Timeout = 60.0,
    context_window: ContextWindow = None,
) -> None:
    """Report which backend the settings select and what it supports (probes a server's JSON modes)."""
    from . import config
    from .diagnose import diagnose

    settings = _settings(model, base_url, api_key, model_path, local_model, Structured.auto, timeout, 0,
                         context_window)
    lines, healthy = diagnose(config.make_backend(settings))
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    if not healthy:
        raise typer.Exit(code=5)


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



