import json
import re

import pytest
from pydantic import ValidationError

from briefing.request_schema import json_schema
from briefing.schema import Briefing, listed_name

from helpers import good_briefing


def test_valid_briefing_round_trips() -> None:
    briefing = Briefing.model_validate(good_briefing())
    assert briefing.citation_ids()[:3] == ["1.2", "1.3", "1.20"]


def test_unknown_fields_are_forbidden() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Briefing.model_validate(good_briefing(verdict="buy"))


def test_lists_are_bounded() -> None:
    actor = good_briefing()["actors"][0]
    with pytest.raises(ValidationError, match="at most 24"):
        Briefing.model_validate(good_briefing(actors=[actor] * 25))


def test_position_must_name_a_listed_actor() -> None:
    position = {"actor": "Vladimir Putin", "issue": "war", "stance": "continue the war", "citations": ["1.22"]}
    with pytest.raises(ValidationError, match="not in actors"):
        Briefing.model_validate(good_briefing(positions=[position]))


def test_position_naming_an_actor_by_part_of_the_name_is_resolved() -> None:
    position = {"actor": "Blinken", "issue": "aid", "stance": "more aid now", "citations": ["1.9"]}
    briefing = Briefing.model_validate(good_briefing(positions=[position]))
    assert briefing.positions[0].actor == "Antony Blinken"


def test_listed_name_matches_whole_words_only() -> None:
    names = ["Russia", "Antony Blinken", "Joe Biden"]
    assert listed_name("US", names) is None
    assert listed_name("blinken", names) == "Antony Blinken"
    assert listed_name("Biden", ["Joe Biden", "Biden administration"]) is None  # ambiguous


def test_citation_ids_must_look_like_ids() -> None:
    with pytest.raises(ValidationError):
        Briefing.model_validate(good_briefing(timeline=[{"date": "Nov. 5", "event": "x", "citations": ["Nov 5"]}]))


def test_schema_restricts_citations_to_the_real_ids() -> None:
    schema = json_schema(["1.1", "1.2"])
    for name in ("Actor", "Position", "Risk", "OpenQuestion", "TimelineEvent"):
        assert schema["$defs"][name]["properties"]["citations"]["items"]["enum"] == ["1.1", "1.2"]
    assert schema["additionalProperties"] is False
    assert '"title": "' not in json.dumps(schema)  # no auto titles: they cost tokens per request


def test_schema_falls_back_to_a_pattern_for_huge_sources() -> None:
    schema = json_schema([f"1.{i}" for i in range(1, 2000)])
    item = schema["$defs"]["Actor"]["properties"]["citations"]["items"]
    assert "enum" not in item and item["pattern"]


def test_a_timeline_event_s_date_is_one_the_sources_write_and_its_evidence_writes_it() -> None:
    schema = json_schema(["1.1", "1.2", "1.3"], {"Nov. 5": ["1.3"], "Jan. 20": ["1.1", "1.3"]})
    choices = schema["$defs"]["TimelineEvent"]["anyOf"]
    assert [(c["properties"]["date"]["enum"][0], c["properties"]["citations"]["items"]["enum"]) for c in choices] == [
        ("Nov. 5", ["1.3"]), ("Jan. 20", ["1.1", "1.3"])]
    assert list(choices[0]["properties"]) == ["date", "citations", "event"]
    assert schema["$defs"]["Actor"]["properties"]["citations"]["items"]["enum"] == ["1.1", "1.2", "1.3"]
    assert json_schema(["1.1"], {})["properties"]["timeline"]["maxItems"] == 0


def test_text_cut_at_its_length_cap_is_marked() -> None:
    from briefing.content import mark_cut_text

    cut = "The Biden administration is set to travel to Brussels " * 5
    briefing = Briefing.model_validate(good_briefing(
        risks=[{**good_briefing()["risks"][0], "description": cut[:240]}], title="Short title"))
    assert mark_cut_text(briefing) == ["risks[0].description"]
    text = briefing.risks[0].description
    head = text.removesuffix("…")
    assert text.endswith("…") and len(text) <= 240
    assert cut.startswith(head) and cut[len(head)] == " "  # cut back to a whole word
    assert briefing.title == "Short title"


def test_a_text_that_ends_its_sentence_at_the_cap_is_not_marked_cut() -> None:
    from briefing.content import mark_cut_text

    words = ("Allies fear the aid will stop " * 10)[:220]
    finished = words + "x" * (239 - len(words)) + "."  # a full stop on the 240th character
    briefing = Briefing.model_validate(good_briefing(risks=[{**good_briefing()["risks"][0], "description": finished}]))
    assert len(briefing.risks[0].description) == 240 and mark_cut_text(briefing) == []
    dots = finished[:238] + ".."  # dots in a row are no full stop
    briefing = Briefing.model_validate(good_briefing(risks=[{**good_briefing()["risks"][0], "description": dots}]))
    assert mark_cut_text(briefing) == ["risks[0].description"]


