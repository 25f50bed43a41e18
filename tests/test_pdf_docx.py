"""PDF and Word sources: text layers rebuilt into paragraphs, page offsets, and what is refused."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.ingest.docx import extract_docx
from briefing.ingest.pdf import Document, extract_pdf
from briefing.settings import GenerateOptions

from pdf_writer import Run, column, make_pdf, sup

DATA = Path(__file__).resolve().parent / "data" / "pdf"
HYPHEN_SPLIT = re.compile(r"[^\W\d_][-\u2010]\s+[a-z]")


def wrap(text: str, width: int = 44) -> list[str]:
    return textwrap.wrap(text, width)


def paragraphs(document: Document) -> list[str]:
    return [line for line in document.text.split("\n") if line]


# --- what is refused ----------------------------------------------------------------------------


def test_a_pdf_encrypted_with_a_password_is_refused_with_how_to_decrypt_it() -> None:
    with pytest.raises(InputError, match=r"^memo.pdf: this PDF is encrypted; decrypt it first, e\.g\. qpdf --decrypt"):
        extract_pdf(make_pdf([[Run(72, 100, "Secret budget figures.")]], password_protected=True), "memo.pdf")


def test_a_real_aes_256_pdf_with_a_user_password_is_refused() -> None:
    with pytest.raises(InputError, match="is encrypted; decrypt it first"):
        extract_pdf((DATA / "encrypted-password.pdf").read_bytes(), "encrypted-password.pdf")


def test_a_pdf_encrypted_only_against_editing_is_read_like_any_other() -> None:
    document = extract_pdf((DATA / "encrypted-owner-only.pdf").read_bytes(), "owner-only.pdf")
    assert document.text == "The council approved the water budget on Monday. The vote was seven to two."


def test_a_pdf_without_a_text_layer_is_refused_with_a_pointer_to_ocr() -> None:
    scan = make_pdf([[], []], drawing=True)
    with pytest.raises(InputError, match=r"^scan.pdf: this PDF has no text layer \(a scan\?\): run OCR first, "
                                         r"e\.g\. ocrmypdf in\.pdf out\.pdf$"):
        extract_pdf(scan, "scan.pdf")


def test_a_scan_whose_only_text_is_page_numbers_is_refused_not_turned_into_an_empty_text() -> None:
    stamped = make_pdf([[Run(300, 760, f"Page {n} of 3")] for n in (1, 2, 3)], drawing=True)
    with pytest.raises(InputError, match="has no text layer"):
        extract_pdf(stamped, "stamped.pdf")


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + bytes(range(256)) * 4,
    make_pdf([[Run(72, 100, "A sentence that will be cut off.")]])[:200],
    b"%PDF-",
], ids=["garbage", "truncated", "header only"])
def test_a_damaged_pdf_is_refused_in_one_line(data: bytes) -> None:
    with pytest.raises(InputError) as error:
        extract_pdf(data, "broken.pdf")
    message = str(error.value)
    assert message.startswith("broken.pdf: ") and "\n" not in message
    assert "damaged" in message or "no text layer" in message or "no pages" in message


# --- paragraphs, columns, hyphens -----------------------------------------------------------------

MINUTES = ("The committee met on Tuesday to review the budget. Members agreed that the spending plan needs "
           "more detail before the vote. The chair asked staff to prepare a revised draft for the next "
           "meeting of the committee, which will take place in the spring after the elections have been held "
           "in all districts.")
SECOND = "A second paragraph starts here with an indent. It talks about other things that matter to the staff."
THIRD = "The meeting closed at noon. Nobody objected to the minutes of the previous meeting, which were approved."


def two_columns() -> bytes:
    lines = wrap(MINUTES)
    left, right = lines[:6], lines[6:]
    second, third = wrap(SECOND), wrap(THIRD)
    return make_pdf([column(72, 100, left, indent={0})
                     + column(320, 100, right + second + third, indent={len(right), len(right) + len(second)})])


def test_two_columns_are_read_one_after_the_other_and_a_paragraph_goes_on_across_them() -> None:
    assert paragraphs(extract_pdf(two_columns(), "minutes.pdf")) == [MINUTES, SECOND, THIRD]


def test_columns_are_read_in_order_under_a_full_width_title() -> None:
    title = Run(72, 70, "Minutes of the Budget Committee, spring session, with the decisions taken", size=12, bold=True)
    lines = wrap(MINUTES)
    pdf = make_pdf([[title, *column(72, 100, lines[:5], indent={0}), *column(320, 100, lines[5:])]])
    assert paragraphs(extract_pdf(pdf, "minutes.pdf")) == [title.text, MINUTES]


HYPHENATED = [
    "Operators must meet the new safety require-",
    "ments before the end of the year, and a well-known",
    "rule applies to Boeing Model 737–8 and 737–",
    "9 airplanes landing at Soekarno-",
    "Hatta airport, as the FAA-approved lists say. The well-",
    "known rule also covers pre- and post-flight checks, which",
    "the existing FAA-",
    "approved programs describe in detail for every pre-",
    "and post-flight inspection made by the operators.",
]


def test_line_end_hyphenation_is_undone_and_real_hyphens_and_dashes_are_kept() -> None:
    text = extract_pdf(make_pdf([column(72, 100, HYPHENATED)]), "ad.pdf").text
    assert "safety requirements before" in text
    assert "The well-known rule" in text  # written "well-known" inside a line
    assert "737–9 airplanes" in text
    assert "Soekarno-Hatta airport" in text  # a capital after the hyphen
    assert "the existing FAA-approved programs" in text  # a word in capitals before it
    assert "every pre- and post-flight inspection" in text  # a suspended hyphen
    assert not HYPHEN_SPLIT.search(text.replace("pre- and", ""))


def test_urls_and_e_mail_addresses_broken_at_a_line_end_are_joined() -> None:
    lines = ["Comments go to https://www.example.org/",
             "comments/form or by e-mail to docket-",
             "office@example.gov, and the docket is at https://",
             "www.example.org/docket for the public."]
    text = extract_pdf(make_pdf([column(72, 100, lines)]), "notice.pdf").text
    assert "https://www.example.org/comments/form" in text
    assert "docket-office@example.gov" in text
    assert "https://www.example.org/docket" in text


def test_headings_stand_alone_and_bullets_start_lines() -> None:
    runs = [Run(72, 100, "Background", bold=True),
            *column(72, 114, ["The agency reviewed the incident reports from the", "previous year. It found that:"]),
            *column(72, 140, ["• three reports were incomplete;", "• two had the wrong date."])]
    assert paragraphs(extract_pdf(make_pdf([runs]), "report.pdf")) == [
        "Background", "The agency reviewed the incident reports from the previous year. It found that:",
        "• three reports were incomplete;", "• two had the wrong date."]


# --- running headers, footers, page numbers, pages ------------------------------------------------

PAGE_TEXT = [
    "The first page opens the report on water quality in the region and explains how the samples "
    "were taken by the inspectors during the summer.",
    "The second page lists the results of every sample, river by river, and compares them with the "
    "limits that the law sets for drinking water.",
    "The third page gives the conclusions of the inspectors and the steps that the council should take "
    "before the end of next year.",
]


def paged_report() -> bytes:
    pages = []
    for n, body in enumerate(PAGE_TEXT, 1):
        runs = [Run(72, 40, "Regional Water Report 2024 · Council for the Environment", size=8),
                *column(72, 100, wrap(body, 80)),
                Run(280, 760, f"Page {n} of 3", size=8), Run(530, 40, str(n + 40), size=8)]
        if n == 1:
            runs.insert(0, Run(72, 70, "Water quality in the region", size=16, bold=True))
        pages.append(runs)
    return make_pdf(pages, title="Regional Water Report 2024")


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    document = extract_pdf(paged_report(), "report.pdf")
    assert paragraphs(document) == ["Water quality in the region", *PAGE_TEXT]
    assert document.title == "Regional Water Report 2024"


def test_page_offsets_point_at_the_start_of_each_page_and_find_a_sentence_page() -> None:
    document = extract_pdf(paged_report(), "report.pdf")
    assert len(document.pages) == 3 and document.pages[0] == 0
    for n, body in enumerate(PAGE_TEXT):
        assert document.text[document.pages[n]:].startswith("Water quality" if n == 0 else body)
        assert document.page_at(document.text.index(body) + 10) == n + 1


def test_a_paragraph_that_goes_on_to_the_next_page_stays_whole_and_starts_on_its_page() -> None:
    lines = wrap(MINUTES, 80)
    pdf = make_pdf([column(72, 100, lines[:2]), column(72, 100, lines[2:])])
    document = extract_pdf(pdf, "minutes.pdf")
    assert document.text == MINUTES
    assert document.page_at(MINUTES.index("The chair")) == 1
    assert document.page_at(len(MINUTES) - 1) == 2
    assert document.text[document.pages[1]:] == " ".join(lines[2:])


def test_a_page_without_text_shares_the_offset_of_the_next_page() -> None:
    pdf = make_pdf([column(72, 100, wrap(PAGE_TEXT[0], 80)), [], column(72, 100, wrap(PAGE_TEXT[1], 80))])
    document = extract_pdf(pdf, "report.pdf")
    assert document.pages == [0, len(PAGE_TEXT[0]) + 2, len(PAGE_TEXT[0]) + 2]
    assert document.page_at(len(PAGE_TEXT[0]) + 2) == 3


@pytest.mark.parametrize("title", ["Microsoft Word - draft_v3.docx", "untitled", "C:\\Users\\me\\report.pdf", "  "])
def test_a_metadata_title_that_is_a_file_name_or_placeholder_is_ignored(title: str) -> None:
    assert extract_pdf(make_pdf([column(72, 100, ["Some text on the page."])], title=title), "x.pdf").title is None


# --- line numbers, footnotes, superscripts --------------------------------------------------------

TESTIMONY = ["Q. Where were you on the evening of June 3?", "A. I was at home with my family.",
             "Q. Did anyone else see you there?", "A. My neighbour came by at nine.",
             "Q. How long did your neighbour stay?", "A. About an hour, maybe less."]


@pytest.mark.parametrize("text_x", [110, 84], ids=["apart from the text", "next to the text"])
def test_line_numbers_in_the_margin_of_a_transcript_are_dropped(text_x: float) -> None:
    runs = []
    for i in range(25):
        runs.append(Run(72, 100 + 24 * i, str(i + 1)))
        runs.append(Run(text_x, 100 + 24 * i, TESTIMONY[i % len(TESTIMONY)]))
    text = extract_pdf(make_pdf([runs]), "transcript.pdf").text
    assert not re.search(r"(^|\s)\d{1,2}\s", text), text[:300]
    assert text.count("Q. Where were you on the evening of June 3?") == 5


def test_a_footnote_at_the_foot_of_a_column_does_not_cut_the_paragraph_that_goes_on_in_the_next() -> None:
    left = column(72, 100, wrap("These effects include stall warning activation, airspeed disagree", 44), indent={0})
    left.append(sup(Run(72, 100 + 12 * len(left), "alert and altitude disagree alert,"), "5", " and"))
    left += [sup(Run(72, 700, "", size=7), "5", " Stall warning is the activation of the stick shaker."),
             Run(72, 709, "It is a visual and tactile alert.", size=7)]
    right = column(320, 100, ["may affect the ability of the crew to land the", "airplane safely. The limit is 10"])
    right[-1] = sup(right[-1], "6", " cycles.")
    text = extract_pdf(make_pdf([left + right]), "ad.pdf").text
    assert paragraphs(Document(text, None, [0])) == [
        "These effects include stall warning activation, airspeed disagree alert and altitude disagree alert, "
        "and may affect the ability of the crew to land the airplane safely. The limit is 10⁶ cycles.",
        "5 Stall warning is the activation of the stick shaker. It is a visual and tactile alert."]


# --- the development PDF --------------------------------------------------------------------------


def test_the_federal_register_rulemaking_reads_whole_without_furniture_or_split_words() -> None:
    document = extract_pdf((DATA / "federal-register-2020-17221.pdf").read_bytes(), "fr.pdf")
    for actor in ("FAA", "Boeing", "Lion Air", "Ethiopian Airlines"):
        assert actor in document.text
    assert not HYPHEN_SPLIT.search(document.text)
    assert not re.search(r"[^\W\d_][-\u2010]\n", document.text)
    for furniture in ("VerDate", "jbell", "Federal Register / Vol.", "Sfmt"):
        assert furniture not in document.text
    assert "Soekarno-Hatta" in document.text and "non-normal procedure" in document.text
    assert "Boeing Company Model 737–8 and 737–9 (737 MAX) airplanes" in document.text
    assert len(document.pages) == 15 and document.pages == sorted(document.pages)
    assert document.page_at(document.text.index("On March 10, 2019, a Boeing Model")) == 2
    # A paragraph that runs from the first column into the second, past the footnotes, is one line.
    assert ("These effects include stall warning activation, airspeed disagree alert, and altitude disagree "
            "alert, and may affect the flightcrew’s ability") in document.text


# --- Word -----------------------------------------------------------------------------------------


def word_document() -> bytes:
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.core_properties.title = "Water budget memo"
    document.add_heading("Water budget 2025", level=1)
    document.add_paragraph("The council approved the budget on Monday.")
    broken = document.add_paragraph("The vote was")
    broken.add_run().add_break()
    broken.add_run("seven to two.")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Item", (0, 1): "Cost", (1, 0): "Pipes", (1, 1): "€2.4 million"}.items():
        table.cell(r, c).text = text
    document.add_paragraph("")
    inside = document.add_paragraph("This paragraph sits in a content control.")._p
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    inside.addprevious(sdt)
    sdt.append(content)
    content.append(inside)
    document.add_paragraph("The mayor will sign it next week.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_gives_paragraphs_headings_and_table_cells_in_body_order() -> None:
    document = extract_docx(word_document(), "memo.docx")
    assert document.text.split("\n\n") == [
        "Water budget 2025", "The council approved the budget on Monday.", "The vote was seven to two.",
        "Item", "Cost", "Pipes", "€2.4 million", "This paragraph sits in a content control.",
        "The mayor will sign it next week."]
    assert document.title == "Water budget memo"
    assert document.pages == [0]


def test_a_word_document_without_text_is_refused() -> None:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(InputError, match="^empty.docx: this Word document has no text$"):
        extract_docx(out.getvalue(), "empty.docx")


def zip_of(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (zip_of(["[Content_Types].xml", "xl/workbook.xml"]), "looks like an Excel workbook"),
    (zip_of(["notes.txt"]), "looks like a ZIP archive, not a Word document"),
    (b"PK\x03\x04" + b"\x00" * 100, "a damaged ZIP archive"),
    (zip_of(["[Content_Types].xml", "word/document.xml"]), "not a readable Word document"),
], ids=["xlsx", "zip", "damaged", "parts missing"])
def test_a_zip_that_is_not_a_readable_word_document_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=f"^file.docx: .*{message}"):
        extract_docx(data, "file.docx")


# --- as sources of a briefing ------------------------------------------------------------------


def test_a_pdf_is_a_source_whose_sentences_know_their_page(tmp_path: Path) -> None:
    from briefing.ingest import load_source

    path = tmp_path / "report.pdf"
    path.write_bytes(paged_report())
    source = load_source(path)
    pages = {s.text: source.page_of(s) for s in source.sentences}
    assert pages["Water quality in the region"] == 1
    first_of = {n + 1: next(s for s in source.sentences if s.text in body) for n, body in enumerate(PAGE_TEXT)}
    assert {n: source.page_of(s) for n, s in first_of.items()} == {1: 1, 2: 2, 3: 3}
    assert source.title == "Regional Water Report 2024"


def test_a_word_document_from_standard_input_is_a_source() -> None:
    from briefing.ingest import load_sources

    source = load_sources(["-"], stdin=io.BytesIO(word_document()))[0]
    assert [s.text for s in source.sentences][:2] == ["Water budget 2025", "The council approved the budget on Monday."]
    assert source.pages == []


def test_the_evidence_of_a_pdf_briefing_gives_each_quote_its_page(tmp_path: Path) -> None:
    from briefing.ingest import load_sources
    from briefing.pipeline import generate
    from briefing.render import render_markdown

    from helpers import FakeBackend, as_json, good_briefing

    path = tmp_path / "report.pdf"
    path.write_bytes(paged_report())
    sources = load_sources([path])
    ids = [s.id for s in sources[0].sentences]
    last = ids[-1]
    briefing = good_briefing(
        actors=[{"name": "Water board", "kind": "government", "role": "Regulator of the rivers",
                 "interests": "Clean rivers",
                 "citations": [ids[1]]}],
        positions=[], timeline=[],
        risks=[{**good_briefing()["risks"][0], "affected_actors": [], "citations": [last]}],
        open_questions=[{**good_briefing()["open_questions"][0], "citations": [ids[1]]}])
    # The canned briefing is about another text: this is about pages, not what the sentences say.
    document = generate(sources, FakeBackend(as_json(briefing)), GenerateOptions(support_check=False)).to_document()
    assert document.sources[0].sentence_pages == [sources[0].page_of(s) for s in sources[0].sentences]
    markdown = render_markdown(document)
    assert f"> **[{last}, p. 3]**" in markdown and f"> **[{ids[1]}, p. 1]**" in markdown
