"""What the sources say may happen, read off the parse: the risks' titles, descriptions and
likelihoods, and how the request, the answer and the support check use them (made-up sentences;
no model)."""

from __future__ import annotations

import pytest

from briefing import actors, support
from briefing.possibility import Possibility, stated
from briefing.request_schema import from_answer, json_schema

pytestmark = pytest.mark.skipif(not actors.available(), reason="spaCy's pipeline is not installed")


def _one(text: str) -> Possibility | None:
    return stated([text])[0]


def test_a_possibility_is_the_clause_that_states_it_with_the_odds_its_words_give() -> None:
    found = _one("Officials fear the storm could cut power to the coast.")
    assert found == Possibility("the storm could cut power to the coast", "medium", "The storm could cut power")
    found = _one("Union leaders warned that the strike will close the port for weeks.")
    assert found is not None and (found.text, found.likelihood) == ("the strike will close the port for weeks", "high")
    found = _one("Analysts say the merger is likely to raise prices for farmers.")
    assert found is not None and found.likelihood == "high" and found.text.startswith("the merger is likely")
    assert getattr(_one("The deal is unlikely to pass the senate this year."), "likelihood", None) == "low"
    assert getattr(_one("Engineers called the chance of a second collapse extremely low."), "likelihood", None) == "low"
    # The title is the clause's kernel, its figures whole.
    assert getattr(_one("The reform could unlock hundreds of millions of dollars worth of new loans, bankers said."),
                   "headline", None) == "The reform could unlock hundreds of millions of dollars worth of new loans"
    # What is feared, not the fearing.
    assert getattr(_one("Growers are worried about the risk of a drought in the north."), "text",
                   None) == "the risk of a drought in the north"


def test_a_plan_a_past_might_have_been_and_a_propensity_are_no_possibility() -> None:
    assert _one("The minister will travel to Oslo on Monday.") is None  # a schedule
    assert _one("We could have won the match last year.") is None  # what might have been
    assert _one("Those most likely to move are young workers.") is None  # who tends to
    # A "will" clause next to a feared one is not feared.
    found = _one("The bank will not raise rates, officials said, though a recession would threaten jobs.")
    assert found is not None and found.text == "a recession would threaten jobs" and found.likelihood == "medium"


def test_risks_cite_a_sentence_stating_a_possibility_and_take_its_words() -> None:
    schema = json_schema(["1.1", "1.2", "1.3"], possibilities=["1.2"])
    risk = schema["$defs"]["Risk"]
    assert risk["properties"]["citations"]["items"]["enum"] == ["1.2"] and risk["required"][0] == "citations"
    assert not {"title", "description", "likelihood"} & set(risk["properties"])  # the sentence's
    assert schema["properties"]["risks"]["maxItems"] == 1
    assert json_schema(["1.1"], possibilities=[])["properties"]["risks"]["maxItems"] == 0
    stated_risk = Possibility("the port may close", "medium", "The port may close")
    rated = {"impact": "high", "horizon": "weeks", "indicators": ["ships turned away"], "affected_actors": []}
    answer = {"risks": [{"citations": ["1.2"], **rated, "description": "a server's own words", "likelihood": "high"},
                        {"citations": ["1.2"], **rated}]}
    risks = from_answer(answer, possibilities={"1.2": stated_risk})["risks"]
    assert risks == [{"citations": ["1.2"], **rated, "title": "The port may close",
                      "description": "the port may close", "likelihood": "medium"}]  # the second says the same


def test_a_risk_in_its_sentence_s_words_and_odds_is_supported_without_asking_the_model() -> None:
    sentences = {"1.1": "Officials fear the storm could cut power to the coast.", "1.2": "The storm hit on Monday."}
    claim = "Risk: The storm could cut power: the storm could cut power to the coast (likelihood: medium)"
    found = support.stated(support.Claim("risks[0]", "risk", claim, ("1.1",)), sentences)
    assert found is not None and (found.verdict, found.judge) == ("supported", support.STATED)
    for text, cited in ((claim.replace("medium", "high"), ("1.1",)),  # odds the words do not give
                        (claim.replace("to the coast", "to the whole country"), ("1.1",)),  # other words
                        (claim, ("1.2",))):  # another sentence
        assert support.stated(support.Claim("risks[0]", "risk", text, cited), sentences) is None

