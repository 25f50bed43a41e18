"""One model call: run it, record what it cost, and stop on an answer that cannot be used."""

from __future__ import annotations

import time
from typing import Any

from .backends.base import Backend, ChatRequest, ChatResult, ProgressCallback
from .errors import ModelRefusedError, TruncatedOutputError
from .record import Attempt


class Unanswered(Exception):  # noqa: N818 (not an error: the answers come in a later round)
    """Requests a backend has no answer for yet: a batch engine answers them in the next round
    (`rounds`). Not a `BriefingError`: the item waits, it has not failed."""

    def __init__(self, custom_ids: list[str]):
        super().__init__(f"{len(custom_ids)} requests wait for an answer")
        self.custom_ids = custom_ids


def each(results: list[Any]) -> list[Any]:
    """The results of calls made side by side, when every one was answered; else the requests of
    all those that were not, together (one round asks them all at once).

    Raises:
        Unanswered: some results are `Unanswered`.
    """
    waiting = [cid for r in results if isinstance(r, Unanswered) for cid in r.custom_ids]
    if waiting:
        raise Unanswered(waiting)
    return results


def call(backend: Backend, request: ChatRequest, kind: str,
         progress: ProgressCallback | None = None, *, cut_ok: bool = False) -> tuple[ChatResult, Attempt]:
    """Run one request; the attempt's `errors` are for the caller to fill in. With `cut_ok` an
    answer stopped at `max_tokens` is returned, not refused (the support judge reads a label off
    its first tokens).

    Raises:
        ModelRefusedError: the model refused or a content filter stopped it.
        TruncatedOutputError: the answer was cut off at the request's `max_tokens`.
        BackendError: the backend failed.
    """
    start = time.monotonic()
    result = backend.chat(request, progress)
    attempt = Attempt(kind=kind, prompt_tokens=result.usage.prompt_tokens,
                      completion_tokens=result.usage.completion_tokens, finish_reason=result.finish_reason,
                      seconds=round(time.monotonic() - start, 2), errors=[])
    if not (cut_ok and result.finish_reason == "length"):
        check_stop(result, request.max_tokens)
    return result, attempt


def check_stop(result: ChatResult, max_tokens: int) -> None:
    """Refuse an answer the model did not finish.

    Raises:
        ModelRefusedError, TruncatedOutputError: as for `call`.
    """
    if result.refusal:
        raise ModelRefusedError(f"the model refused: {' '.join(result.refusal.split())[:200]}")
    if result.finish_reason == "content_filter":
        raise ModelRefusedError("the model's content filter stopped the answer")
    if result.finish_reason == "length":
        raise TruncatedOutputError(
            f"the model's answer was cut off at {max_tokens} tokens: raise --max-tokens or shorten the sources"
        )
