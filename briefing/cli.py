"""The `briefing` command line: commands parse their options, call the library and print.

Settings options are generated from their declarations in `settings`; every error the library
raises becomes one line on stderr and its exit code (`run`). Only typer loads at start-up.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import MISSING, dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .errors import BriefingError, ConfigError

if TYPE_CHECKING:
    from . import rounds
    from .backends import Backend, BackendSettings, ProgressCallback
    from .document import BriefingDocument
    from .pipeline import BriefingRun
    from .settings import GenerateOptions, Resolved, Settings
    from .sources import Source

app = typer.Typer(
    help="Evidence-cited policy briefings from source documents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold API keys
    add_completion=False,
    # Plain help: rich's boxed tables cost 60-110 ms of imports on every --help (more than the rest
    # of it) and cut long option and variable names at 80 columns ("--show-ai-direct…").
    rich_markup_mode=None,
)
class _Command(typer.core.TyperCommand):
    """A command whose arguments with a metavar are shown by it alone: `SOURCE...`, not
    `{sources}...` and `sources... <list[str]>`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument) and param.metavar:
                shown = param.metavar
                param._usage_display_name = lambda shown=shown: shown  # type: ignore[method-assign,misc]
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]


prompts_app = typer.Typer(help="List, show, copy and check the prompt and report templates.", no_args_is_help=True,
                          rich_markup_mode=None)
app.add_typer(prompts_app, name="prompts")


class Format(StrEnum):
    markdown = "markdown"
    json = "json"
    html = "html"


MakeBackend = Callable[["BackendSettings"], "Backend"]


@dataclass(frozen=True)
class Seams:
    """What `run` lets a caller replace: how a backend is built (tests pass a fake)."""

    make_backend: MakeBackend | None = None


def with_settings(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command one option per named setting, built from its declaration in `settings`.

    The command receives them in `**flags`, None where not given: `settings.resolve` then takes
    the environment, briefing.toml or the default, and remembers which (see `briefing config`).
    """
    def add(command: Callable[..., None]) -> Callable[..., None]:
        import typing

        signature, hints = inspect.signature(command), typing.get_type_hints(command, include_extras=True)
        params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
                  if p.kind is not inspect.Parameter.VAR_KEYWORD]
        params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_option(name))
                   for name in names]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}  # evaluated once, not again by typer
        return command
    return add


def _option(name: str) -> Any:
    """The typer annotation of one setting's option: its flag, help, type and lower bound.

    An open bound (`gt=0`) is given to typer as a closed one; the settings' own validation then
    refuses the bound itself.
    """
    import typing

    from . import settings

    meta = settings.field_info(name).metadata
    kind = settings.hint(name)
    if kind is dict or typing.get_origin(kind) is dict:
        kind = list[str]  # KEY=VALUE pairs, parsed by _parse_vars
    low = meta["ge"] if meta["ge"] is not None else meta["gt"]
    flag = "--" + (meta["flag"] or name).replace("_", "-")
    if kind is bool:
        flag = f"{flag}/--no-{flag[2:]}"
    metavar = "KEY=VALUE" if kind == list[str] else None
    return Annotated[kind | None, typer.Option(flag, help=_help(name), show_default=False, min=low, metavar=metavar)]


def _help(name: str) -> str:
    """The declared help, then the default and the environment variable in parentheses."""
    from . import settings

    info = settings.field_info(name)
    meta = info.metadata
    default = meta["default_help"] or (info.default if info.default not in (None, MISSING) else None)
    if isinstance(default, float) and default.is_integer():
        default = int(default)
    notes = [str(default)] if default is not None else []
    notes += [f"env {meta['env']}"] if meta["env"] else []
    text = meta["help"].rstrip(".")
    return f"{text} ({'; '.join(notes)})." if notes else f"{text}."


BACKEND = ("model", "base_url", "api_key", "model_path", "hf_model", "local_model", "structured_output", "timeout",
           "max_retries", "context_window")
JUDGE = ("judge_model", "judge_base_url")
# What changes a briefing and how its sources are read: `generate` and `batch` take the same.
BRIEFING = ("prompts", "audience", "focus", "language", "length", "vars", "max_tokens", "concurrency", "named_actors",
            "support_check", "max_bytes", "max_sources", "fetch_timeout")
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]


def _resolve(**flags: Any) -> Resolved:
    from .settings import resolve

    if flags.get("vars") is not None:
        flags["vars"] = _parse_vars(flags["vars"])
    return resolve(flags)


_B = TypeVar("_B")


def _backend(ctx: typer.Context, conf: Settings) -> Backend:
    from .backends import make_backend

    seams = ctx.obj if isinstance(ctx.obj, Seams) else Seams()
    return _closed_at_end(ctx, (seams.make_backend or make_backend)(conf.backend))


def _closed_at_end(ctx: typer.Context, backend: _B) -> _B:
    """A backend whose connections are closed when the command ends (one that holds any)."""
    close = getattr(backend, "close", None)
    if callable(close):
        ctx.call_on_close(close)
    return backend


def _judge(ctx: typer.Context, conf: Settings) -> Backend | None:
    """The backend --judge-model / --judge-base-url name; None: the briefing's backend judges."""
    from dataclasses import replace

    from .backends import make_judge

    seams = ctx.obj if isinstance(ctx.obj, Seams) else Seams()
    settings = conf.backend
    if seams.make_backend is not None and (settings.judge_model or settings.judge_base_url):
        return _closed_at_end(ctx, seams.make_backend(replace(settings, model=settings.judge_model or settings.model,
                                                              base_url=settings.judge_base_url or settings.base_url)))
    return _closed_at_end(ctx, make_judge(settings))


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"--var {pair!r}: write KEY=VALUE with KEY a name such as desk or region")
        parsed[key.strip()] = value
    return parsed


