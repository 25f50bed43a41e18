"""The local sampler's guard against a field copying an earlier one (the grammar path needs the model:
the sample cassettes and test_real_model cover it)."""

from __future__ import annotations

from briefing.steering import repeated_run


def test_the_word_completing_a_run_an_earlier_field_wrote_is_a_repeat() -> None:
    earlier = '{"bottom_line":"Allies want to support Ukraine in its defense against Russia.","context":"'
    assert repeated_run(earlier, "Europe wants to support Ukraine in its", "defense", 5)
    assert repeated_run(earlier, "Europe wants to support Ukraine in its", "def", 5)  # a token starting the word


def test_shorter_runs_other_words_and_other_orders_are_not() -> None:
    earlier = '{"bottom_line":"Allies want to support Ukraine in its defense against Russia.","context":"'
    assert not repeated_run(earlier, "Ukraine in its", "defense", 5)  # four words: allowed
    assert not repeated_run(earlier, "Europe wants to support Ukraine in its", "war", 5)
    assert not repeated_run(earlier, "support Ukraine its in", "defense", 5)
    assert not repeated_run("", "support Ukraine in its", "defense", 5)


def test_case_is_ignored() -> None:
    assert repeated_run("Support Ukraine In Its Defense", "support ukraine in its", "DEFENSE", 5)


def test_a_text_may_not_end_saying_what_an_earlier_one_said() -> None:
    from briefing.steering import ends_a_repeat

    written = '{"actors":{"Acme":{"role":"company listed in Mumbai"},"Bolt":{"role":"company listed in'
    assert ends_a_repeat(written, ' Mumbai"')  # the same four words
    assert ends_a_repeat(written + " Mumbai", '"},')  # a token that closes the string and more
    assert not ends_a_repeat(written, ' Mumbai since 1990 and now delisted"')
    assert not ends_a_repeat(written, " Mumbai")  # not closing
    assert not ends_a_repeat('{"a":"x","b":"x', '"')  # one word: labels and names may repeat
    assert not ends_a_repeat('{"a":"one two","b":', '"')  # opening a string, not closing one


def test_a_text_may_not_open_with_the_same_four_words_as_an_earlier_one() -> None:
    from briefing.steering import repeated_opening

    earlier = '{"actors":{"Ohio":{"role":"a state facing slow job growth"},"Iowa":{"role":"'
    assert repeated_opening(earlier, "a state facing", "slow")
    assert repeated_opening(earlier, "A state facing", "sl")  # a token starting the word; case ignored
    assert not repeated_opening(earlier, "a state facing", "rising")
    assert not repeated_opening(earlier, "a state", "facing")  # three words: allowed
    assert not repeated_opening(earlier, "the state facing", "slow")  # not its opening
    assert not repeated_opening(earlier, "a state facing slow job", "growth")  # past the opening (the 8-word ban's job)
    names = '{"a":{"role":"spokesperson for the Harbour Authority"},"b":{"role":"'
    assert repeated_opening(names, "spokesperson for the", "Harbour")  # a name as the fourth word too


def test_no_word_may_make_a_text_of_four_words_or_more_say_what_an_earlier_one_said() -> None:
    from briefing.steering import makes_a_repeat

    # What the sample once gave two actors, the second one cut off by the role's length cap.
    earlier = ('{"actors":{"Donald Trump":{"role":"President-elect of the United States, who is expected to"},'
               '"Joe Biden":{"role":"')
    assert makes_a_repeat(earlier, "The President of the United States, who is", "expected")
    assert not makes_a_repeat(earlier, "The President of the United States, who is", "leaving")
    assert not makes_a_repeat(earlier, "President of the", "United")  # under four words: the ending check's job
    short = '{"a":{"role":"regional shipping firm"},"b":{"role":"'
    assert not makes_a_repeat(short, "regional shipping", "firm")  # an earlier text of three words


def test_a_signpost_may_not_end_as_a_name() -> None:
    from briefing.steering import ends_a_name

    risk = '{"risks":[{"title":"Aid stops","indicators":["'
    assert ends_a_name(risk + "Daniel Fried", '"')
    assert ends_a_name(risk + '50 Billion Dollars"' + ',"European', ' Union"]')  # the second signpost
    assert not ends_a_name(risk + "Daniel Fried resigns", '"')
    assert not ends_a_name(risk + "Daniel Fried", " resigns")  # not closing
    assert not ends_a_name('{"title":"Daniel Fried', '"')  # not a signpost
    assert not ends_a_name(risk + 'Aid cut"],"affected_actors":["Daniel Fried', '"')  # a name where one belongs


