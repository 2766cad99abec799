"""Entity aliases stated in the text itself ("X, which is also known as Y"; "X (also called Y)").

They let a question that uses either name find the evidence written with the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SHORTEST_STANDALONE_WORD = 3  # a first word of more letters than this can stand for the whole name
_NAME = r"[A-Z][\w&.\-]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w&.\-]*){0,5}"
_PATTERNS = [
    re.compile(rf"(?P<a>{_NAME}),?\s+(?:\(\s*)?(?:which\s+is\s+|who\s+is\s+)?(?:also\s+|formerly\s+|better\s+)?"
               rf"(?:known|called|referred\s+to)\s+as\s+[“\"']?(?P<b>{_NAME})"),
    re.compile(rf"(?P<a>{_NAME})\s+\((?:a\.k\.a\.|aka|or)\s+(?P<b>{_NAME})\)"),
]

AliasTable = dict[str, frozenset[str]]


def find_aliases(texts: Iterable[str]) -> AliasTable:
    """Map each lower-cased name to the other names the texts say it is known by."""
    groups: list[set[str]] = []
    for text in texts:
        for pattern in _PATTERNS:
            for match in pattern.finditer(text):
                first, second = match.group("a").strip(" .,"), match.group("b").strip(" .,")
                if first == second:
                    continue
                pair = {first, second}
                joined = [g for g in groups if {n.lower() for n in g} & {n.lower() for n in pair}]
                merged = set(pair).union(*joined)
                groups = [g for g in groups if g not in joined] + [merged]
    table: AliasTable = {}
    for group in groups:
        for name in group:
            table[name.lower()] = frozenset(other for other in group if other.lower() != name.lower())
    return table


def expand_with_aliases(question: str, table: AliasTable) -> str:
    """The question plus the other names of every entity it mentions (by whole words, any case)."""
    extra: list[str] = []
    lowered = question.lower()
    for name, others in table.items():
        if _mentions(lowered, name) or any(_mentions(lowered, w) for w in _distinctive_words(name)):
            extra.extend(o for o in others if not _mentions(lowered, o.lower()))
    return f"{question} ({' / '.join(sorted(set(extra)))})" if extra else question


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _distinctive_words(name: str) -> list[str]:
    """The first word of a multi-word name stands for it ("Acme" for "Acme Widget Works")."""
    words = name.split()
    return [words[0]] if len(words) > 1 and len(words[0]) > _SHORTEST_STANDALONE_WORD else []
