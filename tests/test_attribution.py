"""Who holds a position where, and which names act, read off the parse (made-up stories; no model)."""

from __future__ import annotations

from pathlib import Path

from briefing import actors
from briefing.ingest import load_source


def _found(tmp_path: Path, text: str) -> dict[str, actors.Candidate]:
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    return {c.name: c for c in actors.find([load_source(path)])}


STORY = ("Ana Duarte arrived in Lisbon on Monday.\n"  # 1.1
         "\"We will not reopen the port before May,\" she said.\n"  # 1.2
         "A spokeswoman for the Harbour Authority said the ships would wait.\n"  # 1.3
         "The Fishers Union opposes the plan.\n"  # 1.4
         "According to the Harbour Board, traffic fell by a third.\n"  # 1.5
         "\"The Fishers Union wants a deal,\" said Tomas Vey, a spokesman for the Harbour Board.\n"  # 1.6
         "Bolt Shipping must cut its prices, Tomas Vey said.\n")  # 1.7


def test_a_position_belongs_to_who_states_it(tmp_path: Path) -> None:
    found = _found(tmp_path, STORY)
    assert found["Ana Duarte"].holds == ["1.2"]  # "she said", the nearest person before
    assert found["Harbour Authority"].holds == ["1.3"]  # through its spokeswoman
    assert found["Fishers Union"].holds == ["1.4"]  # not 1.6, where someone else says what it wants
    assert found["Harbour Board"].holds == ["1.5", "1.6"]  # where its spokesman speaks for it
    assert found["Tomas Vey"].holds == ["1.6", "1.7"]
    assert "1.7" not in found.get("Bolt Shipping", actors.Candidate("", "ORG")).holds  # "must": the speaker's view


def test_a_place_where_things_happen_and_a_name_that_only_describes_are_not_actors(tmp_path: Path) -> None:
    found = _found(tmp_path, "Talks were held in Lisbon and Porto on Monday.\nBrent crude fell to a low.\n"
                             "Dockers told the Harbour Gazette that the Acme Steel rule was unfair.\n"
                             "Acme Steel said it would appeal.\n")
    assert not {"Lisbon", "Porto", "Brent", "Harbour Gazette"} & set(found)
    assert "Acme Steel" in found  # it says something; the rule named after it does not make it less an actor


def test_a_pronoun_in_a_relative_clause_stands_for_the_noun_the_clause_is_about(tmp_path: Path) -> None:
    found = _found(tmp_path, "Portugal sent ships.\nOthers such as Spain, which may matter because of its "
                             "concerns about fishing, were also invited.\n")
    assert found["Spain"].holds == ["1.2"] and not found["Portugal"].holds


def test_a_person_passing_by_holds_no_position_in_the_briefing(tmp_path: Path) -> None:
    found = _found(tmp_path, "\"I waited two hours for the ferry,\" said Rui Costa.\n"
                             "\"The ferry will run again on Friday,\" said Lia Mendes, a spokeswoman for the "
                             "ferry operator Tejo Lines.\nRui Costa went home.\n")
    holding = actors.holders(list(found.values()), 5)
    assert found["Rui Costa"].holds and found["Rui Costa"] not in holding  # an account, not a position
    assert found["Tejo Lines"] in holding and found["Lia Mendes"] not in holding  # she speaks for it
    assert found["Tejo Lines"].stances[found["Tejo Lines"].holds[0]] == "The ferry will run again on Friday"


def test_the_actors_whose_positions_are_given_are_listed_whatever_their_rank() -> None:
    ranked = [actors.Candidate(name, "ORG", holds=["1.1"] if name == "Late" else []) for name in "ABCDEF"]
    ranked.append(actors.Candidate("Late", "ORG", holds=["1.9"]))
    holding = actors.holders(ranked, 3)
    assert [c.name for c in holding] == ["Late"]
    assert [c.name for c in actors.listed(ranked, 4, holding)] == ["A", "B", "C", "Late"]


def test_adding_things_is_not_saying_more(tmp_path: Path) -> None:
    found = _found(tmp_path, "Ana Duarte has added 80 jobs to her shipping firm.\n"
                             "\"It has been a slow climb,\" Ana Duarte added.\n")
    assert found["Ana Duarte"].holds == ["1.2"]


def test_an_actor_named_by_its_role_is_the_one_the_text_gives_that_role(tmp_path: Path) -> None:
    found = _found(tmp_path, "Prime Minister Ana Duarte visited Lakeland General Hospital on Monday.\n"
                             "The hospital said the risk to other patients was extremely low.\n"
                             "The prime minister said the state would pay for more testing.\n"
                             "The minister of ports was not available.\n")
    assert found["Lakeland General Hospital"].holds == ["1.2"]
    assert found["Ana Duarte"].holds == ["1.3"] and found["Ana Duarte"].sentence_ids == ["1.1", "1.3"]


def test_a_role_that_fits_two_named_actors_is_no_ones(tmp_path: Path) -> None:
    found = _found(tmp_path, "Lakeland General Hospital and Harbour City Hospital admitted patients on Monday.\n"
                             "The hospital said the risk was extremely low.\n")
    assert not found["Lakeland General Hospital"].holds and not found["Harbour City Hospital"].holds


def test_a_news_outlet_that_only_reports_is_a_credit_but_one_that_acts_is_an_actor(tmp_path: Path) -> None:
    found = _found(tmp_path, "The port is under \"continuing assault\", as the Harbour Times put it on Tuesday.\n"
                             "According to the Lakeland Gazette, the port will close.\n"
                             "The Harbour Post sued the port authority on Monday.\n"
                             "The Harbour Post said the port hid its accounts.\n")
    assert "Harbour Times" not in found and "Lakeland Gazette" not in found
    assert "Harbour Post" in found
