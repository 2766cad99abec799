"""The citation marker grammar, made and read in this module only.

An answer cites a source with a marker `[n]` right after the statement it supports; a run of
markers (`[1][2]`) cites the one statement to several sources. Numbers start at 1 and match
`Citation.n`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

MARKER = re.compile(r"\[([1-9]\d*)\]")
"""One marker; group 1 is its number. `[0]` is never one: numbers start at 1, and `a[0]` is code in a quote."""

MARKER_GROUP = re.compile(r"(?:\s*\[[1-9]\d*\])+")
"""A run of markers with the whitespace before each: where one statement ends."""

_MARKER_WITH_SPACE = re.compile(r"\s*\[[1-9]\d*\]")


def marker(n: int) -> str:
    """The marker for citation number `n`."""
    return f"[{n}]"


def markers(numbers: Iterable[int]) -> str:
    """A run of markers, one per number, as written after a statement ("[1][2]")."""
    return "".join(marker(n) for n in numbers)


def numbers(text: str) -> list[int]:
    """The citation numbers of every marker in `text`, in order of appearance."""
    return [int(n) for n in MARKER.findall(text)]


def strip_markers(text: str) -> str:
    """`text` without its markers (and the space before each): the prose a reader would quote."""
    return _MARKER_WITH_SPACE.sub("", text)


def replace_markers(text: str, replacement: Callable[[int], str | None]) -> str:
    """Each marker replaced by `replacement(n)`; a marker for which it returns None stays as it is."""

    def substitute(match: re.Match[str]) -> str:
        new = replacement(int(match.group(1)))
        return match.group(0) if new is None else new

    return MARKER.sub(substitute, text)
