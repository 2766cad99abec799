"""Sentence boundaries: common English abbreviations do not end a sentence, in any field."""

from __future__ import annotations

import pytest

from assistant.text import sentence_spans


@pytest.mark.parametrize(("text", "expected"), [
    ("Use a wide pan (e.g. a 30 cm skillet) and heat the oil. Add the onions.",                      # cooking
     ["Use a wide pan (e.g. a 30 cm skillet) and heat the oil.", "Add the onions."]),
    ("Proofing is much slower (eg. 8 to 10 hours) in a cold room. Keep the dough covered.",          # no dots
     ["Proofing is much slower (eg. 8 to 10 hours) in a cold room.", "Keep the dough covered."]),
    ("The vessel left Berth No. 5 at 06:30. It reached port on Tuesday.",                            # shipping
     ["The vessel left Berth No. 5 at 06:30.", "It reached port on Tuesday."]),
    ("The function returns None, i.e. when the key is missing. Pass a default to avoid it.",         # software
     ["The function returns None, i.e. when the key is missing.", "Pass a default to avoid it."]),
    ("The witness, Dr. Alice Brown, testified on Monday. Her testimony lasted three hours.",        # law
     ["The witness, Dr. Alice Brown, testified on Monday.", "Her testimony lasted three hours."]),
    ("The U.S. Coast Guard inspected the hull. No defects were found.",
     ["The U.S. Coast Guard inspected the hull.", "No defects were found."]),
    ("If the joined path is empty then '.' is returned. Trailing separators are kept.",          # a quoted stop
     ["If the joined path is empty then '.' is returned.", "Trailing separators are kept."]),
    ("Settings named harbour.* were read by mistake. That is fixed.",                           # no space: no end
     ["Settings named harbour.* were read by mistake.", "That is fixed."]),
    ("Inside double quotes the ‘!’ has no special meaning. Escape it to keep it.",                  # a quoted "!"
     ["Inside double quotes the ‘!’ has no special meaning.", "Escape it to keep it."]),
    ("Each hull keeps its papers (size, owner, etc.) for every voyage. Papers are checked.",
     ["Each hull keeps its papers (size, owner, etc.) for every voyage.", "Papers are checked."]),
    ("Fields are split on the \".\" character. Escape it to keep it.",
     ["Fields are split on the \".\" character.", "Escape it to keep it."]),
])
def test_abbreviations_stay_inside_their_sentence(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_a_list_items_marker_is_not_a_sentence() -> None:
    """A PDF list item keeps its marker in the text ("1. Reads…"): the sentences start after it."""
    from assistant.chunking import block_sentences
    from assistant.documents.model import Block

    text = "1. Reads the tide table. Then it plans the launch.\n• Checks the hull."
    first = [text[s.start:s.end] for s in block_sentences(text, Block("list_item", 0, 50), 0)]
    second = [text[s.start:s.end] for s in block_sentences(text, Block("list_item", 51, len(text)), 1)]
    assert first == ["Reads the tide table.", "Then it plans the launch."]
    assert second == ["Checks the hull."]
