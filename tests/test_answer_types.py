"""The kind of value a question asks for, and whether a sentence holds one: general English rules, each tested on
sentences from unrelated domains (a bakery, a shipyard, an API reference, a hardware manual)."""

from __future__ import annotations

import pytest

from assistant.answer_types import can_answer_type, expected_answer_type


@pytest.mark.parametrize(("question", "answer_type"), [
    ("What is the default baking time of the rye loaf?", "default"),          # bakery
    ("What is the default value of the retries option?", "default"),          # API reference
    ("What is the kiln's default firing setting?", "default"),
    ("What is the name of the default hook the crane calls?", "default"),
    ("How often is the hull inspected?", "frequency"),                        # shipyard
    ("By what percentage did the new oven cut gas use?", "proportion"),
    ("By roughly what factor is the cache faster than the disk?", "proportion"),
    ("What is the time complexity of the merge step?", "complexity"),
    ("Which error does the client raise on a timeout?", "exception"),
    ("What exit status does the tool return on bad input?", "exit status"),
    ("What is the maximum length of a label?", "upper bound"),
    ("What is the largest batch the API accepts?", "upper bound"),
    ("What is the minimum wall thickness of a hull plate?", "lower bound"),
    ("Which serial baud rate does the controller use?", "measure"),
    ("What are the loaf size estimates based on?", None),                     # the head noun is "estimates"
    ("In which year was the dry dock built?", "year"),
    ("Which Python versions does the library support?", "version"),
    ("In which Foo-Bar release was the flag introduced?", "version"),
    ("What does the flag do?", None),
    ("Who founded the bakery?", "person"),
    ("Who are the authors of the style guide?", "person"),
    ("Who is the harbour master?", None),                                     # any description will do
    ("Who mostly buys the bread?", None),                                     # "law firms" would answer
    ("Is the default value documented?", None),                               # yes/no
    ("How many bytes does the header take?", "data size"),
    ("How much memory does the index need?", "data size"),
    ("How many seconds does the kiln take to cool?", "duration"),
    ("How long does a hull inspection last?", "duration"),
    ("How long may the label be?", None),                                     # a length, not a duration
    ("How big is the proofing basket?", "quantity"),
    ("How many loaves per hour can the oven bake?", "rate"),
    ("How many megabytes per second can the disk write?", "rate"),
    ("How many loaves can the oven bake a day?", "rate"),
    ("How do I carry a value onto a second line?", None),
])
def test_question_kinds(question: str, answer_type: str | None) -> None:
    assert expected_answer_type(question) == answer_type


@pytest.mark.parametrize(("sentence", "answers"), [
    ("The bakery was founded by Marie Dubois in 1921.", True),
    (":Author: Ada Keel and Bo Rudder", True),
    ("The library was written by J. Smith and Ann van Dijk.", True),
    ("The bakery has been family-run since 1921.", False),
    ("Source code: Lib/shipyard.py", False),
    ("Source Code: lib/shipyard.js", False),                                   # a title-case label
])
def test_a_person_is_named_with_a_personal_name(sentence: str, answers: bool) -> None:
    assert can_answer_type(sentence, "person") is answers


@pytest.mark.parametrize(("sentence", "answers"), [
    ("The default baking time is 40 minutes.", True),
    ("Default: `'wikilink'`", True),
    ("If unset, retries defaults to None.", True),
    ("--crust=<soft|crisp> [default: crisp]", True),                         # an option's label
    ("The hull colour defaults to grey.", True),
    ("Some loaves need more time than the default allows.", False),           # names the default, gives no value
    ("The retries option sets how often a request is repeated.", False),      # no default at all
    ("If no rule matches, the default type is used.", False),                 # "no" is not a value
])
def test_a_default_is_named_with_its_value(sentence: str, answers: bool) -> None:
    assert can_answer_type(sentence, "default") is answers