def test_an_escaped_quote_does_not_end_a_text() -> None:
    """The grammar allows \\" inside a free-text field: the text goes on past it."""
    from briefing.steering import closed_string, open_string, set_aside

    written = '{"bottom_line":"we will cut aid to Kyiv soon","context":"The minister said \\"we will cut'
    assert open_string(written) == (written[:written.index('"The minister')], 'The minister said \\"we will cut')
    # The text being written opens with "The minister said", not with the bottom line's first words.
    assert not set_aside(written, " aid")
    assert closed_string(written, ' aid\\" there') is None  # an escaped quote closes nothing
    assert closed_string(written, ' aid\\"",') == 'The minister said \\"we will cut aid\\"'
    assert closed_string('{"a":"ends with a backslash \\\\', '"') == "ends with a backslash \\\\"
    assert closed_string('{"a":"an escape \\', '"') is None


def test_a_repeat_is_still_judged_on_the_whole_text_after_an_escaped_quote() -> None:
    from briefing.steering import ends_a_repeat

    written = '{"bottom_line":"company listed in Mumbai","context":"the \\"company\\" listed in'
    assert ends_a_repeat(written, ' Mumbai"')


def test_names_and_keys_may_repeat_an_earlier_string() -> None:
    """Only the texts the model writes are judged: an actor's name as a key of the positions, or
    among a risk's affected actors, is the same string as before by design."""
    from briefing.steering import ends_a_repeat, set_aside

    written = '{"actors":{"Acme Steel Works":{"role":"a b c"}},"positions":{"Acme Steel Works'
    assert not ends_a_repeat(written, '"') and not set_aside(written, '"')
    listed = '{"actors":{"Acme Steel Works":{"role":"a b c"}},"risks":[{"affected_actors":["Acme Steel Works'
    assert not set_aside(listed, '"')


def test_a_text_does_not_fill_its_cap_with_a_word() -> None:
    """A word that would fill a text to its last character is set aside: there a whole word and one
    the grammar cut short look alike, and the reader would be shown a cut mark."""
    from briefing.steering import set_aside

    role = '{"actors":{"Texas":{"role":"leader in energy boom, with technology'  # 12 characters left
    assert set_aside(role, " manufacture") and not set_aside(role, " hub")


def test_a_text_closes_at_the_end_of_a_phrase_before_its_cap() -> None:
    """Near a text's cap no new word starts, nor a word a phrase does not end on, nor a comma; a
    text does not close on one either, nor on an ellipsis; letters are not glued on instead."""
    from briefing.steering import set_aside

    role = '{"actors":{"Ana Lee":{"role":"A spokeswoman for the city\'s Harbour Authority'
    # 32 of the 40 characters a role may have after its first two words
    assert set_aside(role, " of") and set_aside(role, " since") and set_aside(role, ",")
    assert set_aside(role, "_of") and set_aside(role, "Of") and set_aside(role, ".of")  # glued on
    assert not set_aside(role, '"') and not set_aside(role, '"},')
    early = '{"actors":{"Ana Lee":{"role":"A spokeswoman for'
    assert not set_aside(early, " the")  # far from the cap
    assert set_aside(early, '"')  # but it may not end there
    assert set_aside('{"context":"Talks stalled, including…', '"')


def test_the_request_s_own_words_are_not_written_into_a_text() -> None:
    from briefing.steering import set_aside

    signpost = '{"risks":[{"title":"Aid stops","indicators":["'
    assert set_aside(signpost, "citations") and set_aside(signpost + "cit", "ations")
    assert not set_aside(signpost, "Aid")


def test_a_text_may_not_close_the_json_inside_itself() -> None:
    from briefing.steering import set_aside

    assert set_aside('{"risks":[{"description":"Fines over the years', "'}]}")
    assert set_aside('{"risks":[{"description":"Fines over the years', "]")


