"""The names the sources write, found before the model writes, with aliases merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import actors
from briefing.ingest import load_source, load_sources
from briefing.pipeline import generate, prepare
from briefing.schema import cite_actors
from briefing.settings import GenerateOptions

from helpers import SEED, FakeBackend, as_json, good_briefing

NAMED = GenerateOptions(named_actors=True)
pytestmark = pytest.mark.skipif(not actors.available(), reason="the spaCy pipeline is not installed")

STORY = """Foreign Minister Ana Duarte met Prime Minister Kenji Sato in Geneva on Monday.
Duarte said Portugal would back the plan; Sato's government was cautious.
The World Health Organization (WHO) welcomed the talks, and the WHO will send experts.
Portuguese farmers protested outside the venue.
"""


def test_people_organisations_and_countries_are_found_with_their_aliases(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    found = {c.name: c for c in actors.find([load_source(path)])}
    assert found["Ana Duarte"].sentence_ids == ["1.1", "1.2"]  # "Duarte" is her too
    assert "Duarte" in found["Ana Duarte"].aliases and "Duarte" not in found
    assert found["World Health Organization"].mentions >= 2  # "WHO" folded in
    assert "Portugal" in found


def test_the_schema_limits_actor_names_to_the_candidates_and_cites_them_from_their_mentions() -> None:
    backend = FakeBackend(as_json(good_briefing()))
    prepared = prepare(load_sources([SEED]), backend, NAMED)
    names = prepared.request.json_schema["$defs"]["Actor"]["properties"]["name"]["enum"]
    assert "Donald Trump" in names and "Antony Blinken" in names
    assert "citations" not in prepared.request.json_schema["$defs"]["Actor"]["properties"]
    assert "Named in the sources, most mentioned first: Donald Trump; " in prepared.request.messages[1]["content"]
    drafted = {"actors": [{"name": "Antony Blinken", "kind": "official", "role": "r", "interests": "i"}]}
    cited = cite_actors(drafted, prepared.mentions)
    assert cited["actors"][0]["citations"] == prepared.mentions["Antony Blinken"][:2]


def test_an_answer_without_actor_citations_is_completed_from_the_mentions() -> None:
    briefing = good_briefing()
    for actor in briefing["actors"]:
        del actor["citations"]
    run = generate(load_sources([SEED]), FakeBackend(as_json(briefing)), NAMED)
    assert all(a.citations for a in run.briefing.actors)
    assert run.briefing.actors[0].citations[0] in run.quotes


def test_a_position_on_a_name_the_answer_did_not_list_as_an_actor_is_left_out_not_a_failure() -> None:
    briefing = good_briefing()
    for actor in briefing["actors"]:
        del actor["citations"]
    briefing["positions"].append({"actor": "Joe Biden", "issue": "Aid", "stance": "Wants aid sent now",
                                  "citations": ["1.5"]})
    run = generate(load_sources([SEED]), FakeBackend(as_json(briefing)), NAMED)
    assert [p.actor for p in run.briefing.positions] == ["Donald Trump"]
    assert len(run.attempts) == 1


def test_names_are_not_looked_up_unless_asked_for() -> None:
    prepared = prepare(load_sources([SEED]), FakeBackend())
    assert prepared.mentions == {} and "Named in the sources" not in prepared.request.messages[1]["content"]