@app.command(cls=_Command)
@with_settings(*BACKEND, *JUDGE, *BRIEFING)
def generate(
    ctx: typer.Context,
    sources: Annotated[
        list[str],
        typer.Argument(help="Text, HTML, PDF or Word files, http(s) URLs, or - for standard input.",
                      show_default=False, metavar="SOURCE..."),
    ],
    output: Output = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="markdown, json (briefing + run metadata) or html.")
    ] = Format.markdown,
    force: Force = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the messages and token budget; call no model.")
    ] = False,
    show_ai_directed: Annotated[
        bool, typer.Option("--show-ai-directed", help="Show the model paragraphs that try to instruct AI models.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    **flags: Any,
) -> None:
    """Write a cited policy briefing of SOURCES (Markdown on stdout by default)."""
    from dataclasses import replace

    from . import output as out
    from .ingest import load_sources

    _notices(quiet)
    conf = _resolve(**flags).settings
    if output is not None and not dry_run:
        out.check_writable(output, force)
    loaded = load_sources(list(sources), limits=conf.sources)
    for source in loaded:
        if source.ai_directed_ids:
            shown = "shown to the model as text" if show_ai_directed else "withheld from the model"
            sys.stderr.write(f"briefing: warning: {source.origin}: sentence(s) {', '.join(source.ai_directed_ids)} "
                             f"try to instruct AI models; {shown}\n")
    backend = _backend(ctx, conf)
    options = replace(conf.generate, show_ai_directed=show_ai_directed)
    if dry_run:
        from .dry_run import dry_run as describe

        sys.stdout.write(describe(loaded, backend, options))
        return
    judge = _judge(ctx, conf)
    with _progress(f"briefing ({backend.model})", quiet) as progress:
        run = _generate(loaded, backend, options, progress, output, judge)
    for warning in run.grounding.warnings:
        sys.stderr.write(f"briefing: warning: {warning}\n")
    _emit(_rendered(run.to_document(), fmt, conf.generate.prompts, None), output, force)


def _generate(sources: list[Source], backend: Backend, options: GenerateOptions,
              progress: ProgressCallback | None, output: Path | None, judge: Backend | None = None) -> BriefingRun:
    """Run the pipeline; a briefing that fails validation leaves its raw answer in a file for the user."""
    from . import output as out
    from . import pipeline
    from .errors import ValidationFailedError

    try:
        return pipeline.generate(sources, backend, options, progress=progress, judge=judge)
    except ValidationFailedError as e:
        path = out.save_raw_output(e.raw_output, output.parent if output else Path.cwd())
        where = f"raw output saved to {path}" if path else "the raw output could not be saved"
        raise ValidationFailedError(f"{e}; {where}", raw_output=e.raw_output, errors=e.errors,
                                    n_attempts=e.n_attempts) from e


def _rendered(document: BriefingDocument, fmt: Format, prompts: Path | None, template: Path | None) -> str:
    from . import render

    return render.render_as(document, fmt.value, prompts, str(template) if template else None)


@app.command("batch", cls=_Command)
@with_settings(*BACKEND, *JUDGE, *BRIEFING)
def batch_cmd(
    ctx: typer.Context,
    items: Annotated[
        list[str],
        typer.Argument(help="Files, http(s) URLs, folders (each file one item), globs, or a .jsonl manifest "
                            "whose lines give one briefing each: sources, name, focus, audience, length, vars.",
                       show_default=False, metavar="ITEM..."),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder for the briefings and batch.jsonl.")],
    fmts: Annotated[
        list[Format] | None,
        typer.Option("--format", "-f", help="markdown, json or html; repeat for several (default markdown).",
                     metavar="[markdown|json|html]")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Brief again the items already finished.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No line per item on stderr.")] = False,
    emit: Annotated[
        Path | None, typer.Option("--emit", help="Call no model: write the requests the items wait for to this "
                                                 "file (OpenAI Batch JSONL, for OpenAI or `vllm run-batch`; needs "
                                                 "--model).", metavar="REQUESTS.jsonl")
    ] = None,
    collect: Annotated[
        list[Path] | None, typer.Option("--collect", help="First take in a batch engine's answers (OpenAI output "
                                                          "or error file, vLLM output); repeat for several.",
                                        metavar="RESULTS.jsonl")
    ] = None,
    openai_batch: Annotated[
        bool, typer.Option("--openai-batch", help="Run the rounds on OpenAI's Batch API (OPENAI_API_KEY): upload, "
                                                  "wait, collect, until every item is done.")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between looks at an OpenAI batch.", min=0, metavar="SECONDS")
    ] = 30.0,
    **flags: Any,
) -> None:
    """Brief many items into one folder on one loaded model (against a server, --concurrency items at
    once; on a batch engine, in rounds of --emit and --collect); finished items are skipped when the
    same command runs again, and one item's failure does not stop the rest."""
    from . import batch, rounds
    from .errors import BatchFailedError
    from .progress import BatchProgress

    _notices(quiet)
    conf = _resolve(**flags).settings
    todo = batch.items_from(items, output)
    engine = None
    backend: Backend
    judge: Backend | None
    if emit is not None or collect or openai_batch:
        engine = rounds.new_round(output)
        backend, judge = rounds.backends_for(conf.backend, engine, openai=openai_batch)
        for path in collect or []:
            kept, lost = engine.collect(_read_lines(path), str(path))
            _say(f"{path}: {kept} new answers" + (f", {lost} requests the engine failed" if lost else ""))
    else:
        backend, judge = _backend(ctx, conf), _judge(ctx, conf)
    shown = BatchProgress()

    def report(outcome: batch.Outcome, done: int, total: int) -> None:
        if not quiet:
            what = outcome.reason if outcome.status in ("failed", "waiting") else ", ".join(outcome.outputs) or "-"
            shown.item(outcome.name, outcome.status, outcome.seconds, what, done, total)

    def brief() -> list[batch.Outcome]:
        return batch.brief_many(todo, backend, conf.generate, output, [f.value for f in fmts or [Format.markdown]],
                                judge=judge, force=force, limits=conf.sources, on_item=report,
                                concurrency=conf.generate.concurrency)

    try:
        if openai_batch and engine is not None:
            outcomes = rounds.on_openai(brief, engine, _openai_client(conf), output, _say, poll)
        else:
            outcomes = brief()
    except KeyboardInterrupt:
        _fail("interrupted; every finished item is kept (see batch.jsonl): run the same command to resume")
        raise typer.Exit(130) from None
    sys.stderr.write(batch.summary(outcomes, getattr(backend, "retries", 0)))
    if engine is not None and not openai_batch:
        _next_round(engine, emit)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise BatchFailedError(f"{len(failed)} of {len(outcomes)} items failed; each has its line in "
                               f"{output / batch.LOG}")


def _read_lines(path: Path) -> list[str]:
    from .errors import InputError

    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read it ({getattr(e, 'strerror', None) or e})") from e


def _say(line: str) -> None:
    sys.stderr.write(f"briefing: {line}\n")


def _next_round(engine: rounds.Round, emit: Path | None) -> None:
    """Write the requests the items wait for, or say that none do."""
    from . import rounds

    if engine.unused():
        _say("none of the collected answers answers a request of these items: were they made by another "
             "command (other items, --model, --structured-output, options or templates)?")
    lines = engine.requests()
    if not lines:
        _say("no item waits for an answer" + (f"; {emit} not written" if emit else ""))
    elif emit is None:
        _say(f"{len(lines)} requests wait for an answer: run the same command with --emit FILE to write them")
    else:
        rounds.write_requests(emit, lines)
        _say(f"{emit}: {len(lines)} requests for the batch engine; run them, then this command with "
             "--collect RESULTS.jsonl")


def _openai_client(conf: Settings) -> Any:
    """The openai SDK client of --openai-batch (OPENAI_API_KEY; --base-url for a compatible service)."""
    from .backends.openai_compat import OPENAI_URL, make_client
    from .errors import ConfigError

    settings = conf.backend
    if not settings.api_key:
        raise ConfigError("--openai-batch needs OPENAI_API_KEY (or --api-key)")
    return make_client(settings.base_url or OPENAI_URL, settings.api_key, settings.timeout, settings.max_retries)


@app.command("render", cls=_Command)
@with_settings("prompts")
def render_cmd(
    document: Annotated[Path, typer.Argument(help="A briefing saved with --format json.", show_default=False,
                                             metavar="BRIEF.json")],
    output: Output = None,
    force: Force = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="markdown or html.")] = Format.markdown,
    template: Annotated[
        Path | None, typer.Option(help="Your own report template (a .md.j2 or .html.j2 file).")
    ] = None,
    **flags: Any,
) -> None:
    """Re-render a saved JSON briefing without calling a model."""
    from . import output as out
    from .document import BriefingDocument

    if output is not None:
        out.check_writable(output, force)
    conf = _resolve(**flags).settings
    _emit(_rendered(BriefingDocument.load(document), fmt, conf.generate.prompts, template), output, force)


@app.command("verify", cls=_Command)
@with_settings(*BACKEND, *JUDGE)
def verify_cmd(
    ctx: typer.Context,
    document: Annotated[Path, typer.Argument(help="A briefing saved with --format json.", show_default=False,
                                             metavar="BRIEF.json")],
    sources: Annotated[
        list[str], typer.Argument(help="The sources it was made from, in the same order.", show_default=False,
                                  metavar="SOURCE...")
    ],
    check_support: Annotated[
        bool, typer.Option("--support", help="Also judge every item against the sentences it cites (calls the "
                                             "model: the judge's, or the backend's).")
    ] = False,
    **flags: Any,
) -> None:
    """Re-check every citation, quote and source hash of a saved briefing against the sources
    (with --support, what each item claims too)."""
    from .document import BriefingDocument
    from .errors import VerificationFailedError
    from .ingest import load_sources
    from .verify import verify, verify_support

    saved = BriefingDocument.load(document, unquoted_ok=True)
    loaded = load_sources(list(sources))
    problems = verify(saved, loaded)
    matched = not problems
    if check_support and matched:
        conf = _resolve(**flags).settings
        judged = verify_support(saved, loaded, _judge(ctx, conf) or _backend(ctx, conf))
        for entry in judged:
            sys.stdout.write(f"{entry.verdict:<14} {entry.item}: {entry.claim} [{', '.join(entry.cited)}]\n")
        problems = [f"{e.item} is judged {e.verdict.replace('_', ' ')} by the sentences it cites ({e.judge}"
                    f"{': ' + e.reason if e.reason else ''})" for e in judged if e.verdict in ("not_supported",
                                                                                                "contradicted")]
        rate = sum(e.verdict == "supported" for e in judged) / len(judged) if judged else 1.0
        sys.stdout.write(f"{document}: {sum(e.verdict == 'supported' for e in judged)} of {len(judged)} items "
                         f"supported ({rate:.0%})\n")
    for problem in problems:
        sys.stderr.write(f"briefing: {document}: {problem}\n")
    if problems:
        what = "items its cited sentences do not state" if matched else "the briefing does not match its sources"
        raise VerificationFailedError(f"{len(problems)} problem(s) found; {what}")
    sys.stdout.write(f"{document}: every citation, quote and source hash matches\n")


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the briefing document that --format json writes."""
    import json

    from .document import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command()
@with_settings("model", "base_url", "api_key", "model_path", "hf_model", "local_model", "timeout", "context_window")
def doctor(ctx: typer.Context, **flags: Any) -> None:
    """Report which backend the settings select and what it supports (probes a server's JSON modes)."""
    from .backends.doctor import diagnose

    conf = _resolve(**flags, max_retries=0).settings
    for line in diagnose(_backend(ctx, conf)):
        sys.stdout.write(f"{line}\n")
        sys.stdout.flush()


@app.command("config")
def config_cmd() -> None:
    """Show every effective setting and where it came from (flag, environment, briefing.toml, default)."""
    from .settings import config_files

    files = config_files()
    sys.stdout.write(f"config files: {', '.join(map(str, files)) or 'none'}\n")
    sys.stdout.write("".join(f"{line}\n" for line in _resolve().describe()))


@prompts_app.command("list")
@with_settings("prompts")
def prompts_list(**flags: Any) -> None:
    """Every template, what it is for, and the file it is loaded from."""
    from .templates import TEMPLATES, PromptSet, search_dirs

    prompt_set = PromptSet(search_dirs(_resolve(**flags).settings.generate.prompts))
    for name, (purpose, _) in TEMPLATES.items():
        sys.stdout.write(f"{name:<16} {purpose}\n{'':<16} from {prompt_set.where(name)}\n")


@prompts_app.command("show")
@with_settings("prompts")
def prompts_show(name: Annotated[str, typer.Argument(help="A template name, e.g. request.j2.")],
                 **flags: Any) -> None:
    """Print the template a name resolves to."""
    from .templates import PromptSet, search_dirs

    sys.stdout.write(PromptSet(search_dirs(_resolve(**flags).settings.generate.prompts)).source(name))


@prompts_app.command("init")
def prompts_init(
    folder: Annotated[Path | None, typer.Argument(help="Where to copy them (the user config folder).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace templates you have edited.")] = False,
) -> None:
    """Copy the packaged templates into a folder to edit; edited files are kept unless --force."""
    from .templates import init_folder, user_dir

    for line in init_folder(folder or user_dir(), force):
        sys.stdout.write(f"{line}\n")


@prompts_app.command("lint")
def prompts_lint(
    folder: Annotated[Path | None, typer.Argument(help="Templates to check (the configured folders).")] = None,
) -> None:
    """Check user templates before a run: syntax, unknown variables, and what the pipeline needs."""
    from .templates import lint, search_dirs

    folders = [folder] if folder else search_dirs(_resolve().settings.generate.prompts)
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


def run(args: list[str] | None = None, seams: Seams | None = None) -> int:
    """Run the CLI and return its exit code, without leaving the process (for tests and embedding).

    Args:
        args: the command line after `briefing` (default: sys.argv).
        seams: replacements for parts of the library, such as a fake backend in tests.
    """
    try:
        app(args=args, prog_name="briefing", obj=seams)  # typer reports usage errors itself, exit code 2
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



