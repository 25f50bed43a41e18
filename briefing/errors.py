"""Every error a user can see, each with its documented exit code."""

from __future__ import annotations


class BriefingError(Exception):
    """Base class: the CLI prints the message on one line and exits with `exit_code`."""

    exit_code = 1


class InputError(BriefingError):
    """A source cannot be used: missing, a directory, empty, unreadable."""

    exit_code = 3


class TooLargeError(InputError):
    """The sources and prompt do not fit the model's context window."""

    exit_code = 10


class FetchError(InputError):
    """A URL could not be fetched: unreachable, an error status, too many redirects, not a page."""

    exit_code = 11


class ConfigError(BriefingError):
    """Settings are missing or contradict each other (no backend, bad model file, bad template)."""

    exit_code = 4


class BackendError(BriefingError):
    """The model server or the local model failed or could not be reached."""

    exit_code = 5


class ModelRefusedError(BriefingError):
    """The model refused the request or a content filter stopped it."""

    exit_code = 6


class TruncatedOutputError(BriefingError):
    """The model ran out of output tokens; truncated JSON is never repaired."""

    exit_code = 7


class ValidationFailedError(BriefingError):
    """The output failed validation even after the repair round; `raw_output` is the last answer
    (the CLI saves it to a file and names it)."""

    exit_code = 8

    def __init__(self, message: str, *, raw_output: str, errors: list[str], n_attempts: int):
        super().__init__(message)
        self.raw_output = raw_output
        self.errors = errors
        self.n_attempts = n_attempts


class VerificationFailedError(BriefingError):
    """`briefing verify` found citations, quotes or hashes that do not match the sources."""

    exit_code = 12


class BatchFailedError(BriefingError):
    """`briefing batch` finished, and at least one item failed (each has its line in batch.jsonl)."""

    exit_code = 13


class OutputExistsError(BriefingError):
    """The output file exists and --force was not given."""

    exit_code = 9
