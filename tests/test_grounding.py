from helpers import SEED, good_briefing

from briefing.grounding import check, sort_ids
from briefing.schema import Briefing
from briefing.sources import load_sources


def test_quotes_are_copied_from_the_source_by_id() -> None:
    sources = load_sources([SEED])
    report = check(Briefing.model_validate(good_briefing()), sources)
    assert report.ok
    text = SEED.read_text(encoding="utf-8")
    assert set(report.quotes) == set(report.cited)
    for quote in report.quotes.values():
        assert quote in text


def test_unknown_ids_are_reported_not_dropped() -> None:
    sources = load_sources([SEED])
    actor = {**good_briefing()["actors"][0], "citations": ["1.2", "1.99", "3.1"]}
    report = check(Briefing.model_validate(good_briefing(actors=[actor, good_briefing()["actors"][1]])), sources)
    assert not report.ok
    assert report.unknown == ["1.99", "3.1"]
    assert "1.99" not in report.quotes and "1.2" in report.quotes


def test_a_timeline_date_must_be_written_in_its_cited_sentence() -> None:
    sources = load_sources([SEED])
    invented = [{"date": "2023-01-01", "event": "Blinken travels", "citations": ["1.2"]}]
    report = check(Briefing.model_validate(good_briefing(timeline=invented)), sources)
    assert report.errors() == [
        "timeline.0.date: '2023-01-01' is not written in its cited sentences 1.2; "
        "copy the date as the source writes it or drop the event"
    ]


def test_ids_sort_in_document_order() -> None:
    assert sort_ids(["2.1", "1.10", "1.2"]) == ["1.2", "1.10", "2.1"]
