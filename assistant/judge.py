"""Does a passage answer the question? An LLM judge read from the first token's log-probabilities.

The model is asked, one passage at a time, whether the passage states the answer; P(yes) is read
from the first token's log-probabilities (nothing is generated). The question counts as answerable
when any of the top passages reaches the threshold. The threshold is fitted on labelled pairs from
the development corpora by `evals/fit_judge.py` (pairs and fit kept in `evals/judge/`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .llm import LLMClient
from .prompts import judge_messages


@dataclass(frozen=True)
class Verdict:
    """The judge's decision and the P(yes) of each passage it read (it stops at the first yes)."""

    answerable: bool
    p_yes: tuple[float, ...]

    @property
    def best(self) -> float:
        return max(self.p_yes, default=0.0)


class AnswerabilityJudge:
    """Reads up to `passages` passages; answerable as soon as one has P(yes) >= `threshold`."""

    def __init__(self, client: LLMClient, threshold: float, passages: int) -> None:
        self.client = client
        self.threshold = threshold
        self.passages = passages

    def p_yes(self, question: str, passage: str) -> float:
        return self.client.yes_probability(judge_messages(question, passage))

    def decide(self, question: str, passages: Sequence[str]) -> Verdict:
        scores: list[float] = []
        for passage in passages[: self.passages]:
            scores.append(self.p_yes(question, passage))
            if scores[-1] >= self.threshold:
                return Verdict(True, tuple(scores))
        return Verdict(False, tuple(scores))
