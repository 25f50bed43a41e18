from briefing.grounding import check, sort_ids
from briefing.ingest import load_sources
from briefing.schema import Briefing

from helpers import SEED, good_briefing


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
    actors = good_briefing()["actors"]
    actors[0]["citations"], actors[1]["citations"] = ["1.2", "1.99"], ["3.1"]
    report = check(Briefing.model_validate(good_briefing(actors=actors)), sources)
    assert not report.ok
    assert report.unknown == ["1.99", "3.1"]
    assert "1.99" not in report.quotes and "1.2" in report.quotes


def test_ids_sort_in_document_order() -> None:
    assert sort_ids(["2.1", "1.10", "1.2"]) == ["1.2", "1.10", "2.1"]
