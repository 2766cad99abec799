"""What the eval measures only when an LLM writes answers: time to the first drafted text, and unsupported
sentences before verification (generated) against after it (shown)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .. import metrics
from ..api import Answer, Assistant
from .gold import GoldItem
from .results import ItemResult


def timed_ask(bot: Assistant, item: GoldItem) -> tuple[Answer, float, float | None]:
    """The answer, its latency, and the seconds to the first drafted text when an LLM wrote one."""
    tick = time.perf_counter()
    first_token = None
    for event in bot.ask_stream(item.question, history=list(item.history)):
        if isinstance(event, Answer):
            return event, time.perf_counter() - tick, first_token
        if first_token is None and event.draft:
            first_token = time.perf_counter() - tick
    raise AssertionError("ask_stream ended without an answer")


def answer_record(answer: Answer) -> dict[str, Any]:
    """The answer as the user got it, plus what the LLM drafted before verification (if it wrote)."""
    record = answer.to_dict()
    if answer.generation is not None:
        record["generation"] = asdict(answer.generation)
    return record


def llm_aggregates(answers: Sequence[Answer], items: Sequence[ItemResult], first_tokens: Sequence[float | None]
                   ) -> dict[str, float | None]:
    """What the LLM wrote before verification against what was shown after it (the eval's own checker)."""
    generations = [a.generation for a in answers if a.generation is not None and a.generation.sentences]
    sentences = sum(g.sentences for g in generations)
    unsupported = sum(g.unsupported for g in generations)
    shown = sum(1 for i in items for s in i.statements if not s["supported"])
    drafted = [t for t in first_tokens if t is not None]
    return {
        "llm_answers": float(len(generations)),
        "generated_sentences": float(sentences),
        "unsupported_generated": float(unsupported),
        "unsupported_generated_rate": unsupported / sentences if sentences else None,
        "unsupported_shown": float(shown),
        "llm_fallbacks": float(sum(1 for g in generations if g.unsupported == g.sentences)),
        "llm_notices": float(sum(1 for a in answers if a.notice)),
        "first_token_p50": metrics.percentile(drafted, 50) if drafted else None,
        "first_token_p95": metrics.percentile(drafted, 95) if drafted else None,
    }


def spread_sample(items: Sequence[GoldItem], size: int | None) -> list[GoldItem]:
    """`size` items spread evenly over `items` (every category keeps its share), in order; all when size is None."""
    if size is None or size >= len(items):
        return list(items)
    return [items[i * len(items) // size] for i in range(size)]