def test_a_text_may_not_close_on_a_dangling_word_before_a_full_stop() -> None:
    from briefing.steering import set_aside

    assert set_aside('{"actors":{"Ana Lee":{"role":"State with the lowest jobless rate during.', '"')
    assert not set_aside('{"actors":{"Ana Lee":{"role":"State with the lowest jobless rate.', '"')


def test_a_cited_stance_counts_as_written_and_a_citation_may_not_repeat_one() -> None:
    """A position's stance is its cited sentence's own words, filled in after the answer: later
    texts may not say it again, and a citation whose stance an earlier text already says is set
    aside for another of that actor's sentences."""
    from briefing.steering import set_aside

    stances = {"1.4": "passed an executive order to ease land rules", "1.6": "wants faster approvals for roads"}
    after = ('{"title":"Land reform","positions":{"Government":{"citations":["1.4"],"issue":"land"}},'
             '"risks":[],"timeline":[{"date":"Monday","event":"passed an executive order to ease land')
    assert set_aside(after, ' rules"', stances)  # would close on the stance's words
    assert not set_aside(after, ' rules"')  # without the stances, nothing earlier says it
    uncited = after.replace('["1.4"]', '["1.6"]')
    assert not set_aside(uncited, ' rules"', stances)  # a stance not cited is not shown
    citing = ('{"bottom_line":"The government passed an executive order to ease land rules",'
              '"positions":{"Government":{"citations":["1.')
    assert set_aside(citing, '4"', stances) and not set_aside(citing, '6"', stances)


def test_no_ids_in_a_row_nor_words_glued_by_an_underscore_in_a_text() -> None:
    from briefing.steering import set_aside

    signpost = '{"risks":[{"title":"Jobs","indicators":["IHS Global Insight 1.35,'
    assert set_aside(signpost, " 1") and not set_aside(signpost[:-1], " report")
    role = '{"actors":{"Steve Cowan":{"role":"spokesman for the Pennsylvania Department'
    assert set_aside(role, "_of") and not set_aside(role, '"')
    assert not set_aside('{"context":"Growth was 1.5', "%")


def test_a_new_word_near_the_cap_leaves_room_to_be_finished() -> None:
    from briefing.steering import set_aside

    role = '{"actors":{"Texas":{"role":"leader in energy boom, with technology'  # 12 characters left
    assert set_aside(role, " manufact") and set_aside(role, " firms") and not set_aside(role, " hub")
    words = role + " hub"  # 8 characters left: the end of a word may not fill them all
    assert not set_aside(words, "s") and set_aside(words, "stations")


def test_no_dots_in_a_row_in_a_text() -> None:
    from briefing.steering import set_aside

    role = '{"actors":{"Nevada":{"role":"economy, with jobs up 2.'
    assert set_aside(role, ".") and set_aside(role[:-1], "..") and not set_aside(role[:-1], "%")


def test_no_capital_glued_onto_a_lowercase_word_in_a_text() -> None:
    from briefing.steering import set_aside

    context = '{"context":"Aid keeps Ukraine in the strongest'
    assert set_aside(context, "Possible") and not set_aside(context, " possible") and not set_aside(context, "ly")
    # A name with a capital inside is no glue.
    assert not set_aside('{"context":"Senate leader Mc', "Connell") and not set_aside('{"context":"JP', "Morgan")



def test_a_word_begun_before_the_cap_s_last_letters_may_be_finished() -> None:
    """Near a signpost's cap the sampler refused " exceeding" (no room left after it), allowed
    " exceed", then refused the word's last letter: the text closed on "exceedin"."""
    from briefing.steering import set_aside, vocabulary

    written = ('{"risks":[{"indicators":["Ukraine\'s military faces mounting pressure from Russia along a '
               'front lines')
    words = vocabulary(["Its military faces a front line exceeding 1,000 km."])
    assert set_aside(written, " exceeding")  # a new word leaves room to be finished
    assert set_aside(written, " exceed", words=words)  # as does one that begins a word of the sources
    assert not set_aside(written, " exceed")  # not knowing the sources' words
    assert not set_aside(written, " near", words=words)
    assert not set_aside(written + " exceedin", "g")  # begun before new words stopped: finished
    assert set_aside(written + " exceeding", " by")  # no new word this close to the cap
