"""Follow-up questions: make "Has it tried to export that?" stand alone before retrieval."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .markers import strip_markers
from .text import STOPWORDS, is_anaphoric_question, names_in, words

History = Sequence[tuple[str, str]]
_MAX_NAMES = 2
_ANSWER_CHARS = 300
_CONTENT_WORDS = 1  # besides the names: the rarest plain word of the turn
_CONTENT_WORDS_ALONE = 6  # when the turn names nothing


def condense(question: str, history: History, rarity: Callable[[str], float]) -> str:
    """The question plus what the latest turn was about, when the question leans on it.

    The subject is taken from the latest user turn: its names and code identifiers ("harbour.Crane",
    "lift_cargo()"), the rarest in the corpus first (by `rarity`, e.g. IDF; 0 for words the corpus never
    uses), since a rare name is what "it" most likely points at; when the turn has none, from the start of the
    reply to it. The turn's rarest other content word is added, because in technical text the thing referred to
    is often a plain word ("the marker option"). When that turn itself leaned on the one before ("What is its
    default timeout?"), the earlier turn's names come along. Questions that do not lean on the conversation are
    returned unchanged.
    """
    if not history or not is_anaphoric_question(question):
        return question
    asked = question.lower()

    def ranked(found: list[str], by_rarity: bool = True) -> list[str]:
        kept = [c for c in dict.fromkeys(found) if c.lower() not in asked and rarity(c) > 0]
        kept = [c for c in kept if not any(c != other and c in other for other in kept)]
        return sorted(kept, key=lambda c: -rarity(c)) if by_rarity else kept

    def subjects_of(text: str, by_rarity: bool = True) -> list[str]:
        return ranked(names_in(text), by_rarity)[:_MAX_NAMES]

    turns = list(history)
    for index in range(len(turns) - 1, -1, -1):
        user_turn, reply = turns[index]
        # A reply names its subject first ("`shell` {boolean} If true, runs command inside a shell."): in order.
        subjects = subjects_of(user_turn) or subjects_of(strip_markers(reply)[:_ANSWER_CHARS], by_rarity=False)
        content = [w for w in ranked([w for w in words(user_turn) if w not in STOPWORDS])
                   if not any(w in subject.lower() for subject in subjects)]
        added = [*subjects, *content[:_CONTENT_WORDS]] if subjects else content[:_CONTENT_WORDS_ALONE]
        if added:
            if index and is_anaphoric_question(user_turn):  # that turn leaned on the one before: so does this one
                added += [n for n in subjects_of(turns[index - 1][0]) if n not in added]
            return f"{question} ({' '.join(added)})"
    return question

