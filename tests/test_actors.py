"""The names the sources write, found before the model writes, with aliases merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import actors, support
from briefing.ingest import load_source, load_sources
from briefing.pipeline import generate, prepare
from briefing.request_schema import LENGTHS, from_answer
from briefing.settings import GenerateOptions
from briefing.sources import make_source

from helpers import SEED, FakeBackend, as_json, good_briefing

NAMED = GenerateOptions(named_actors=True)
pytestmark = pytest.mark.skipif(not actors.available(), reason="the spaCy pipeline is not installed")

STORY = """Foreign Minister Ana Duarte met Prime Minister Kenji Sato in Geneva on Monday.
Duarte said Portugal would back the plan; Sato's government was cautious.
The World Health Organization (WHO) welcomed the talks, and the WHO will send experts.
Portuguese farmers protested outside the venue.
"""


def test_people_organisations_and_countries_are_found_with_their_aliases(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    found = {c.name: c for c in actors.find([load_source(path)])}
    assert found["Ana Duarte"].sentence_ids == ["1.1", "1.2"]  # "Duarte" is her too
    assert "Duarte" in found["Ana Duarte"].aliases and "Duarte" not in found
    assert found["World Health Organization"].mentions >= 2  # "WHO" folded in
    assert "Portugal" in found


def _keyed(briefing: dict, names: list[str]) -> dict:
    """An answer in the shape the named-actors schema asks for: actors keyed by name."""
    return {**briefing, "actors": {n: {"role": f"role of {n}"} for n in names}}


def test_the_actors_are_the_most_named_and_cite_their_mentions() -> None:
    backend = FakeBackend(as_json(good_briefing()))
    prepared = prepare(load_sources([SEED]), backend, NAMED)
    schema = prepared.request.json_schema
    # The model lists no actors and writes no role: the actors are the names, with the sources' roles.
    assert "actors" not in schema["properties"] and "actors" not in schema["required"]
    assert "its role" not in prepared.request.messages[1]["content"]
    assert prepared.given["Antony Blinken"] == ("leading diplomat of the outgoing Biden administration", "1.2")
    assert prepared.given["Donald Trump"] == ("President-elect", "1.2")  # a title before the name
    assert prepared.given["Vladimir Putin"] == ("Russian President", "1.22")  # listed after the others too
    assert "Ukraine" not in prepared.given  # the sources never say who or what it is
    length = LENGTHS[backend.default_length]
    listed = schema["$defs"]["Position"]["properties"]["actor"]["enum"]
    assert len(listed) == length.named_actors  # positions may name them all
    assert set(listed[:2]) == {"Donald Trump", "Ukraine"}
    assert listed == list(prepared.mentions) and prepared.also_named == listed[length.described_actors:]
    assert f"Also named: {'; '.join(prepared.also_named)}." in prepared.request.messages[1]["content"]
    shown = "Donald Trump (President-elect); "
    assert shown in prepared.request.messages[1]["content"]  # with how the source introduces a person
    # A role the model writes anyway (a server that ignores the schema) is not taken.
    cited = from_answer({"actors": {"Ukraine": {"role": "r s t"}}}, prepared.mentions)
    assert cited["actors"][1] == {"role": None, "name": "Ukraine", "kind": "government",
                                  "citations": prepared.mentions["Ukraine"][1][:2]}
    assert [a["name"] for a in cited["actors"]] == listed


def test_a_role_the_sources_give_is_theirs_in_rank_order_citing_the_sentence_that_gives_it() -> None:
    prepared = prepare(load_sources([SEED]), FakeBackend(), NAMED)
    # A server that ignores the schema and writes a role anyway: the sources' words stand.
    answer = {"actors": {"Donald Trump": {"role": "r s t"}, "Antony Blinken": {"role": "u v w"}}}
    listed = from_answer(answer, prepared.mentions, given=prepared.given)["actors"]
    assert [a["name"] for a in listed] == list(prepared.mentions)  # rank order
    blinken = next(a for a in listed if a["name"] == "Antony Blinken")
    assert blinken["role"] == "leading diplomat of the outgoing Biden administration"
    assert "1.2" in blinken["citations"] and len(blinken["citations"]) == 2  # the sentence that gives it
    assert next(a for a in listed if a["name"] == "Donald Trump")["role"] == "President-elect"
    run = generate(load_sources([SEED]), FakeBackend(as_json(_keyed(good_briefing(), list(prepared.mentions)))), NAMED)
    roles = {a.name: a.role for a in run.briefing.actors}
    assert roles["Antony Blinken"] == "leading diplomat of the outgoing Biden administration"
    assert {name for name, role in roles.items() if role} == set(prepared.given)
    judged = [e for e in run.support or [] if e.item.startswith("actors[")]
    assert len(judged) == len(prepared.given)
    assert {(e.verdict, e.judge) for e in judged} == {("supported", "quoted")}  # no model asked


@pytest.mark.parametrize(("text", "title"), [
    ("Foreign Minister Ana Duarte met the press.", "Foreign Minister"),
    ("Talks began, and President-elect Ana Duarte spoke.", "President-elect"),
    ("Mr. Ana Duarte met the press.", None),  # a form of address
    ("Former U.S. Secretary of State Ana Duarte said so.", "Former U.S. Secretary of State"),
    ("On Monday, NATO’s Ana Duarte told reporters the plan would fail.", None),  # whose she is, not what she does
    ("Ana Duarte met the press.", None),
])
def test_a_person_s_title_before_the_name_becomes_a_role(text: str, title: str | None) -> None:
    from briefing.actors import _pipeline, _title

    doc = _pipeline()(text)
    person = next(e for e in doc.ents if e.label_ == "PERSON")
    assert _title(person) == title


@pytest.mark.parametrize(("text", "role"), [
    ("The plan failed, said Ana Lee, a senior fellow at the Harbour Institute in Leeds and a former envoy.",
     "senior fellow at the Harbour Institute in Leeds"),
    ("“We lost,” said Tom Berg, 51, co-owner and chief executive of Berg Pumps Ltd., who spoke by phone.",
     "co-owner and chief executive of Berg Pumps Ltd."),
    ("Mara Ode, director of port and harbour and inland waterway and coastal freight strategy at the Eastern "
     "Seaboard Shipping and Logistics Holding Company of Greater Lagos and Ibadan in Nigeria, said so.",
     None),  # too long for a role without the place
    ("Maria Gonzalez, 40, of Leeds, said so.", None),  # an age and a town say nothing of what she does
    ("Tom Berg himself said so.", None),
])
def test_how_the_sources_introduce_a_person_becomes_a_role(text: str, role: str | None) -> None:
    from briefing.actors import _introduction, _pipeline

    doc = _pipeline()(text)
    person = next(e for e in doc.ents if e.label_ in ("PERSON", "ORG") and " " in e.text)
    assert _introduction(person) == role


def test_an_answer_keyed_by_actor_becomes_the_briefing_s_list_with_citations_from_mentions() -> None:
    prepared = prepare(load_sources([SEED]), FakeBackend(), NAMED)
    names = list(prepared.mentions)
    briefing = _keyed(good_briefing(), names)
    run = generate(load_sources([SEED]), FakeBackend(as_json(briefing)), NAMED)
    assert [a.name for a in run.briefing.actors] == names
    assert all(a.citations and a.interests is None for a in run.briefing.actors)
    assert run.briefing.actors[0].citations[0] in run.quotes
    assert [a.kind for a in run.attempts] == ["generate", "support"]


def _positions(prepared) -> dict:  # type: ignore[no-untyped-def]
    """An answer's positions in the keyed shape the request asks for: each holder's first sentence."""
    return {name: {"citations": ids[:1], "issue": "the war in Ukraine"} for name, ids in prepared.holders.items()}


def test_the_actors_are_listed_in_rank_order_citing_their_mentions_with_the_sources_roles_alone() -> None:
    prepared = prepare(load_sources([SEED]), FakeBackend(), NAMED)
    answer = good_briefing()
    answer["positions"] = _positions(prepared)
    run = generate(load_sources([SEED]), FakeBackend(as_json(answer)), NAMED)
    actors_ = run.briefing.actors
    assert [a.name for a in actors_] == list(prepared.mentions)  # in rank order, not the answer's
    for a in actors_:
        assert a.role == (prepared.given[a.name][0] if a.name in prepared.given else None)
        if a.name not in prepared.given:
            assert a.citations == prepared.mentions[a.name][1][:2]
        assert all(c in run.quotes for c in a.citations)
    assert [p.actor for p in run.briefing.positions] == list(prepared.holders)
    # The stance is what the cited sentence says its actor holds, in the sentence's words.
    for position in run.briefing.positions:
        assert position.stance == prepared.stances[position.actor][position.citations[0]]
        assert position.stance in run.quotes[position.citations[0]].replace("“", "").replace("”", "")
    assert not any(".role" in w for w in run.grounding.warnings)


def test_a_position_put_together_from_the_parse_is_held_to_it_and_no_model_is_asked() -> None:
    prepared = prepare(load_sources([SEED]), FakeBackend(), NAMED)
    answer = _keyed(good_briefing(), list(prepared.mentions)[:prepared.described])
    answer["positions"] = _positions(prepared)
    backend = FakeBackend(as_json(answer))
    run = generate(load_sources([SEED]), backend, NAMED)
    assert run.support is not None and run.briefing.positions
    judged = {e.item: e for e in run.support}
    for n, position in enumerate(run.briefing.positions):
        entry = judged[f"positions[{n}]"]
        assert (entry.verdict, entry.judge) == ("supported", "attributed")
        assert entry.reason == \
            f"the parse finds {position.actor} holding this in {position.citations[0]}, in these words"
    assert not any("Claim (position)" in r.messages[-1]["content"] for r in backend.judged)


def test_verify_support_holds_such_a_position_to_the_parse_again() -> None:
    from briefing.document import BriefingDocument
    from briefing.verify import verify_support

    prepared = prepare(load_sources([SEED]), FakeBackend(), NAMED)
    answer = _keyed(good_briefing(), list(prepared.mentions)[:prepared.described])
    answer["positions"] = _positions(prepared)
    saved = BriefingDocument.parse(json.loads(generate(load_sources([SEED]), FakeBackend(as_json(answer)), NAMED)
                                              .to_document().dump()))
    judge = FakeBackend()
    judged = verify_support(saved, load_sources([SEED]), judge)
    positions = [e for e in judged if e.item.startswith("positions[")]
    assert positions and {(e.verdict, e.judge) for e in positions} == {("supported", "attributed")}
    assert not any("Claim (position)" in r.messages[-1]["content"] for r in judge.judged)
    # A stance that is not the parse's is the model's to judge.
    saved.briefing.positions[0].stance = "wants the war over by spring"
    judged = verify_support(saved, load_sources([SEED]), judge)
    assert next(e for e in judged if e.item == "positions[0]").judge == judge.model


def test_a_position_cites_only_sentences_in_which_its_actor_holds_it() -> None:
    """The request ties each holder's citations to its own sentences; an answer that does not (a
    server in plain JSON mode) is sent back."""
    prepared = prepare(load_sources([SEED]), FakeBackend(), NAMED)
    schema = prepared.request.json_schema["properties"]["positions"]
    assert schema["required"] == list(prepared.holders) and prepared.holders
    for name, ids in prepared.holders.items():
        assert schema["properties"][name]["properties"]["citations"]["items"]["enum"] == ids
        assert list(schema["properties"][name]["properties"]) == ["citations", "issue"]
    name = next(iter(prepared.holders))
    elsewhere = next(s.id for s in load_sources([SEED])[0].sentences if s.id not in prepared.holders[name])
    wrong = _keyed(good_briefing(), list(prepared.mentions)[:prepared.described])
    wrong["positions"] = {**_positions(prepared), name: {"citations": [elsewhere], "issue": "aid to Ukraine"}}
    right = {**wrong, "positions": _positions(prepared)}
    run = generate(load_sources([SEED]), FakeBackend(as_json(wrong), as_json(right)), NAMED)
    assert [a.kind for a in run.attempts] == ["generate", "repair", "support"]
    assert run.attempts[0].errors == [f"positions[0]: cite only sentences in which {name} holds the position: "
                                      f"{', '.join(prepared.holders[name])}"]


def test_a_role_the_model_writes_anyway_is_not_taken_nor_sent_back() -> None:
    first = {**good_briefing(), "actors": {"Donald Trump": {"role": ""}}}  # an empty role, not asked for
    run = generate(load_sources([SEED]), FakeBackend(as_json(first)), NAMED)
    assert [a.kind for a in run.attempts] == ["generate", "support"]
    assert next(a for a in run.briefing.actors if a.name == "Donald Trump").role == "President-elect"
    assert {a.kind for a in run.briefing.actors} >= {"person", "government"}


def test_names_are_not_looked_up_when_turned_off() -> None:
    prepared = prepare(load_sources([SEED]), FakeBackend(), GenerateOptions(named_actors=False))
    assert prepared.mentions == {} and "names the sources write" not in prepared.request.messages[1]["content"]
    assert prepared.request.json_schema["properties"]["actors"]["type"] == "array"


def test_things_and_credits_are_not_actors(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "LISBON (Newswire) - The Harbour Authority said the Tide Control System (TCS) failed twice.\n"
        "The authority asked Atlas Marine to replace the TCS; Atlas Marine Flight 12 was grounded.\n"
        "The Port Safety Manual was revised and the Harbour Authority fined Atlas Marine.\n",
        encoding="utf-8")
    names = [c.name for c in actors.find([load_source(path)])]
    assert "Harbour Authority" in names and "Atlas Marine" in names
    not_actors = {"Newswire", "LISBON", "TCS", "Tide Control System", "Port Safety Manual", "Atlas Marine Flight"}
    assert not not_actors & set(names)


def test_only_the_sentences_given_are_searched(tmp_path: Path) -> None:
    from dataclasses import replace

    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    source = load_source(path)
    view = replace(source, sentences=[source.sentences[0], source.sentences[2]])  # as a staged run shows it
    found = {c.name: c.sentence_ids for c in actors.find([view])}
    assert "Portugal" not in found  # named only in sentence 2
    assert all(set(ids) <= {"1.1", "1.3"} for ids in found.values())


def test_a_person_s_title_or_description_comes_from_the_text(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Foreign Minister Ana Duarte met the press.\nKenji Sato, a former trade envoy, disagreed.\n"
                    "Duarte and Sato will meet again.\n", encoding="utf-8")
    found = {c.name: c.titles for c in actors.find([load_source(path)])}
    assert found["Ana Duarte"] == ["Foreign Minister"]
    assert found["Kenji Sato"] == ["a former trade envoy"]


MEETING = ("Lakeland hosted the summit on Monday, and Lakeland paid for it.\n"
           "The Tidewater Ports Agency sent a delegation.\n"
           "\"Ships are late,\" said Mia Ford, a spokeswoman for the Tidewater Ports Agency.\n"
           "The University of Lakeland welcomed the delegates.\n"
           "Write to the Tidewater Ports Agency, 12 Quay Road, Lakeland, OR 97201; telephone: 555-0100.\n"
           "The United States sent observers; the U.S. delegation was small.\n"
           "Acme Holdings and Acme signed, and Acme Labs watched.\n")


def test_an_organisation_someone_speaks_for_ranks_above_a_place_named_as_often() -> None:
    found = actors.find([make_source(MEETING, source_id="1", origin="meeting.txt")])
    by_name = {c.name: c for c in found}
    agency = by_name["Tidewater Ports Agency"]
    assert agency.voices == {"mia ford"} and by_name["Mia Ford"].quoted == 1
    assert found[0] is agency  # 2 mentions and a spokeswoman quoted, against Lakeland's 2 mentions
    assert agency.sentence_ids == ["1.2", "1.3"]  # the address to write to is not a mention


def test_names_merge_by_initials_and_heads_but_not_across_of() -> None:
    found = {c.name: c for c in actors.find([make_source(MEETING, source_id="1", origin="meeting.txt")])}
    assert found["United States"].aliases == {"U.S.", "United States"}  # initials with their dots
    assert "University of Lakeland" in found and "Lakeland" in found  # a place is not the university
    assert "Acme" in found["Acme Holdings"].aliases  # a head that starts several names: the most named
    assert actors._stands_for("J.P. Morgan", "JPMorgan Chase", False)  # spaced and dotted, the same name
    assert not actors._stands_for("J.P. Morgan", "Morgan Stanley", False)


def test_acronyms_defined_as_common_nouns_or_things_are_not_actors() -> None:
    text = ("ACTION: Notice of proposed rulemaking (NPRM). Use Alternative Methods of Compliance (AMOCs). "
            "Write to the Department of Transportation (DOT). The Federal Aviation Administration (FAA) said so.")
    things = actors._defined_things(text)
    assert {"NPRM", "AMOC", "AMOCs"} <= things
    assert not {"DOT", "FAA"} & things


def test_a_long_report_s_actors_are_its_parties_not_its_codes_or_addresses() -> None:
    pdf = Path(__file__).parent / "data" / "pdf" / "federal-register-2020-17221.pdf"
    found = actors.find(load_sources([str(pdf)]))
    top = [c.name for c in found[:12]]
    assert {"Federal Aviation Administration", "Boeing Company", "Lion Air", "Ethiopian Airlines"} <= set(top)
    faa = found[top.index("Federal Aviation Administration")]
    assert "FAA" in faa.aliases  # 100+ mentions as "FAA", folded in though "FAA Administrator" also starts with it
    # A model after its number, an acronym the text defines as a notice, a word set in capitals
    # that the text also writes in lowercase, a citation after its title number.
    assert not {"MAX", "NPRM", "DISAGREE", "CFR"} & {c.name for c in found if c.mentions > 1}


def _found(tmp_path: Path, text: str) -> dict[str, actors.Candidate]:
    """The candidates found in a story, by name."""
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    return {c.name: c for c in actors.find([load_source(path)])}


def test_parties_named_by_a_common_noun_are_actors(tmp_path: Path) -> None:
    found = _found(tmp_path, "Regulators fined the bank on Monday.\nThe government said it would appeal, and investors "
                             "sold.\nOpposition to the plan grew.\nThe opposition called for a vote.\n"
                             "Government regulators met lobbyists.\nIts traders and the bank's lenders waited.\n")
    assert found["Regulators"].sentence_ids == ["1.1", "1.5"]  # "Government" only describes them there
    assert found["Government"].sentence_ids == ["1.2"] and found["Government"].kind == "government"
    assert found["Opposition"].sentence_ids == ["1.4"]  # not "opposition to the plan"
    assert {"Investors", "Lobbyists"} <= set(found) and found["Investors"].kind == "group"
    assert found["Government"].quoted  # "the government said"
    assert "Traders" not in found and "Lenders" not in found  # the bank's


def test_a_singular_common_noun_without_an_article_is_a_sector_not_a_body(tmp_path: Path) -> None:
    found = _found(tmp_path, "The state has government as its largest employer.\n\"Government has been a drag,\" he "
                             "said.\nThe government said it would help.\nPolice said two men were held.\n"
                             "One regulator objected.\n")
    assert found["Government"].sentence_ids == ["1.3"]  # "the government", not the public sector
    assert found["Police"].sentence_ids == ["1.4"]  # "police" takes no article
    assert found["Regulators"].sentence_ids == ["1.5"]


def test_of_actors_named_as_often_those_holding_a_position_rank_first(tmp_path: Path) -> None:
    text = ("Jo Smith said she hoped the plant in Ohio would hire her.\n"
            "Ohio has lost jobs, Smith said.\n"
            "\"We will not raise prices,\" said Ana Duarte, chief economist at Lakeland Bank.\n")
    found = _found(tmp_path, text)
    speaking = {"jo smith", "smith", "ana duarte"}
    assert {found[name].weight(speaking) for name in ("Jo Smith", "Ohio", "Ana Duarte")} == {2}
    # She holds a position; a passer-by's hope is not a party's position.
    assert list(found)[:3] == ["Ana Duarte", "Jo Smith", "Ohio"]


def test_a_nationality_of_several_words_is_its_country(tmp_path: Path) -> None:
    found = _found(tmp_path, "North Korean troops crossed the border.\nNorth Korea denied it on Monday.\n")
    assert found["North Korea"].sentence_ids == ["1.1", "1.2"] and "North Korean" not in found


def test_an_organisation_s_voice_is_a_person_its_name_describes_not_one_in_another_clause(tmp_path: Path) -> None:
    found = _found(tmp_path, "Ana Lee, a spokeswoman for the Harbour Authority, said the port was open.\n"
                             "That is good news for people like Tom Reed, who joined the 40 million Americans "
                             "expected by the Harbour Board to travel over the weekend.\n")
    assert found["Harbour Authority"].voices  # she speaks for it
    assert found["Harbour Board"].voices == set()  # he is one of those it counts, not its voice


def test_a_risk_is_what_its_sentence_says_may_happen_and_is_checked_without_the_model() -> None:
    sources = load_sources([SEED])
    prepared = prepare(sources, FakeBackend(), NAMED)
    stated = prepared.possibilities or {}
    assert "1.2" in stated and "1.3" not in stated  # "allies who are worried that Trump may forsake Ukraine"
    assert ", ".join(stated) in prepared.request.messages[1]["content"]
    risk = good_briefing()["risks"][0]
    backend = FakeBackend(as_json(good_briefing(risks=[{**risk, "citations": ["1.3"]}])),  # a trip, not a risk
                          as_json(good_briefing(risks=[{**risk, "citations": ["1.2"]}])))
    run = generate(sources, backend, NAMED)
    assert any("risks[0]: cite a sentence that states the possibility" in e for e in run.attempts[0].errors)
    shown = run.briefing.risks[0]
    assert (shown.title, shown.description, shown.likelihood) == (stated["1.2"].headline, stated["1.2"].text,
                                                                  stated["1.2"].likelihood)
    assert shown.title == "President-elect Donald Trump may forsake Ukraine"
    assert next(e for e in run.support if e.item == "risks[0]").judge == support.STATED  # no model asked


def test_an_open_question_is_the_one_its_sentence_raises_and_is_checked_without_the_model() -> None:
    sources = load_sources([SEED])
    prepared = prepare(sources, FakeBackend(), NAMED)
    # "Although he has not provided a detailed strategy for the conflict, Trump has …"; "… during
    # which the president-elect allegedly urged Putin to refrain from escalating the war in Ukraine".
    # Not "which did not provide further details on the message he will convey": the sentence
    # names no one "he" could be but a name the parser takes for a place.
    assert prepared.unsettled == {
        "1.20": "What is Trump's detailed strategy for the conflict?",
        "1.22": "Did the president-elect urge Putin to refrain from escalating the war in Ukraine?"}
    question = prepared.request.json_schema["$defs"]["OpenQuestion"]
    assert question["properties"]["citations"]["items"]["enum"] == list(prepared.unsettled)
    assert "question" not in question["properties"]  # the sentence's, added after the answer
    asked = good_briefing()["open_questions"][0]
    backend = FakeBackend(as_json(good_briefing(open_questions=[{**asked, "citations": ["1.7"]}])),
                          as_json(good_briefing(open_questions=[{**asked, "citations": ["1.22"]},
                                                                {**asked, "citations": ["1.22"]}])))
    run = generate(sources, backend, NAMED)
    assert any("open_questions[0]: cite a sentence that raises the question: 1.20, 1.22" in e
               for e in run.attempts[0].errors)
    # The model's own question is replaced by the sentence's; a second citing it would say the same.
    assert [q.question for q in run.briefing.open_questions] == [prepared.unsettled["1.22"]]
    assert next(e for e in run.support if e.item == "open_questions[0]").judge == support.RAISED
