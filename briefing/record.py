"""The record of a model call: what it cost and how it ended. Imports nothing else of briefing,
so every layer (backends, stages, the pipeline, the saved document) can use it without a cycle."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


# Tokens of one request, or of a whole run (usages add up). No docstring: it would change the
# published JSON Schema of the document (`briefing schema`).
class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt_tokens: int
    completion_tokens: int

    def __add__(self, other: Usage) -> Usage:
        return Usage(prompt_tokens=self.prompt_tokens + other.prompt_tokens,
                     completion_tokens=self.completion_tokens + other.completion_tokens)


class Attempt(BaseModel):
    """One model call: why it ran, what it cost and what was wrong with its output."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="generate, repair, notes (a part of a long document), support (the support "
                      "judge's calls, summed) or support repair")
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    seconds: float
    errors: list[str] = Field(description="What failed validation; empty when the output passed.")

    @property
    def usage(self) -> Usage:
        return Usage(prompt_tokens=self.prompt_tokens, completion_tokens=self.completion_tokens)


def total(attempts: list[Attempt]) -> Usage:
    """The usage of a run: its calls' usages summed."""
    return sum((a.usage for a in attempts), NO_USAGE)


NO_USAGE = Usage(prompt_tokens=0, completion_tokens=0)