@pytest.mark.parametrize(("sentence", "answer_type", "answers"), [
    ("The hull is inspected every two years.", "frequency", True),
    ("Inspections are logged in the harbour office.", "frequency", False),
    ("The new oven cut gas use by 12%.", "proportion", True),
    ("The cache is about ten times faster than the disk.", "proportion", True),
    ("The new oven is more efficient.", "proportion", False),
    ("Merging runs in linear time.", "complexity", True),
    ("Lookups take O(log n) steps.", "complexity", True),
    ("A topological order is a linear ordering of the vertices.", "complexity", False),  # not a bound
    ("The header takes 12 bytes.", "data size", True),
    ("The header is followed by one of the three records.", "data size", False),
    ("A hull inspection lasts about three days.", "duration", True),
    ("Only two of the inspectors sign the report.", "duration", False),
    ("The hull is inspected 4 times a year.", "frequency", True),
    ("The yard runs 3 cranes.", "frequency", False),                          # a count, not how often
    ("On bad input the tool exits with status 2.", "exit status", True),
    ("This helps when more than one loaf is proofed.", "exit status", False),
    ("A label may be up to 63 characters long.", "upper bound", True),
    ("A label is followed by a colon and at least one space.", "upper bound", False),  # a lower bound
    ("Plates are at least 12 mm thick.", "lower bound", True),
    ("The oven bakes 40 loaves per hour.", "rate", True),
    ("Each read takes 512 KiB of data.", "rate", False),                    # an amount, not per unit of time
    ("Run the oven a second time with 2 trays.", "rate", False),
    ("Exit code 0 means the launch succeeded.", "exit status", True),
    ("See the code in example 2.", "exit status", False),
    ("Inspections take time linear in the number of plates.", "complexity", True),
    ("Ferries are built from 2080 plates.", "quantity", True),                # a number, not a year
    ("Merging is done in one pass over the sorted inputs, lazily.", "complexity", False),
    ("A TimeoutError is raised after 30 seconds.", "exception", True),
    ("Raises an auditing event with the arguments host and port.", "exception", False),
    ("New in version 3.2.", "version", True),
    ("Most algorithms may change across versions.", "version", False),       # the word names no version
    ("The dock was built in 1911.", "year", True),
    ("The dock was built today.", "year", False),
])
def test_sentences_hold_the_kind_asked_for(sentence: str, answer_type: str, answers: bool) -> None:
    assert can_answer_type(sentence, answer_type) is answers


@pytest.mark.parametrize(("sentence", "answers"), [
    ("This allows one to insert the list elsewhere.", False),                # "one" as a pronoun
    ("Find one that supports the smart signalling.", False),
    ("Insertion blocks once this size has been reached.", False),            # "once" as a conjunction
    ("The dough is folded once before shaping.", True),
    ("Only one of the three ferries runs in winter.", True),
    ("The queue holds 64 items.", True),
    ("ASN1_MAX_NAME_SIZE is the limit for a name.", False),                   # a digit inside a name
    ("The buffer holds 64KiB.", True),
    ("See ferry-schedule(5) for the timetable.", False),                     # a manual section
    ("The dock gate speaks HTTP/1.1 to the harbour office.", False),         # a protocol's version
])
def test_pronoun_one_and_conjunction_once_are_not_quantities(sentence: str, answers: bool) -> None:
    assert can_answer_type(sentence, "quantity") is answers


@pytest.mark.parametrize(("question", "sentence", "answers"), [
    ("What compression level does the kiln log use?", "Logs are compressed at level 6.", True),
    ("What compression level does the kiln log use?", "The format is one of zip or tar.", False),
    ("What voltage does the winch motor need?", "The winch motor runs on 24 V.", True),
    ("What voltage does the winch motor need?", "A winch needs one motor.", False),
    ("What timeout does the client use?", "The client times out after 30 seconds.", True),
    ("What timeout does the client use?", "The timeout is 2000 ms.", True),              # not the year 2000
    ("What voltage does the winch motor need?", "Step 3 A deckhand starts the winch.", False),
    ("What port does the harbour daemon listen on?", "The daemon listens on port 8730.", True),
    ("What port does the harbour daemon listen on?", "The daemon serves one harbour.", False),
])
def test_a_measure_is_given_in_its_words_or_units(question: str, sentence: str, answers: bool) -> None:
    assert expected_answer_type(question) == "measure"
    assert can_answer_type(sentence, "measure", question) is answers


@pytest.mark.parametrize(("question", "sentence", "context", "answers"), [
    ("What compression level does the kiln log use?", "Logs are packed with 6 passes.", "Compression level", True),
    ("What compression level does the kiln log use?", "Logs are packed with 6 passes.", "High-level helpers", False),
    ("What width does the hull plate have?", "Default: 12.", "Width of a hull plate.", True),
    ("What width does the hull plate have?", "Default: 12.", "Fixed-width log format", False),
    ("What compression level does the kiln log use?", "It is one of the kiln formats.", "Compression levels", False),
])
def test_a_measure_may_be_named_in_context_but_not_inside_a_compound(question: str, sentence: str, context: str,
                                                                     answers: bool) -> None:
    """"High-level" or "fixed-width" measures nothing, and "one of" counts nothing."""
    assert can_answer_type(sentence, "measure", question, context) is answers


@pytest.mark.parametrize(("question", "sentence", "answers"), [
    ("Who founded the bakery?", "The bakery was founded by Marie Dubois in 1921.", True),
    ("Who founded the bakery?", "Its founder, Marie Dubois, still bakes.", True),
    ("Who founded the bakery?", "Marie Dubois bakes the bread every morning.", False),   # named, not as founder
    ("Who wrote the style guide?", "The guide's authors are Ann Lee and Bo Rudd.", True),
    ("Who designed the dry dock?", "Ann Lee inspected the dry dock in 1911.", False),
])
def test_a_person_must_be_named_in_the_role_asked_about(question: str, sentence: str, answers: bool) -> None:
    assert expected_answer_type(question) == "person"
    assert can_answer_type(sentence, "person", question) is answers


