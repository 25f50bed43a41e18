"""What the sources leave open, read off the parse: the questions the sentences raise, in their
words, and how the request, the answer and the support check use them (made-up sentences; no
model)."""

from __future__ import annotations

import pytest

from briefing import actors, support
from briefing.request_schema import from_answer, json_schema
from briefing.unknowns import UNSETTLED, asked

pytestmark = pytest.mark.skipif(not actors.available(), reason="spaCy's pipeline is not installed")


def _one(text: str) -> str | None:
    return asked([text])[0]


def test_the_words_that_leave_something_open_pick_the_sentences_to_parse() -> None:
    for text in ("It is unclear whether the port will reopen.", "The ministry declined to comment.",
                 "Officials did not say when talks resume.", "The company denied the report.",
                 "Will the dam hold?", "The court has yet to rule.", "It remains to be seen who pays."):
        assert UNSETTLED.search(text), text
    for text in ("The port reopened on Monday.", "The ministry said talks resume in May.",
                 "Not everyone agreed with the plan, the mayor said."):
        assert not UNSETTLED.search(text), text
        assert _one(text) is None


@pytest.mark.parametrize(("sentence", "question"), [
    # A question the text asks.
    ("Will the dam hold through the winter?", "Will the dam hold through the winter?"),
    # Whether it is so.
    ("The ministry has not decided whether the tax will rise next year.", "Will the tax rise next year?"),
    ("It remains to be seen whether voters will back the plan.", "Will voters back the plan?"),
    ("Analysts asked whether the central bank would cut rates.", "Would the central bank cut rates?"),
    ("Officials will make a decision on Friday whether the bridge will reopen or not.", "Will the bridge reopen?"),
    # What, who, how or when is not known, said or decided.
    ("It is unclear when the deal will close.", "When will the deal close?"),
    ("Officials did not say how many people died in the blast.", "How many people died in the blast?"),
    ("It is not known who ordered the strike.", "Who ordered the strike?"),
    ("She did not explain why the program was cancelled.", "Why was the program cancelled?"),
    # What is alleged or denied, in the tense the sentence gives.
    ("The Kremlin denied that Putin spoke with Trump.", "Did Putin speak with Trump?"),
    ("The police allegedly beat the protesters.", "Did the police beat the protesters?"),
    ("The minister, who reportedly resigned on Friday, was not available.", "Did the minister resign on Friday?"),
    ("The plan, which reportedly costs $5 billion, faces opposition.", "Does the plan cost $5 billion?"),
    # What was not given: the one who did not give it owns it, unless the sentence says whose it is.
    ("The company refused to disclose its revenue.", "What is the company's revenue?"),
    ("The agency did not disclose the cost of the program.", "What is the cost of the program?"),
    ("Although she has not provided a timeline for the vote, Ana Lee said talks continue.",
     "What is Ana Lee's timeline for the vote?"),
    ("The ministry did not provide details on the route the convoy will take.",
     "What is the route the convoy will take?"),
    ("Although she has not provided a timeline for the vote, Ana Lee said Lee would speak again on Friday.",
     "What is Ana Lee's timeline for the vote?"),  # "Lee" of "Ana Lee" is the same person
    ("It is unclear whether the US will cut aid.", "Will the US cut aid?"),  # the country, not "us"
    # What is yet to happen.
    ("Negotiators have not yet agreed on a date for the next round.",
     "Will negotiators agree on a date for the next round?"),
    ("Nine of the ten mills have yet to reopen after the flood.", "Will nine of the ten mills reopen after the flood?"),
])
def test_a_sentence_raises_its_question_in_its_words(sentence: str, question: str) -> None:
    assert _one(sentence) == question


@pytest.mark.parametrize("sentence", [
    "The company declined to comment.",  # a reply not given
    "The firm has yet to respond to a request for comment.",
    "Whether they like it or not, the law passes.",  # no question: it passes either way
    "The checklist would be driven by whether there is also an alert on the display.",  # a condition
    "Are you ready for winter?",  # to the reader
    '"Who will pay for this?" the mayor asked.',  # "this" is not named
    "Officials said they did not know whether it would reopen.",  # "it" is not named
    "The system will not provide trim inputs when the airplane slows.",  # what it will not do
    "The army did not provide weapons to the militia.",  # not something to know
    "Ana Lee and Tom Reed met, but he did not disclose the plan.",  # which of them is "he"
])
def test_no_question_where_none_is_open_or_it_would_not_read_alone(sentence: str) -> None:
    assert _one(sentence) is None


def test_open_questions_cite_a_sentence_raising_one_and_take_its_words() -> None:
    schema = json_schema(["1.1", "1.2", "1.3"], unknowns=["1.2"])
    question = schema["$defs"]["OpenQuestion"]
    assert question["properties"]["citations"]["items"]["enum"] == ["1.2"] and question["required"][0] == "citations"
    assert "question" not in question["properties"]  # the sentence's
    assert schema["properties"]["open_questions"]["maxItems"] == 1
    assert json_schema(["1.1"], unknowns=[])["properties"]["open_questions"]["maxItems"] == 0
    rated = {"why_it_matters": "Ships wait.", "what_would_resolve_it": "A date."}
    answer = {"open_questions": [{"citations": ["1.2"], **rated, "question": "a server's own words?"},
                                 {"citations": ["1.2"], **rated}]}
    found = from_answer(answer, questions={"1.2": "When will the port reopen?"})["open_questions"]
    assert found == [{"citations": ["1.2"], **rated, "question": "When will the port reopen?"}]  # one per sentence


def test_an_open_question_in_its_sentence_s_words_is_supported_without_asking_the_model() -> None:
    sentences = {"1.1": "It is unclear when the port will reopen.", "1.2": "The port closed on Monday."}
    claim = "Open question: When will the port reopen?"
    found = support.raised(support.Claim("open_questions[0]", "open_question", claim, ("1.1",)), sentences)
    assert found is not None and (found.verdict, found.judge) == ("supported", support.RAISED)
    assert support.judge_name(support.RAISED) == "the question check"
    for text, cited in (("Open question: Will the port reopen soon?", ("1.1",)),  # other words
                        (claim, ("1.2",))):  # another sentence
        assert support.raised(support.Claim("open_questions[0]", "open_question", text, cited), sentences) is None
