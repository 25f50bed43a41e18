"""The bottom line and context as sentences of the sources: which sentences may open a briefing, how
the request asks for them and the answer becomes their text, and how the checks and the report
read them (made-up sentences; no model)."""

from __future__ import annotations

import json

import pytest

from briefing import content, overview, support
from briefing.document import BriefingDocument
from briefing.ingest import load_sources
from briefing.pipeline import generate, validate
from briefing.render import render_html, render_markdown
from briefing.request_schema import from_answer, json_schema
from briefing.schema import Briefing
from briefing.settings import GenerateOptions

from helpers import SEED, FakeBackend, as_json, good_briefing

SENTENCES = {"1.1": "The port of Tula closed on Monday after the strike spread to the docks.",
             "1.2": "Shipping firms said they would reroute cargo to Vela until the strike ends.",
             "1.3": "The strike began in March over pay, the union said."}


@pytest.mark.parametrize("text", [
    "The port of Tula closed on Monday after the strike spread to the docks.",
    "Ana Lee, the union's leader, said “we will not go back without a deal” on Friday.",  # the writer is not speaking
    "The US said it would send envoys to the talks on Friday.",
    "This week the union and the port's owners signed a deal in Tula.",  # "this" of a time
    "Following the strike, the port's owners said the union would get its raise.",
])
def test_a_whole_sentence_that_reads_alone_may_open_a_briefing(text: str) -> None:
    assert overview.reads_alone(text)


@pytest.mark.parametrize("text", [
    "Port of Tula shuts as strike spreads",  # a headline
    "Will the port reopen before the harvest?",  # a question
    "He said the port would reopen on Monday.",  # points back
    "But the union rejected the offer on Friday evening.",
    "This is the third strike at the port in two years.",
    "Share your photos of the strike with us at the address below.",
    "Tell your readers the port is safe and open for business.",
    "We should all be so lucky as the port's owners.",  # the writer speaking
    "Ports along the coast are among those hit hardest by the strike...",  # cut off
    "“The port will never be the same again.”",  # a quotation, no one said to say it
    "“We will not go back without a deal,” said Ana Lee, the union's leader.",  # one person's words
    "Cargo volumes have been flat for the past several years at the port, he said.",  # said by whom?
    "The port handled 40 million tonnes of cargo over those same two years.",  # the same as what?
    "“The talks have failed,” he said on Monday evening at the docks.",  # said by "he"
    "During the talks, she warned that the union would not give way.",
    "Despite his complaints, the union's leaders signed the deal on Friday.",
    "Despite this success, the union warned that the strike could resume.",
    "Vela, for instance, still handles a third of the region's cargo.",
    "Strike.",
    "The port " + "and the docks " * 30 + "closed.",  # longer than the field
])
def test_a_sentence_that_does_not_read_alone_does_not(text: str) -> None:
    assert not overview.reads_alone(text)


def test_the_request_asks_for_the_ids_of_sentences_that_read_alone() -> None:
    found = dict.fromkeys(("1.1", "1.3", "1.4", "1.6", "1.8", "2.2"), SENTENCES["1.1"])
    offered = overview.choices(found)
    assert offered == {"bottom_line": ["1.1", "1.3", "1.4", "1.6", "2.2"], "context": list(found)}  # leading ones
    schema = json_schema(["1.1", "1.2", "1.3"], overview={"bottom_line": ["1.1"], "context": ["1.1", "1.3"]})
    bottom, context = schema["properties"]["bottom_line"], schema["properties"]["context"]
    assert bottom["items"]["enum"] == ["1.1"] and bottom["maxItems"] == 2
    assert context["items"]["enum"] == ["1.1", "1.3"] and context["maxItems"] == 1
    assert "bottom_line_citations" not in schema["properties"]  # filled in from the answer
    free = json_schema(["1.1"])["properties"]
    assert free["bottom_line"]["type"] == "string" and "bottom_line_citations" not in free


def test_the_answer_s_ids_become_their_sentences_text_citing_them() -> None:
    data = from_answer({"bottom_line": ["1.1", "1.2"], "context": ["1.3"]}, overview=SENTENCES)
    assert data["bottom_line"] == f"{SENTENCES['1.1']} {SENTENCES['1.2']}"
    assert data["bottom_line_citations"] == ["1.1", "1.2"]
    assert (data["context"], data["context_citations"]) == (SENTENCES["1.3"], ["1.3"])
    # The context's sentence is not said again in the bottom line, which keeps another.
    data = from_answer({"bottom_line": ["1.1", "1.3"], "context": ["1.3"]}, overview=SENTENCES)
    assert data["bottom_line_citations"] == ["1.1"] and data["bottom_line"] == SENTENCES["1.1"]
    # Ids the request did not offer are left for validation to name, for the repair prompt.
    data = from_answer({"bottom_line": ["1.9"], "context": ["1.3"]}, overview=SENTENCES)
    assert data["bottom_line"] == ["1.9"]
    errors = validate(json.dumps({"bottom_line": ["1.9"], "context": ["1.3"]}), [], opening=SENTENCES).errors
    assert errors == ["bottom_line: list the ids of sentences that read on their own: 1.1, 1.2, 1.3"]


