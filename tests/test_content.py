"""Content checks the schema cannot express: repeated fields, bare-name signposts, loose dates."""

from __future__ import annotations

from briefing.content import problems
from briefing.grounding import sentence_index
from briefing.ingest import load_sources
from briefing.pipeline import generate
from briefing.schema import Briefing
from briefing.settings import GenerateOptions

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
    # The support check would send 2022 back (no cited sentence writes it): this is the check before it.
    run = generate(load_sources([SEED]), backend, GenerateOptions(support_check=False))
    assert [a.kind for a in run.attempts] == ["generate", "support"]  # the title, bottom line and context judged
    assert any(w.startswith("timeline[0]: the date '2022'") for w in run.grounding.warnings)


def test_an_event_taken_from_a_sentence_that_dates_it_otherwise_is_dropped() -> None:
    from briefing.content import drop_miscited_events
    from briefing.sources import date_mentions

    sources = load_sources([SEED])
    sentences = sentence_index(sources)
    # 1.8 writes "Jan. 20"; the event is sentence 1.3's, which dates it "Nov. 5".
    wrong = {"date": "Jan. 20", "citations": ["1.8"],
             "event": "Blinken embarks on his first overseas trip, with a stop in Brussels before Peru and Brazil"}
    right = {"date": "Jan. 20", "citations": ["1.8"], "event": "Trump assumes office"}
    inferred = {"date": "Nov. 5", "citations": ["1.3"], "event": "Trump wins the election"}
    briefing = Briefing.model_validate(good_briefing(timeline=[wrong, right, inferred]))
    warnings = drop_miscited_events(briefing, sentences, date_mentions(sources))
    assert [e.event for e in briefing.timeline] == ["Trump assumes office", "Trump wins the election"]
    assert warnings == [f"timeline[0] dropped: {wrong['event']!r} is what sentence 1.3 says, dated Nov. 5 there, "
                        "not 'Jan. 20'"]


def test_an_event_from_a_sentence_that_writes_no_date_is_dropped() -> None:
    from briefing.content import drop_miscited_events
    from briefing.sources import date_mentions

    sources = load_sources([SEED])
    # 1.8 writes "Jan. 20" (Trump takes office); the event is what the undated 1.9 says.
    wrong = {"date": "Jan. 20", "citations": ["1.8"],
             "event": "The Biden administration will begin ramping up assistance to Ukraine and collaborating with "
                      "global partners."}
    briefing = Briefing.model_validate(good_briefing(timeline=[wrong]))
    warnings = drop_miscited_events(briefing, sentence_index(sources), date_mentions(sources))
    assert briefing.timeline == []
    assert warnings == [f"timeline[0] dropped: {wrong['event']!r} is what sentence 1.9 says, which writes no date, "
                        "not 'Jan. 20'"]


def test_an_event_from_a_sentence_with_only_a_relative_date_is_kept() -> None:
    """"A day after" a Tuesday is the Monday another sentence writes: only a calendar date elsewhere
    says the event is misdated."""
    from briefing.content import drop_miscited_events

    sentences = {"1.1": "Markets ended flat on Tuesday, a day after the council passed an order easing land rules.",
                 "1.2": "Monday's order could restart stalled projects."}
    briefing = Briefing.model_validate(good_briefing(timeline=[
        {"date": "Monday", "citations": ["1.2"], "event": "council passed an order easing land rules"}]))
    assert drop_miscited_events(briefing, sentences, {"Tuesday": ["1.1"], "Monday": ["1.2"]}) == []
    assert len(briefing.timeline) == 1


def test_an_event_that_is_not_what_its_sentence_says_happened_on_the_date_is_dropped() -> None:
    from briefing.content import drop_miscited_events

    sentences = {"1.1": "The minister focused on trade talks with the neighbours in the months long after the "
                        "harbour port strike of 2021 ended."}
    briefing = Briefing.model_validate({**good_briefing(), "timeline": [
        {"date": "2021", "event": "The minister focused on trade talks", "citations": ["1.1"]},
        {"date": "2021", "event": "The port strike ended", "citations": ["1.1"]}]})
    warnings = drop_miscited_events(briefing, sentences, {"2021": ["1.1"]})
    assert [e.event for e in briefing.timeline] == ["The port strike ended"]
    assert warnings == ["timeline[0] dropped: 'The minister focused on trade talks' is not what its sentence says "
                        "happened on '2021'"]


def test_what_a_sentence_says_of_its_date_stops_where_another_phrase_opens() -> None:
    """Within eight words of the date, but across "following": the minister's talks are not what
    happened in 2021. A date that opens the sentence ("In 2019, …") dates the clause after its comma."""
    from briefing.content import drop_miscited_events

    sentences = {"1.1": "The minister pressed trade talks to isolate rivals following the port strike of 2021.",
                 "1.2": "In 2019, a crane fell on the harbour wall."}
    briefing = Briefing.model_validate({**good_briefing(), "timeline": [
        {"date": "2021", "event": "The minister pressed talks to isolate rivals", "citations": ["1.1"]},
        {"date": "2021", "event": "The port strike", "citations": ["1.1"]},
        {"date": "2019", "event": "A crane fell on the harbour wall", "citations": ["1.2"]}]})
    drop_miscited_events(briefing, sentences, {"2021": ["1.1"], "2019": ["1.2"]})
    assert [e.event for e in briefing.timeline] == ["The port strike", "A crane fell on the harbour wall"]


def test_an_item_repeating_an_earlier_one_of_its_list_is_dropped_in_the_product() -> None:
    event = {"date": "Nov. 5", "event": "Trump wins the election", "citations": ["1.3"]}
    other_day = {"date": "Jan. 20", "event": "Trump wins the election", "citations": ["1.8"]}
    risk = good_briefing()["risks"][0]
    repeated = good_briefing(timeline=[event, dict(event), other_day], risks=[risk, {**risk, "title": "US Aid Stops!"}])
    # The repair is asked for and leaves the copies (an empty answer): the reader gets each once.
    run = generate(load_sources([SEED]), FakeBackend(as_json(repeated)), GenerateOptions(named_actors=False))
    assert [(e.date, e.event) for e in run.briefing.timeline] == [("Nov. 5", "Trump wins the election"),
                                                                 ("Jan. 20", "Trump wins the election")]
    assert [r.title for r in run.briefing.risks] == ["US aid stops"]
    assert "timeline[1] dropped: it repeats timeline[0] ('Nov. 5: Trump wins the election')" in run.grounding.warnings
    assert any(w.startswith("risks[1] dropped: it repeats risks[0]") for w in run.grounding.warnings)
    # Dropped before the support check: no judge's call is spent on a copy.
    judged = [e.claim for e in run.support or [] if e.item.startswith(("timeline", "risks"))]
    assert len(judged) == 3 and judged[1:] == ["Nov. 5: Trump wins the election", "Jan. 20: Trump wins the election"]
