"""Sources longer than the window: notes from each part, then the briefing from the notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.backends.base import ChatRequest, ChatResult, ProgressCallback
from briefing.ingest import load_sources
from briefing.pipeline import generate, plan_stages
from briefing.settings import GenerateOptions
from briefing.verify import verify

from conftest import CliRun
from helpers import SEED, FakeBackend, as_json, good_briefing

WINDOW = 2300  # the sample article's one-call prompt (about 1,900 tokens) and a 512-token answer do not fit
# The canned notes and briefing are not what the parts say: the support check has its own tests.
OPTIONS = GenerateOptions(max_tokens=512, support_check=False)


class NotingBackend(FakeBackend):
    """Answers each notes request with two points citing the part's first sentences, then briefs."""

    def __init__(self, *outputs: str, fail_at: int | None = None):
        super().__init__(*outputs)
        self.context_window = WINDOW
        self.fail_at = fail_at

    def chat(self, request: ChatRequest, progress: ProgressCallback | None = None) -> ChatResult:
        points = request.json_schema.get("properties", {}).get("points")
        if points is None:
            return super().chat(request, progress)
        self.requests.append(request)
        if self.fail_at is not None and len(self.requests) == self.fail_at:
            raise KeyboardInterrupt
        ids = points["items"]["properties"]["citations"]["items"]["enum"]
        notes = {"points": [{"point": f"Point from {ids[0]}.", "citations": [ids[0]]},
                            {"point": f"Point from {ids[1]}.", "citations": [ids[1], "9.9"]}]}
        return ChatResult(json.dumps(notes), "stop", self.model)


def _final(briefing_ids: list[str]) -> str:
    """A briefing citing only sentences the notes cite."""
    a = briefing_ids[0]
    return as_json(good_briefing(
        actors=[{"name": "Antony Blinken", "kind": "official", "role": "Secretary of State",
                 "interests": "Support Ukraine", "citations": [a]}],
        positions=[], timeline=[],
        risks=[],  # a risk cites a sentence stating a possibility: none among these
        open_questions=[]))  # nor one that leaves a question open


def test_a_source_set_too_long_for_the_window_is_planned_in_parts_at_paragraph_boundaries() -> None:
    sources = load_sources([SEED])
    plan = plan_stages(sources, NotingBackend(), OPTIONS)
    assert len(plan.parts) >= 2
    ids = [s.id for part in plan.parts for s in part.sentences]
    assert ids == [s.id for s in sources[0].sentences]  # every sentence once, in order
    assert all(p.tokens <= WINDOW for p in plan.parts)


def test_the_briefing_is_written_from_the_notes_and_cites_the_original_ids(tmp_path: Path) -> None:
    sources = load_sources([SEED])
    plan = plan_stages(sources, NotingBackend(), OPTIONS)
    firsts = [p.sentences[0].id for p in plan.parts]
    backend = NotingBackend(_final(firsts))
    run = generate(sources, backend, OPTIONS)
    final = backend.requests[-1]
    user = final.messages[1]["content"]
    assert f"- Point from {firsts[0]}. [{firsts[0]}]" in user  # the notes, with their citations (9.9 dropped)
    cited = set(final.json_schema["$defs"]["Position"]["properties"]["citations"]["items"]["enum"])
    noted = {s.id for p in plan.parts for s in p.sentences[:2]}
    # The actors are the names the whole sources write most, each shown in sentences that name it.
    named = final.json_schema["$defs"]["Position"]["properties"]["actor"]["enum"]
    first = {name: ids for name, (_, ids) in backend_mentions(sources, backend).items()}
    assert noted <= cited and set(named) == set(first)
    # A risk may cite only a sentence of the view that states a possibility (`possibility`).
    risky = final.json_schema["$defs"]["Risk"]["properties"]["citations"]["items"].get("enum", [])
    assert set(risky) <= cited
    assert all(set(first[name][:2]) <= cited for name in named)
    assert [a.kind for a in run.attempts] == [f"notes {n}/{len(plan.parts)}" for n in range(1, len(plan.parts) + 1)] + [
        "generate", "support"]
    assert verify(run.to_document(), sources) == []  # quotes are the sources' own sentences


def backend_mentions(sources: list, backend: FakeBackend) -> dict:
    """The actors as the one-call request would list them, from the whole sources."""
    from briefing.pipeline import prepare

    return prepare(sources, backend, OPTIONS).mentions


def test_an_interrupted_staged_run_resumes_from_the_notes_it_kept() -> None:
    sources = load_sources([SEED])
    plan = plan_stages(sources, NotingBackend(), OPTIONS)
    with pytest.raises(KeyboardInterrupt):
        generate(sources, NotingBackend(fail_at=2), OPTIONS)  # stopped while reading part 2
    again = NotingBackend(_final([p.sentences[0].id for p in plan.parts]))
    generate(sources, again, OPTIONS)
    noted = [r for r in again.requests if "points" in r.json_schema.get("properties", {})]
    assert len(noted) == len(plan.parts) - 1  # part 1 came from the notes kept on disk


def test_a_second_briefing_with_another_focus_reuses_the_notes() -> None:
    from dataclasses import replace

    sources = load_sources([SEED])
    firsts = [p.sentences[0].id for p in plan_stages(sources, NotingBackend(), OPTIONS).parts]
    first = NotingBackend(_final(firsts))
    generate(sources, first, replace(OPTIONS, focus="What will Europe do?"))
    second = NotingBackend(_final(firsts))
    generate(sources, second, replace(OPTIONS, focus="What happens to aid for Ukraine?"))
    assert [r for r in first.requests if "points" in r.json_schema.get("properties", {})]
    assert [r.json_schema.get("properties", {}).get("points") for r in second.requests] == [None]  # the briefing only
    assert "What happens to aid for Ukraine?" in second.requests[0].messages[1]["content"]


def test_dry_run_shows_the_plan(run_cli: CliRun, backend: FakeBackend, capsys: pytest.CaptureFixture[str]) -> None:
    backend.context_window = WINDOW
    assert run_cli(["generate", str(SEED), "--dry-run", "--max-tokens", "512"]) == 0
    out = capsys.readouterr().out
    assert "=== plan ===\nstaged: the sources do not fit one 2,300-token call;" in out
    assert "=== part 1 of" in out and "Take notes for a policy briefing" in out
    assert backend.requests == []