def test_a_number_the_question_gives_does_not_answer_it() -> None:
    question = "Which baud rate does the controller use with the 940-0095B cable?"
    assert expected_answer_type(question) == "measure"
    assert not can_answer_type("The 940-0095B cable is grey.", "measure", question)
    assert can_answer_type("With the 940-0095B cable it runs at 2400 baud.", "measure", question)
    version = "In which release did protocol version 2 become the default?"
    assert can_answer_type("Protocol version 2 became the default in release 2.26.", "version", version)
    assert not can_answer_type("Protocol version 2 is the default.", "version", version)


@pytest.mark.parametrize(("sentence", "states"), [
    ("Fenced blocks are only supported at the top level.", True),
    ("The rye dough cannot be frozen.", True),
    ("The hull has not been painted yet.", True),
    ("A tug may tow two barges at once.", True),
    ("Options that aren't known are ignored.", True),
    ("You have to give the berth number rather than the ship's name.", True),
    ("The bakery opened on Mill Street.", False),
    ("open_socket() returns a connection object.", False),
])
def test_a_sentence_that_states_whether_answers_a_yes_no_question_first(sentence: str, states: bool) -> None:
    from assistant.answer_types import is_yes_no_question, states_whether

    assert is_yes_no_question("Can the rye dough be frozen?") and is_yes_no_question("Is the hull painted?")
    assert not is_yes_no_question("Which tug tows the barge?")
    assert states_whether(sentence) is states


def test_the_default_for_a_setting_is_the_settings_default() -> None:
    """"The default for HoldAtBerth" asks for HoldAtBerth's default, not for one of "for"; "the default is to wait"
    gives a value in words."""
    question = "What is the default for HoldAtBerth?"
    assert can_answer_type("HoldAtBerth now defaults to 'no'.", "default", question)
    assert can_answer_type("The default is to wait for high water.", "default", "What is the default of --tide?")
    assert not can_answer_type("If no rule matches, the default type is used.", "default", question)


@pytest.mark.parametrize(("sentence", "context", "answers"), [
    ("The timeout defaults to 30 seconds.", "", True),
    ("--port=<n> [default: 80]", "Connection settings", False),           # the default of something else
    ("[default: 80]", "Read timeouts of the socket", True),               # the timeout is spoken of in context
])
def test_a_default_is_of_the_thing_the_question_names(sentence: str, context: str, answers: bool) -> None:
    question = "What is the default timeout of the harbour client?"
    assert expected_answer_type(question) == "default"
    assert can_answer_type(sentence, "default", question, context) is answers


def test_how_much_faster_asks_for_a_proportion() -> None:
    question = "How much faster is the spelt loaf proofed than the rye?"
    assert expected_answer_type(question) == "proportion"
    assert can_answer_type("It proofs about 2x faster.", "proportion", question)
    assert not can_answer_type("Spelt loaf, version 1.0", "proportion", question)


@pytest.mark.parametrize(("sentence", "answers"), [
    ("Each hull may carry at most 4 masts.", True),
    ("Orders are limited to 20 loaves a day.", True),
    ("The ledger size is unlimited.", True),
    ("Patterns are read up to the top-level directory.", False),      # "up to" a place, not an amount
    ("The ledger is kept in the harbour office.", False),
])
def test_whether_a_bound_exists_is_answered_by_a_sentence_that_speaks_of_one(sentence: str, answers: bool) -> None:
    question = "Is there a maximum size for the harbour ledger?"
    assert expected_answer_type(question) == "limit"
    assert can_answer_type(sentence, "limit", question) is answers


@pytest.mark.parametrize(("question", "asks"), [
    ("Which oven does bake() use when the oven argument is None?", True),
    ("What happens if the tide table is omitted?", True),
    ("How long does a launch take when no tug is given?", False),
    ("Which oven does bake() use?", False),
])
def test_a_question_about_an_unset_value_is_recognised(question: str, asks: bool) -> None:
    from assistant.answer_types import asks_about_an_unset_value

    assert asks_about_an_unset_value(question) is asks


@pytest.mark.parametrize(("sentence", "speaks"), [
    ("If oven is None, the oldest oven is used.", True),
    ("If omitted, the tide table of the home port is read.", True),
    ("The oven defaults to the stone oven.", True),
    ("If the optional oven parameter is given, it names the oven to use.", False),   # the other case
    ("bake() returns the loaf.", False),
])
def test_only_a_sentence_about_the_unset_case_answers_it(sentence: str, speaks: bool) -> None:
    from assistant.answer_types import speaks_of_an_unset_value

    assert speaks_of_an_unset_value(sentence) is speaks
