"""What `--dry-run` prints: the exact messages a run would send and its token budget; no model call."""

from __future__ import annotations

from . import pipeline, stages
from .backends.base import Backend
from .settings import GenerateOptions
from .sources import Source


def dry_run(sources: list[Source], backend: Backend, options: GenerateOptions | None = None) -> str:
    """The messages of the briefing request as the backend would send them, then its budget. Sources
    too long for one call show the plan of a staged run and the first part's notes request instead:
    the briefing request is built from notes that do not exist yet.

    Raises:
        TooLargeError: even staged, the sources cannot be read.
        ConfigError: a template fails.
    """
    options = options or GenerateOptions()
    prepared = pipeline.prepare(sources, backend, options)
    if pipeline.fits(prepared):
        parts = [f"=== {m['role']} ===\n{m['content'].rstrip()}\n" for m in prepared.sent]
        return "\n".join([*parts, f"=== budget ===\n{prepared.budget_line()}\n"])
    plan = pipeline.plan_stages(sources, backend, options)
    first = backend.prepare(stages.request_for(plan.parts[0], sources, options, prepared.prompt_set, plan)).messages
    shown = [f"=== part 1 of {len(plan.parts)}: {m['role']} ===\n{m['content'].rstrip()}\n" for m in first]
    lines = [f"part {p.number}: sentences {p.sentences[0].id}-{p.sentences[-1].id}, about {p.tokens:,} tokens"
             for p in plan.parts]
    return "\n".join([*shown, "=== plan ===\n" + plan.describe() + "\n" + "\n".join(lines) + "\n",
                      f"=== budget of a single call ===\n{prepared.budget_line()}\n"])