def test_sentences_that_do_not_fit_the_field_together_are_cut_to_those_that_do() -> None:
    long = {"1.1": "A" * 200 + ".", "1.2": "B" * 200 + "."}
    assert overview.text_of(["1.1", "1.2"], long) == (long["1.1"], ["1.1"])


def test_a_bottom_line_in_its_sentences_words_is_supported_without_asking_the_model() -> None:
    claim = support.Claim("bottom_line", "bottom_line", SENTENCES["1.1"], ("1.1",))
    found = support.quoted(claim, SENTENCES)
    assert found is not None and (found.verdict, found.judge) == ("supported", support.QUOTED)
    for text, cited in ((SENTENCES["1.1"].replace("Monday", "Tuesday"), ("1.1",)),  # edited
                        (SENTENCES["1.1"], ("1.2",))):  # another sentence
        assert support.quoted(support.Claim("context", "context", text, cited), SENTENCES) is None


def test_a_quoting_bottom_line_cites_its_sentences_and_a_written_one_all_the_briefing_cites() -> None:
    sentences = {**SENTENCES, "1.2": "Trump wins the election on Nov. 5, 2024."}
    written = Briefing.model_validate(good_briefing())
    by_item = {c.item: c for c in support.claims(written)}
    assert by_item["bottom_line"].cited == tuple(written.citation_ids())
    quoting = Briefing.model_validate(good_briefing(bottom_line=sentences["1.2"], bottom_line_citations=["1.2"]))
    by_item = {c.item: c for c in support.claims(quoting)}
    assert by_item["bottom_line"].cited == ("1.2",) and by_item["context"].cited == tuple(quoting.citation_ids())


def test_a_quoting_bottom_line_is_not_a_repeat_of_the_position_that_quotes_it_too() -> None:
    sentences = {"1.17": "Trump wants allies to spend 3% of GDP on defence, he said on Monday."}
    position = {"actor": "Donald Trump", "issue": "NATO spending", "citations": ["1.17"],
                "stance": "wants allies to spend 3% of GDP on defence, he said on Monday"}
    quoting = Briefing.model_validate(good_briefing(bottom_line=sentences["1.17"], bottom_line_citations=["1.17"],
                                                    positions=[position]))
    assert not [p for p in content.problems(quoting, sentences) if "repeats" in p]
    written = Briefing.model_validate(good_briefing(bottom_line=sentences["1.17"], positions=[position]))
    assert [p for p in content.problems(written, sentences) if "repeats" in p]


def test_the_report_shows_what_the_bottom_line_and_context_quote() -> None:
    run = generate(load_sources([SEED]), FakeBackend(as_json(good_briefing())), GenerateOptions(named_actors=False))
    saved = json.loads(run.to_document().dump())
    written = BriefingDocument.parse(saved)
    saved["briefing"].update(bottom_line_citations=["1.2"], context_citations=["1.3"])
    quoting = BriefingDocument.parse(saved)
    markdown = render_markdown(quoting).replace("\\", "")
    assert f"**Bottom line:** {quoting.briefing.bottom_line} [1.2]" in markdown
    assert f"{quoting.briefing.context} [1.3]" in markdown
    assert '<span class="cite">[1.3]</span>' in render_html(quoting)
    # A written one cites nothing of its own.
    assert f"**Bottom line:** {written.briefing.bottom_line}\n" in render_markdown(written).replace("\\", "")


def test_the_context_is_asked_last_and_the_sampler_sets_aside_a_sentence_the_briefing_cites() -> None:
    from briefing import steering

    schema = json_schema(["1.1", "1.2", "1.3"], overview={"bottom_line": ["1.1"], "context": ["1.1", "1.2", "1.3"]})
    assert list(schema["properties"])[-1] == "context"
    written = '{"title":"T","bottom_line":["1.1"],"risks":[{"citations":["1.3"]}],"context":["1.'
    assert steering.set_aside(written, '1"') and steering.set_aside(written, '3"]')  # quoted or cited already
    assert not steering.set_aside(written, '2"]')
    # Before the context, nothing is set aside for being cited: a position may cite the bottom line's sentence.
    assert not steering.set_aside('{"title":"T","bottom_line":["1.1"],"risks":[{"citations":["1.', '1"')
    # A digit is set aside once every id it could still become is cited: the grammar would leave no way out.
    written = '{"title":"T","timeline":[{"date":"2014","citations":["1.38"],"event":"x"}],"context":["1.3'
    offered = ("1.3", "1.38", "1.4")
    assert steering.set_aside(written, "8", None, offered) and not steering.set_aside(written, '"]', None, offered)
    assert not steering.set_aside(written, "8")  # not knowing what may be cited, only a closed id is set aside
    # A text that writes the word is not the key.
    assert not steering.set_aside('{"title":"the \\"context\\": [ of it","bottom_line":["1.', '1"')
