"""The briefing document: what `--format json` writes, `render` and `verify` read, and downstream
tools can validate against the published JSON Schema (`briefing schema`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .errors import InputError
from .record import Attempt, Usage
from .schema import SCHEMA_VERSION, Briefing


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroundingSummary(_Closed):
    cited: int = Field(description="How many distinct sentences the briefing cites.")
    unknown: list[str] = Field(default_factory=list,
                               description="Cited ids no source has: always empty, a briefing with any is refused.")
    warnings: list[str] = Field(description="Claims the evidence does not show, for the reader.")


class SupportEntry(_Closed):
    """One model-written item judged against the sentences it cites (`briefing.support`)."""

    item: str = Field(description="Where it is in the briefing (\"risks[0]\", \"title\"); for a dropped item, "
                      "where it was.")
    claim: str = Field(description="The item as judged; for a repaired one, as repaired.")
    verdict: Literal["supported", "partly", "not_supported", "contradicted"]
    judge: str = Field(description="The model that judged it, or \"facts\" (a number or date no cited sentence "
                       "writes).")
    cited: list[str]
    action: Literal["kept", "repaired", "dropped", "replaced"] = Field(
        description="kept as written, repaired once, dropped, or replaced by the cited sentences' own words.")
    reason: str = ""


class RunInfo(_Closed):
    """How the briefing was made."""

    model: str
    backend: str
    structured_output: str
    prompt_hashes: dict[str, str] = Field(description="sha256 of every template used, by name.")
    attempts: list[Attempt]
    usage: Usage
    seconds: float
    grounding: GroundingSummary
    generated_at: str
    ai_directed_shown: bool = Field(default=False, description="Flagged sentences were shown to the model "
                                    "(--show-ai-directed) instead of withheld.")
    support: list[SupportEntry] | None = Field(
        default=None, description="Each model-written item judged against the sentences it cites; null when "
        "the check was off (--no-support-check).")


class SourceEntry(_Closed):
    """A source as the briefing knows it; `verify` checks the file against `sha256`."""

    id: str
    origin: str = Field(description="The path, URL or 'stdin' it was loaded from.")
    title: str
    sha256: str = Field(description="Of the bytes as read (before decoding and extraction).")
    sentences: int
    links: list[str] = Field(description="The http(s) URLs the source writes: the only links a report keeps.")
    # The AI-directed sentences (`Sentence.ai_directed`), under their name in schema version 1.
    addresses_ai: list[str] = Field(description="Ids of sentences withheld from the model as instructions to AI.")
    authors: list[str] = Field(default_factory=list, description="From a byline or the page's metadata.")
    credits: list[str] = Field(default_factory=list, description="Reporting, writing and editing credits.")
    dateline: str | None = Field(default=None, description="The place the story was filed from.")
    published: str | None = Field(default=None, description="The publication date the page's metadata gives.")
    sentence_pages: list[int] = Field(default_factory=list,
                                      description="The page of each sentence, in order (paged documents such as PDF).")

    def page_of(self, sentence_id: str) -> int | None:
        """The page of one of this source's sentences, if the source has pages."""
        number = int(sentence_id.split(".")[1])
        return self.sentence_pages[number - 1] if 0 < number <= len(self.sentence_pages) else None


class BriefingDocument(_Closed):
    """A validated briefing, the quoted text of every cited sentence, its sources and run."""

    schema_version: Literal[1]  # schema.SCHEMA_VERSION
    briefing: Briefing
    quotes: dict[str, str] = Field(description="Each cited sentence's text, copied from its source, by id.")
    sources: list[SourceEntry]
    run: RunInfo

    @model_validator(mode="after")
    def _every_citation_quoted(self, info: ValidationInfo) -> BriefingDocument:
        # `verify` reads a document whose quotes may not match (it reports each as a problem);
        # everything else needs every cited sentence quoted.
        missing = self.unquoted()
        if missing and not (info.context or {}).get("unquoted_ok"):
            raise ValueError(f"the document has no quoted sentence for citation {missing[0]}")
        return self

    def unquoted(self) -> list[str]:
        """Cited ids the document has no quote for (none in a document the pipeline wrote)."""
        return [i for i in self.briefing.citation_ids() if i not in self.quotes]

    @classmethod
    def parse(cls, data: object, where: str = "the document", *, unquoted_ok: bool = False) -> BriefingDocument:
        """Validate decoded JSON.

        Args:
            unquoted_ok: accept citations without a quote (for `verify`, which reports them).

        Raises:
            InputError: wrong schema version, an invalid briefing, or missing quotes or sources.
        """
        if not isinstance(data, dict):
            raise InputError(f"{where}: not a briefing document")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise InputError(f"{where}: not a briefing document of schema version {SCHEMA_VERSION}")
        try:
            return cls.model_validate(data, context={"unquoted_ok": unquoted_ok})
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in err["loc"])
            detail = f"{loc}: {err['msg']}" if loc else err["msg"]
            raise InputError(f"{where}: the briefing document is not valid ({detail})") from e

    @classmethod
    def load(cls, path: Path, *, unquoted_ok: bool = False) -> BriefingDocument:
        """Read a document written by `generate --format json` (`unquoted_ok`: as for `parse`).

        Raises:
            InputError: missing, unreadable, not JSON or not a valid briefing document.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise InputError(f"{path}: no such file") from e
        except IsADirectoryError as e:
            raise InputError(f"{path}: is a directory, not a briefing JSON file") from e
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{path}: cannot read it ({e})") from e
        except json.JSONDecodeError as e:
            raise InputError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from e
        return cls.parse(data, str(path), unquoted_ok=unquoted_ok)

    def page_of(self, sentence_id: str) -> int | None:
        """The page a cited sentence is on, for paged sources."""
        source = next((s for s in self.sources if s.id == sentence_id.split(".")[0]), None)
        return source.page_of(sentence_id) if source else None

    def dump(self) -> str:
        """The document as stable, readable JSON (the same run gives the same bytes)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a briefing document, for validating briefings downstream."""
    schema = BriefingDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"briefing document, schema version {SCHEMA_VERSION}"
    return schema