def test_a_role_stopped_by_the_request_s_pattern_is_marked_cut_at_a_whole_word() -> None:
    from briefing.content import mark_cut_text
    from briefing.schema import ROLE_PATTERN

    stopped = "CEO of the New America think tank and a formerU"  # the pattern's 40 characters after two words
    assert re.match(ROLE_PATTERN, stopped)
    actors = [{**good_briefing()["actors"][0], "role": stopped}, good_briefing()["actors"][1]]
    briefing = Briefing.model_validate(good_briefing(actors=actors))
    assert mark_cut_text(briefing) == ["actors[0].role"]
    assert briefing.actors[0].role == "CEO of the New America think tank…"  # not on "and a"
    assert briefing.actors[1].role == good_briefing()["actors"][1]["role"]


@pytest.mark.parametrize(("role", "shown"), [
    ("A country facing mounting pressure from Russia on", "A country facing mounting pressure from Russia…"),
    ("President-elect of the United States, who is expected to",
     "President-elect of the United States, who is expected…"),
    ("The country that invaded Ukraine in 2022, which has", "The country that invaded Ukraine in 2022…"),
    ("The country where the administration is based,", "The country where the administration is based…"),
    ("Countries involved in the conflict, particularly", "Countries involved in the conflict…"),
    ("Secretary of State on his last trip", "Secretary of State on his last trip"),  # short: finished
    ("Alliance the United States leads in Europe", "Alliance the United States leads in Europe"),
])
def test_a_role_the_pattern_stopped_before_a_word_that_did_not_fit_is_marked_cut(role: str, shown: str) -> None:
    from briefing.content import mark_cut_text
    from briefing.schema import ROLE_PATTERN

    assert re.match(ROLE_PATTERN, role)
    actors = [{**good_briefing()["actors"][0], "role": role}]
    briefing = Briefing.model_validate(good_briefing(actors=actors, positions=[]))
    mark_cut_text(briefing)
    assert briefing.actors[0].role == shown


def test_a_role_in_the_sources_words_may_run_past_the_model_s_cap_and_is_not_marked_cut() -> None:
    from briefing.content import mark_cut_text
    from briefing.schema import ROLE_PATTERN

    role = "spokesman for the Pennsylvania Department of Transportation"  # 44 characters after two words
    assert not re.match(ROLE_PATTERN, role)
    actors = [{**good_briefing()["actors"][0], "role": role}]
    briefing = Briefing.model_validate(good_briefing(actors=actors, positions=[]))
    assert mark_cut_text(briefing) == [] and briefing.actors[0].role == role
    # So may a title of one word ("President Ana Lee").
    title = [{**good_briefing()["actors"][0], "role": "President"}]
    assert Briefing.model_validate(good_briefing(actors=title, positions=[])).actors[0].role == "President"
    # The model is still held to its own cap where it lists the actors; where they are the names the
    # sources write, it writes no role.
    assert json_schema(["1.1"])["$defs"]["Actor"]["properties"]["role"]["pattern"] == ROLE_PATTERN
    assert "actors" not in json_schema(["1.1"], None, None, ["Ana Lee"])["properties"]


def test_the_stance_pattern_is_the_model_s_own() -> None:
    """What the request asks for is what the answer is validated against, in every mode (a role the
    model writes is held to its pattern by the pipeline: `test_pipeline`)."""
    with pytest.raises(ValidationError, match="positions.0.stance"):
        position = {"actor": "Antony Blinken", "issue": "aid", "stance": "neutral", "citations": ["1.9"]}
        Briefing.model_validate(good_briefing(positions=[position]))
    schema = json_schema(["1.1"])
    assert re.search(schema["$defs"]["Position"]["properties"]["stance"]["pattern"], "neutral") is None


def test_the_long_length_is_the_schema_s_maxima() -> None:
    from briefing.request_schema import LENGTHS
    from briefing.schema import most

    long = LENGTHS["long"]
    assert (long.named_actors, long.positions, long.risks, long.open_questions, long.timeline) == tuple(
        most(f) for f in ("actors", "positions", "risks", "open_questions", "timeline"))


def test_every_written_text_is_walked_once_in_schema_order() -> None:
    from briefing.schema import written_texts

    paths = [t.path for t in written_texts(Briefing.model_validate(good_briefing()))]
    assert paths[:5] == ["title", "bottom_line", "context", "actors[0].name", "actors[0].role"]
    assert "risks[0].indicators[0]" in paths and "timeline[0].date" in paths
    assert not any(p.endswith((".kind", ".citations", ".actor", ".likelihood")) for p in paths)
    free = [t.path for t in written_texts(Briefing.model_validate(good_briefing())) if t.written.free]
    assert "title" not in free and "open_questions[0].question" in free
