"""Follow-up questions: make "Has it tried to export that?" stand alone before retrieval."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .markers import strip_markers
from .text import STOPWORDS, is_anaphoric_question, words

History = Sequence[tuple[str, str]]
_NAME = re.compile(r"\b[A-Z][\w\-]*(?:\s+(?:of\s+)?[A-Z0-9][\w\-]*)*")
_MAX_NAMES = 2
_ANSWER_CHARS = 300


def condense(question: str, history: History, rarity: Callable[[str], float]) -> str:
    """The question plus the names the latest turn was about, when the question leans on it.

    Names come from the latest user turn or, when it has none, from the start of the reply
    to it; the rarest in the corpus (by `rarity`, e.g. IDF; 0 for names the corpus never
    uses) are kept, since a rare name is what "it" most likely points at. Questions that
    do not lean on the conversation are returned unchanged.
    """
    if not history or not is_anaphoric_question(question):
        return question
    for user_turn, reply in reversed(history):
        for text in (user_turn, strip_markers(reply)[:_ANSWER_CHARS]):
            names = [n for n in dict.fromkeys(_names(text)) if n.lower() not in question.lower() and rarity(n) > 0]
            names = [n for n in names if not any(n != other and n in other for other in names)]
            if names:
                ranked = sorted(names, key=lambda n: -rarity(n))
                return f"{question} ({', '.join(ranked[:_MAX_NAMES])})"
        content = [w for w in words(user_turn) if w not in STOPWORDS]
        if content:
            return f"{question} ({' '.join(content[:6])})"
    return question


def _names(text: str) -> list[str]:
    """Capitalised word runs that are not just a sentence's first word."""
    found = []
    for match in _NAME.finditer(text):
        name = match.group(0)
        starts_sentence = match.start() == 0 or re.search(r"[.?!:]\s*$", text[:match.start()])
        if starts_sentence:
            name = name.split(maxsplit=1)[1] if " " in name else ""
        if name and name.lower() not in STOPWORDS and words(name):
            found.append(name)
    return found
