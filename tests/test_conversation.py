"""Follow-ups made standalone by rules: the subject of the latest turn (names, code identifiers, and its rarest
plain word) is added to a question that leans on it. Tested on conversations from unrelated domains."""

from __future__ import annotations

import pytest

from assistant.conversation import condense
from assistant.text import names_in

# A corpus's rarity: here, rarer words are longer ones, and words the corpus never uses score 0.
KNOWN = {"reverse", "winch", "backwards", "hauls", "marker", "option", "contents", "table", "extension",
         "json.jsondecoder", "strict", "parameter", "default",
         "hull", "shipyard", "harbour", "sourdough", "starter", "bakery", "feed", "compare_digest", "secrets",
         "tokens", "function", "module", "equal", "check", "whether", "two", "use"}


def rarity(text: str) -> float:
    return float(len(text)) if text.lower() in KNOWN or any(w in KNOWN for w in text.lower().split()) else 0.0


@pytest.mark.parametrize(("history", "question", "expected"), [
    # API reference: the subject is a code identifier, and the plain word the turn was about comes along
    ([("What is the default of the strict parameter of json.JSONDecoder?", "It is True.")],
     "What changes if I set it to False?", ["json.JSONDecoder", "parameter"]),
    # documentation: a lowercase option name is the subject; the capitalised container alone would miss it
    ([("What is the marker option of the Table of Contents extension for?", "…")],
     "How do I switch it off?", ["Table of Contents", "extension"]),
    # the user turn names nothing: the subject comes from the start of the reply
    ([("Which function in the secrets module should I use to check whether two tokens are equal?",
       "Use compare_digest() to compare them. [1]")],
     "What attack is that meant to stop?", ["compare_digest"]),
    # the reply names its subject first, in a code span; rarer words later in it are not what "its" points at
    ([("Which option makes the winch run backwards?", "`reverse` {boolean} If `true`, the winch hauls. [1]")],
     "What is its default?", ["reverse"]),
    # a bakery: a plain-word subject only
    ([("How often should I feed a sourdough starter?", "Daily. [1]")],
     "What happens if I forget it?", ["sourdough", "starter"]),
])
def test_follow_up_carries_the_subject_of_the_latest_turn(history, question: str, expected: list[str]) -> None:
    condensed = condense(question, history, rarity)
    assert condensed.startswith(question)
    for subject in expected:
        assert subject in condensed


def test_a_standalone_question_is_unchanged() -> None:
    history = [("When is the hull of the ferry repainted?", "Every spring. [1]")]
    assert condense("Where is the shipyard of Harbour Lines?", history, rarity) == \
        "Where is the shipyard of Harbour Lines?"


def test_a_chain_of_follow_ups_keeps_the_first_subject() -> None:
    history = [("What does json.JSONDecoder do?", "It decodes JSON documents. [1]"),
               ("What is its strict parameter for?", "It rejects control characters in strings. [1]")]
    condensed = condense("And what happens if I turn that off?", history, rarity)
    assert "json.JSONDecoder" in condensed and "strict" in condensed


@pytest.mark.parametrize(("text", "names"), [
    ("Who founded the Rye Bakery on Mill Street?", ["Rye Bakery", "Mill Street"]),
    ("Bakeries open early.", []),                                         # a sentence's first word is no name
    ("Does heapq.merge() accept a key, like compare_digest()?", ["heapq.merge", "compare_digest"]),
    ("Can a URL-building callable return None?", ["URL", "None"]),        # the hyphenated tail is not a name
    ("Is the OpenSSL-backed hash faster than the Ministry of Finance's?", ["OpenSSL", "Ministry of Finance"]),
    ("`hull_depth` {number} The draught of the `ferry`.", ["hull_depth", "ferry"]),   # code spans, in order
    ("Is the fee for e.g. a U.S. ferry the same at the Harbour Office?", ["Harbour Office"]),  # no "e.g", no "U"
    ("The Harbour Office sets `berth_fee` for Ada Lovelace.", ["Harbour Office", "berth_fee", "Ada Lovelace"]),
    ("Does --dry-dock skip the hull check, like -x or a non-zero exit?", ["--dry-dock"]),  # long options only
    ("What is the default of crane.<name>.load?", ["crane.<name>.load"]),   # a placeholder part
    ("Do the VPNs of the Harbour Office use APIs?", ["VPN", "Harbour Office", "API"]),  # an acronym's plural
])
def test_names_are_capitalised_runs_and_code_identifiers(text: str, names: list[str]) -> None:
    assert names_in(text) == names
