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

    written = '{"a":"company listed in Mumbai","b":"the \\"company\\" listed in'
    assert ends_a_repeat(written, ' Mumbai"')
