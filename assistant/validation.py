"""Checks on what a caller hands `Assistant.ask`: the question and the conversation history.

Every entry point (Python API, CLI, the UI's chat and `/ask`) goes through these, so a bad
value gets the same one-line `ValueError` naming what is wrong, before any library code
sees it. Limits come from `Settings` (`max_question_chars`, `max_history_turns`,
`max_history_chars`); the UI, which owns its conversation, sends `latest_turns` instead of
being refused when a long chat outgrows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import phrases

_PAIR = 2  # a history turn is (question, answer)

Turn = tuple[str, str]


def valid_question(question: object, max_chars: int) -> str:
    """The question stripped of surrounding space, or ValueError: not text, empty, too long, or not valid text."""
    if not isinstance(question, str):
        raise ValueError(phrases.QUESTION_NOT_TEXT.format(kind=_kind(question)))
    question = question.strip()
    if not question:
        raise ValueError(phrases.EMPTY_QUESTION)
    if len(question) > max_chars:
        raise ValueError(phrases.QUESTION_TOO_LONG.format(length=len(question), limit=max_chars))
    position = _invalid_character(question)
    if position is not None:
        raise ValueError(phrases.INVALID_TEXT.format(what="The question", position=position + 1))
    return question


def valid_history(history: object, max_turns: int, max_chars: int) -> tuple[Turn, ...]:
    """Earlier (question, answer) pairs as a tuple, or ValueError naming the first thing wrong with them."""
    if history is None:
        return ()
    if isinstance(history, str | bytes) or not isinstance(history, Sequence):
        raise ValueError(phrases.HISTORY_NOT_LIST.format(kind=_kind(history)))
    if len(history) > max_turns:
        raise ValueError(phrases.HISTORY_TOO_MANY_TURNS.format(turns=len(history), limit=max_turns))
    turns: list[Turn] = []
    total = 0
    for number, turn in enumerate(history, 1):
        if (isinstance(turn, str | bytes) or not isinstance(turn, Sequence) or len(turn) != _PAIR
                or not all(isinstance(part, str) for part in turn)):
            raise ValueError(phrases.HISTORY_BAD_TURN.format(number=number, got=_describe(turn)))
        question, answer = turn
        total += len(question) + len(answer)
        if total > max_chars:
            raise ValueError(phrases.HISTORY_TOO_LONG.format(limit=max_chars))
        for part in (question, answer):
            position = _invalid_character(part)
            if position is not None:
                raise ValueError(phrases.INVALID_TEXT.format(what=f"History turn {number}", position=position + 1))
        turns.append((question, answer))
    return tuple(turns)


def latest_turns(turns: Sequence[Turn], max_turns: int, max_chars: int) -> list[Turn]:
    """The most recent turns that fit both limits (follow-ups only ever lean on the latest ones)."""
    kept: list[Turn] = []
    total = 0
    for question, answer in reversed(turns[-max_turns:] if max_turns else []):
        total += len(question) + len(answer)
        if total > max_chars:
            break
        kept.insert(0, (question, answer))
    return kept


def _invalid_character(text: str) -> int | None:
    """Index of the first character that cannot be UTF-8 (a lone surrogate, e.g. from undecodable bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def _describe(turn: object) -> str:
    if isinstance(turn, str | bytes) or not isinstance(turn, Sequence):
        return _kind(turn)
    if len(turn) != _PAIR:
        return f"{len(turn)} items"
    return "[" + ", ".join(_kind(part) for part in turn) + "]"
