"""The `[n]` marker grammar: what one module writes, the same module reads back."""

from __future__ import annotations

from assistant.markers import MARKER_GROUP, marker, markers, numbers, replace_markers, strip_markers
from assistant.support import split_statements


def test_markers_written_are_read_back_in_order() -> None:
    text = f"First claim. {marker(2)} Second claim. {markers([1, 3])}"
    assert numbers(text) == [2, 1, 3]
    assert [m.group().strip() for m in MARKER_GROUP.finditer(text)] == ["[2]", "[1][3]"]
    assert [s.markers for s in split_statements(text)] == [(2,), (1, 3)]


def test_stripping_leaves_the_prose_a_reader_would_quote() -> None:
    assert strip_markers(f"The tech was exported. {markers([1, 2])} It was sold. {marker(3)}") == \
        "The tech was exported. It was sold."
    plain = "A list [a] and an index [0x1] are not markers."
    assert strip_markers(plain) == plain


def test_replacing_markers_keeps_those_left_alone() -> None:
    linked = replace_markers("A [1] B [2]", lambda n: f"<{n}>" if n == 1 else None)
    assert linked == "A <1> B [2]"


def test_an_index_zero_in_quoted_code_is_not_a_marker() -> None:
    from assistant.markers import numbers, strip_markers

    text = "The smallest item is always heap[0]. [1] The oven rack a[0] holds one loaf. [2]"
    assert numbers(text) == [1, 2]
    assert strip_markers(text) == "The smallest item is always heap[0]. The oven rack a[0] holds one loaf."
