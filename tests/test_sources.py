from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.ingest import SourceLimits, load_source, load_sources
from briefing.sources import date_mentions, split_sentences

from helpers import SEED


def test_sample_article_sentences_keep_abbreviations_whole() -> None:
    source = load_source(SEED)
    texts = [s.text for s in source.sentences]
    assert texts[2].startswith("Following Trump’s election victory on Nov. 5, Secretary of State")
    assert any("before Trump assumes office on Jan. 20, aiming" in t for t in texts)
    assert any("a retired U.S. diplomat currently with the Atlantic Council" in t for t in texts)
    assert source.sentences[0].id == "1.1" and source.sentences[-1].id == f"1.{len(texts)}"


def test_every_sentence_is_the_exact_slice_of_the_source() -> None:
    source = load_source(SEED)
    for s in source.sentences:
        assert source.text[s.start:s.end] == s.text


def test_a_line_break_ends_a_sentence_so_headings_stand_alone() -> None:
    sentences = split_sentences("PEACE TALKS\nTrump wants a deal. Kyiv does not.", "2")
    assert [s.text for s in sentences] == ["PEACE TALKS", "Trump wants a deal.", "Kyiv does not."]
    assert [s.id for s in sentences] == ["2.1", "2.2", "2.3"]


def test_sentence_ids_name_their_source(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("One. Two.")
    b.write_text("Three.")
    sources = load_sources([a, b])
    assert [s.id for src in sources for s in src.sentences] == ["1.1", "1.2", "2.1"]


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst line.\r\nSecond line.\r\n")
    source = load_source(path)
    assert [s.text for s in source.sentences] == ["First line.", "Second line."]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b" \n\t\n", "empty"), (b"abc\x00def", "binary"), (b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
     (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"), (b"PK\x03\x04\x14\x00", "a ZIP archive")],
)
def test_unusable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_source(path)


def test_missing_and_directory_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_source(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        load_source(tmp_path)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100)
    with pytest.raises(InputError, match="over the limit"):
        load_source(path, limits=SourceLimits(max_bytes=100))


def test_sha256_is_of_the_file_bytes() -> None:
    import hashlib

    assert load_source(SEED).sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_date_mentions_are_the_dates_the_source_writes() -> None:
    assert date_mentions(load_sources([SEED])) == {
        "Tuesday": ["1.2"], "Nov. 5": ["1.3"], "this week": ["1.3"], "2022": ["1.5"], "Jan. 20": ["1.8"],
        "Last week": ["1.11"]}


def test_date_mentions_cover_common_forms(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("On 5 November 2024, January 20th, 2025, Sept. 3 and 2024-11-05. Next month, in March 2023.")
    assert list(date_mentions(load_sources([path]))) == [
        "5 November 2024", "January 20th, 2025", "Sept. 3", "2024-11-05", "Next month", "March 2023"]
