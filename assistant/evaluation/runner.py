"""Running the eval: every gold question through `Assistant.ask` (history included), then scoring."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..api import Answer, Assistant
from ..config import Settings
from ..support import SupportChecker, validate
from .generation import llm_aggregates, spread_sample, timed_ask
from .gold import load_gold, read_jsonl
from .results import EvalResult
from .scoring import aggregate, score_items

DEFAULT_GOLD = Path("evals/corpora/news/gold.jsonl")
DEFAULT_PAIRS = Path("evals/support_pairs.jsonl")


def run(bot_or_settings: Assistant | Settings | None, gold_path: Path | str = DEFAULT_GOLD, *, k: int = 5,
        pairs_path: Path | str | None = DEFAULT_PAIRS, ingest: bool = True, progress: bool = False,
        sample: int | None = None) -> EvalResult:
    """Ask every gold question through the public API and score the answers.

    The index is brought up to date first (`ingest` is idempotent). Latency is measured
    around `ask` after one warm-up question, so model loading is not counted. When
    `pairs_path` exists, the citation support checker is validated on its labelled pairs.
    `sample` asks only that many questions, spread evenly over the gold file (for slow LLMs).
    """
    from tqdm import tqdm

    bot = bot_or_settings if isinstance(bot_or_settings, Assistant) else Assistant(bot_or_settings)
    if ingest:
        bot.ingest()
    gold = spread_sample(load_gold(gold_path), sample)
    started = time.perf_counter()
    bot.ask("Which documents are indexed?")
    answers: list[Answer] = []
    latencies: list[float] = []
    first_tokens: list[float | None] = []
    load_before = _load()
    for item in tqdm(gold, desc="eval", unit="q", disable=not progress, file=sys.stderr):
        answer, latency, first_token = timed_ask(bot, item)
        answers.append(answer)
        latencies.append(latency)
        first_tokens.append(first_token)
    retrieved = [[(p.source, p.start, p.end) for p in a.retrieved] for a in answers]
    checker = SupportChecker(bot.embedder)
    items = score_items(bot, gold, answers, latencies, retrieved, checker, k)
    validation: dict[str, Any] = {}
    if pairs_path is not None and Path(pairs_path).is_file():
        validation = {"pairs": str(pairs_path), **validate(checker, read_jsonl(pairs_path)).to_dict()}
    meta = {"gold": str(gold_path), "sources": str(bot.settings.sources_dir), "store": bot.settings.store_location,
            "k": k, "items": len(gold), "answerable": sum(i.answerable for i in gold),
            "seconds": round(time.perf_counter() - started, 1), "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "sample": sample, "llm": bot.settings.llm, "verify": bot.settings.verify,
            "load_average": [load_before, _load()]}
    aggregates = aggregate(items, latencies, k)
    if bot.llm_client is not None:
        aggregates.update(llm_aggregates(answers, items, first_tokens))
    return EvalResult(aggregates, tuple(items), validation, meta)


def _load() -> float | None:
    """The machine's 1-minute load average (latencies depend on it); None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None
