import json
from pathlib import Path

import pytest

from briefing.document import BriefingDocument
from briefing.errors import InputError
from briefing.ingest import load_sources
from briefing.pipeline import generate
from briefing.render import md, render_markdown
from briefing.settings import GenerateOptions

from helpers import SEED, FakeBackend, as_json, good_briefing


def _document(**changes):  # type: ignore[no-untyped-def]
    """A document as a run writes it, then edited: rendering must hold whatever the briefing says."""
    run = generate(load_sources([SEED]), FakeBackend(as_json(good_briefing())), GenerateOptions(named_actors=False))
    document = json.loads(run.to_document().dump())
    document["briefing"].update(changes)
    return BriefingDocument.parse(document)


def _saved(**changes):  # type: ignore[no-untyped-def]
    """The document as the JSON a user would have saved (and perhaps edited)."""
    return json.loads(_document(**changes).dump())


def test_markdown_has_every_section_and_quotes_cited_sentences_verbatim() -> None:
    document = _document()
    text = render_markdown(document)
    for heading in ("# Blinken courts Europe", "## Actors", "## Positions", "## Risks", "## Open questions",
                    "## Timeline", "## Evidence", "## Sources"):
        assert heading in text
    source = SEED.read_text(encoding="utf-8")
    quotes = [line for line in text.splitlines() if line.startswith("> **[")]
    assert [line.split("]")[0][5:] for line in quotes] == ["1.2", "1.3", "1.6", "1.8", "1.17", "1.20"]
    for line in quotes:
        quoted = line.split("** ", 1)[1].replace("\\", "")
        assert quoted in source
    assert "| NATO spending | Donald Trump | Wants allies to spend 3% of GDP | [1.17] |" in text


def test_actors_listed_without_a_role_are_shown_as_also_named() -> None:
    from briefing.render import render_html

    actors = [*good_briefing()["actors"], {"name": "NATO", "kind": "organisation", "role": None, "citations": ["1.6"]},
              {"name": "Vladimir <Putin>", "kind": "person", "role": None, "citations": ["1.8"]}]
    document = _document(actors=actors)
    text = render_markdown(document)
    assert "- **Antony Blinken** (official): US Secretary of State [1.2, 1.3]" in text
    assert "- Also named: NATO (organisation) [1.6]; Vladimir \\<Putin\\> (person) [1.8]\n" in text
    assert "**NATO**" not in text and "None" not in text
    html = render_html(document)
    assert "<li>Also named: NATO (organisation) <span class=\"cite\">[1.6]</span>; Vladimir &lt;Putin&gt;" in html


def test_same_document_renders_to_identical_bytes() -> None:
    document = _document()
    reloaded = BriefingDocument.parse(json.loads(document.dump()))
    assert render_markdown(document) == render_markdown(reloaded)
    assert document.dump() == reloaded.dump()


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "![x](http://evil.example/p.png)",
    "[click](http://evil.example)",
    "line one\n\n# Injected heading",
    "&lt;b&gt; entity",
    "`code` *bold* _em_ ~~gone~~ | table |",
])
def test_model_text_cannot_create_markup(hostile: str) -> None:
    text = render_markdown(_document(title=hostile, context=hostile))
    assert "<script>" not in text and "](" not in text.replace("\\](", "")
    assert "\n# Injected" not in text
    assert md(hostile).count("\n") == 0
    for ch in "<>[]`*_~|&":
        assert f"\\{ch}" in md(ch)


def test_render_refuses_a_document_missing_a_quote() -> None:
    document = _saved()
    del document["quotes"]["1.2"]
    with pytest.raises(InputError, match="1.2"):
        BriefingDocument.parse(document)


def test_render_refuses_an_invalid_briefing() -> None:
    document = _saved()
    document["briefing"]["actors"] = []
    with pytest.raises(InputError, match="not valid"):
        BriefingDocument.parse(document)


@pytest.mark.parametrize(("text", "expected"), [
    ("see https://evil.example/p.png now", "see https\\://evil.example/p.png now"),
    ("visit www.evil.example.", "visit www\\.evil.example."),
    ("mail me@evil.example", "mail me\\@evil.example"),
    ("![x](https://evil.example/p.png)", "\\!\\[x\\](https\\://evil.example/p.png)"),
])
def test_model_urls_are_defanged(text: str, expected: str) -> None:
    assert md(text) == expected


def test_a_url_the_source_writes_stays_a_link(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The ministry published the plan at https://gov.example/plan. Critics objected.")
    sources = load_sources([article])
    briefing = good_briefing(actors=[{**good_briefing()["actors"][0], "citations": ["1.1"]}],
                             positions=[], risks=[{**good_briefing()["risks"][0], "citations": ["1.2"]}],
                             open_questions=[{**good_briefing()["open_questions"][0], "citations": ["1.1"]}],
                             timeline=[])
    options = GenerateOptions(support_check=False)  # the canned briefing is about another text
    document = json.loads(generate(sources, FakeBackend(as_json(briefing)), options).to_document().dump())
    # Written into the saved JSON: the pipeline itself drops a URL no source writes.
    document["briefing"]["title"] = "Plan at https://gov.example/plan and https://evil.example/x"
    text = render_markdown(BriefingDocument.parse(document))
    assert text.startswith("# Plan at <https://gov.example/plan> and https\\://evil.example/x\n")


def test_sources_section_shows_authors_credits_dateline_and_date() -> None:
    from briefing.render import render_html

    document = _saved()
    document["sources"][0].update(authors=["Jane Okafor"], credits=["Reporting by Jane Okafor; Editing by Sam <Holt>"],
                                  dateline="GENEVA", published="2024-11-05")
    parsed = BriefingDocument.parse(document)
    markdown = render_markdown(parsed).split("## Sources", 1)[1]
    assert "   - By Jane Okafor" in markdown and "   - Filed from GENEVA, published 2024-11-05" in markdown
    assert "   - Reporting by Jane Okafor; Editing by Sam \\<Holt\\>" in markdown
    html = render_html(parsed).split("<h2>Sources</h2>", 1)[1]
    assert "By Jane Okafor" in html and "Filed from GENEVA" in html and "Sam &lt;Holt&gt;" in html
