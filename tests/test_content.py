"""Content checks the schema cannot express: repeated fields, bare-name signposts, loose dates."""

from __future__ import annotations

from briefing.content import problems
from briefing.grounding import sentence_index
from briefing.ingest import load_sources
from briefing.pipeline import generate
from briefing.schema import Briefing

from helpers import SEED, FakeBackend, as_json, good_briefing


def _problems(**changes: object) -> list[str]:
    return problems(Briefing.model_validate(good_briefing(**changes)), sentence_index(load_sources([SEED])))


def test_a_good_briefing_has_no_problems() -> None:
    assert _problems() == []


def test_a_field_that_repeats_another_is_a_problem() -> None:
    repeated = good_briefing()["actors"]
    repeated[1]["interests"] = "Lock in support for Ukraine!"  # the same words as actors[0].interests
    assert _problems(actors=repeated) == [
        "actors[1].interests repeats actors[0].interests: write something that actors[0].interests does not "
        "already say"]


def test_a_signpost_that_is_only_a_name_is_a_problem() -> None:
    risks = good_briefing()["risks"]
    risks[0]["indicators"] = ["Antony Blinken; Trump", "Aid deliveries after January 20"]
    found = _problems(risks=risks)
    assert len(found) == 1 and found[0].startswith("risks[0].indicators[0] ('Antony Blinken; Trump') is only a name")


def test_a_timeline_date_not_written_in_its_cited_sentence_is_a_problem() -> None:
    loose = [{"date": "2022", "event": "Blinken travels", "citations": ["1.2"]}]
    assert _problems(timeline=loose)[0].startswith("timeline[0]: the date '2022' is not written in its cited")


def test_content_problems_are_warnings_for_the_reader_not_a_second_generation() -> None:
    loose = good_briefing(timeline=[{"date": "2022", "event": "Blinken travels", "citations": ["1.2"]}])
    backend = FakeBackend(as_json(loose))
    run = generate(load_sources([SEED]), backend)
    assert [a.kind for a in run.attempts] == ["generate"]
    assert any(w.startswith("timeline[0]: the date '2022'") for w in run.grounding.warnings)
