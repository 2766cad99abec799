"""Pure eval metrics: each returns a `MetricResult` with the aggregate and one value per item.

Like haystack's `document_recall`, the functions take plain data (ranks, strings, booleans,
vectors) and never call the assistant. A per-item value of None means "does not apply"
(e.g. retrieval recall of an unanswerable question) and is left out of the aggregate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .support import normalise

Span = tuple[str, int, int]

DESCRIPTIONS: dict[str, str] = {
    "fact_recall": "share of gold facts stated in the answer (answerable items; a refusal scores 0)",
    "answer_similarity": "MiniLM cosine of answer and reference (answerable items; a refusal scores 0)",
    "citation_recall": "share of answer statements supported by their cited quotes (ALCE)",
    "citation_precision": "share of citations that support their statement (ALCE)",
    "source_accuracy": "answer cites at least one gold evidence source (answerable items)",
    "whole_quotes": "share of quotes that start and end at a sentence, line or item boundary of their source",
    "hit_at_k": "any gold evidence among the first k retrieved chunks",
    "recall_at_k": "share of gold evidence among the first k retrieved chunks",
    "mrr": "mean reciprocal rank of the first chunk holding gold evidence",
    "refusal_precision": "share of refusals that were on unanswerable questions",
    "refusal_recall": "share of unanswerable questions refused",
    "false_refusal_rate": "share of answerable questions refused",
    "latency_p50": "median seconds per question",
    "latency_p95": "95th-percentile seconds per question",
    "llm_answers": "answers the LLM drafted (not refused before generating, no failure)",
    "generated_sentences": "sentences the LLM wrote, before verification",
    "unsupported_generated": "generated sentences the verifier rejected (before verification)",
    "unsupported_generated_rate": "share of generated sentences the verifier rejected",
    "unsupported_shown": "statements shown that the eval's checker finds unsupported (after verification; must be 0)",
    "llm_fallbacks": "LLM drafts with no sentence kept, answered extractively instead",
    "llm_notices": "answers given extractively because the LLM failed (down, slow)",
    "first_token_p50": "median seconds to the first drafted text (LLM answers)",
    "first_token_p95": "95th-percentile seconds to the first drafted text (LLM answers)",
}


def describe(metric: str) -> str:
    """What an aggregate means (k-parametrised names included)."""
    return DESCRIPTIONS.get(re.sub(r"_at_\d+$", "_at_k", metric), "")


@dataclass(frozen=True)
class MetricResult:
    """An aggregate score (None when no item applies) and the per-item values it was averaged from."""

    score: float | None
    per_item: tuple[float | None, ...]


def mean_of(values: Sequence[float | None]) -> MetricResult:
    """Macro average over the items the metric applies to."""
    present = [v for v in values if v is not None]
    return MetricResult(sum(present) / len(present) if present else None, tuple(values))


# Retrieval ---------------------------------------------------------------------------------------

def evidence_ranks(retrieved: Sequence[Span], evidence: Sequence[Span]) -> list[int | None]:
    """For each gold evidence span, the 1-based rank of the first retrieved span that overlaps it (or None).

    Spans are (source, start, end) with end exclusive; an evidence span that could not be
    located (start < 0) is never found.
    """
    ranks: list[int | None] = []
    for source, start, end in evidence:
        rank = None
        if start >= 0:
            rank = next((r for r, (s, a, b) in enumerate(retrieved, 1) if s == source and a < end and start < b), None)
        ranks.append(rank)
    return ranks


def hit_at_k(ranks: Sequence[Sequence[int | None]], k: int) -> MetricResult:
    """1 if any gold evidence is among the first k retrieved, else 0; None for items without evidence."""
    return mean_of([None if not r else float(any(x is not None and x <= k for x in r)) for r in ranks])


def recall_at_k(ranks: Sequence[Sequence[int | None]], k: int) -> MetricResult:
    """Share of an item's gold evidence found among the first k retrieved."""
    return mean_of([None if not r else sum(x is not None and x <= k for x in r) / len(r) for r in ranks])


def mean_reciprocal_rank(ranks: Sequence[Sequence[int | None]]) -> MetricResult:
    """1 / rank of the first retrieved chunk holding any gold evidence (0 if none was retrieved)."""
    values: list[float | None] = []
    for r in ranks:
        found = [x for x in r if x is not None]
        values.append(None if not r else (1.0 / min(found) if found else 0.0))
    return mean_of(values)


# Answer correctness ------------------------------------------------------------------------------

def fact_present(answer: str, phrasings: Sequence[str]) -> bool:
    """A fact is present when any of its phrasings is a substring of the answer (case, quotes, dashes ignored)."""
    text = normalise(answer)
    return any(normalise(p) in text for p in phrasings)


def fact_recall(answers: Sequence[str | None], facts: Sequence[Sequence[Sequence[str]]]) -> MetricResult:
    """Share of each item's gold facts present in its answer; None where an item has no facts.

    Pass None as the answer when the system gave none (a refusal): it then scores 0.
    """
    values: list[float | None] = []
    for answer, item_facts in zip(answers, facts, strict=True):
        if not item_facts:
            values.append(None)
        else:
            values.append(sum(fact_present(answer or "", f) for f in item_facts) / len(item_facts))
    return mean_of(values)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors (0 for a zero vector)."""
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def semantic_similarity(answers: Sequence[np.ndarray | None], references: Sequence[np.ndarray | None]) -> MetricResult:
    """Cosine between each answer's embedding and its reference's.

    None as a reference means the item has none (left out); None as an answer means the
    system gave no answer (a refusal) and scores 0.
    """
    return mean_of([None if r is None else (0.0 if a is None else cosine_similarity(a, r))
                    for a, r in zip(answers, references, strict=True)])


# Citations (ALCE) --------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementSupport:
    """One statement's support judgements: by all its citations together, and by each citation.

    `alone[i]` says whether citation i alone supports the statement; `without[i]` whether the
    other citations (all but i) still support it.
    """

    joint: bool
    alone: tuple[bool, ...] = ()
    without: tuple[bool, ...] = ()


def citation_recall(answers: Sequence[Sequence[StatementSupport] | None]) -> MetricResult:
    """Per answer, the share of its statements supported by their citations together (ALCE citation recall).

    A statement without citations is unsupported. None for answers with no statements (e.g. refusals).
    """
    return mean_of([None if not statements else sum(s.joint for s in statements) / len(statements)
                    for statements in answers])


def citation_precision(answers: Sequence[Sequence[StatementSupport] | None]) -> MetricResult:
    """Per answer, the share of its citations that are relevant (ALCE citation precision).

    As in ALCE: a citation is relevant when it supports its statement alone, or when the
    statement is supported jointly but no longer without it; citations of an unsupported
    statement are irrelevant. None for answers without citations.
    """
    values: list[float | None] = []
    for statements in answers:
        total = sum(len(s.alone) for s in statements or ())
        if not total:
            values.append(None)
            continue
        relevant = 0
        for s in statements or ():
            relevant += sum(alone or (s.joint and not without)
                            for alone, without in zip(s.alone, s.without, strict=True))
        values.append(relevant / total)
    return mean_of(values)


def source_accuracy(cited: Sequence[Sequence[str] | None], gold: Sequence[Sequence[str]]) -> MetricResult:
    """1 if the answer cites at least one gold evidence source; None for items without gold sources.

    Pass None for an answer that gave no answer (a refusal): it scores 0.
    """
    return mean_of([None if not g else float(bool(set(c or ()) & set(g))) for c, g in zip(cited, gold, strict=True)])


# What may stand just before a whole quote: a sentence end (perhaps closed by a quote or bracket), a line start,
# a bullet, a table bar, a heading mark or a footnote label; judged on the source text, independently of the
# segmenter that chose the quote.
_QUOTE_OPENS_AFTER = re.compile(r"(?:^|\n|[.!?:;]['\"’”)\]*`]*|[•*\-–|#>\]]|\d+[.)])[ \t]*$")
_QUOTE_ENDS = re.compile(r"[.!?:;]['\"’”)\]*`]*$")
_LOOK_BEHIND = 40


def is_whole_quote(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is whole: it begins where a sentence, line or list item may begin, and ends with
    sentence punctuation or at the end of its line."""
    opens = start == 0 or bool(_QUOTE_OPENS_AFTER.search(text[max(0, start - _LOOK_BEHIND):start]))
    after = text[end:].lstrip(" \t")
    closes = bool(_QUOTE_ENDS.search(text[start:end].rstrip())) or not after or after[0] in "\n|"
    return opens and closes


def whole_quotes(answers: Sequence[Sequence[tuple[str, int, int]] | None]) -> MetricResult:
    """Per answer, the share of its quotes that are whole, each given as (source text, start, end); None for
    answers without quotes."""
    return mean_of([None if not quotes else sum(is_whole_quote(*q) for q in quotes) / len(quotes)
                    for quotes in answers])


# Refusals ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RefusalScores:
    """Refusal as a classifier of unanswerable questions."""

    precision: float | None
    recall: float | None
    false_refusal_rate: float | None
    correct: MetricResult


def refusal_scores(refused: Sequence[bool], answerable: Sequence[bool]) -> RefusalScores:
    """Precision and recall of refusing (positive = unanswerable), false-refusal rate on answerable items.

    Per item, `correct` is 1 when the system refused exactly the unanswerable questions.
    """
    pairs = list(zip(refused, answerable, strict=True))
    true_refusals = sum(r and not a for r, a in pairs)
    refusals = sum(r for r, _ in pairs)
    unanswerable = sum(not a for _, a in pairs)
    answerable_count = sum(a for _, a in pairs)
    return RefusalScores(
        true_refusals / refusals if refusals else None,
        true_refusals / unanswerable if unanswerable else None,
        sum(r and a for r, a in pairs) / answerable_count if answerable_count else None,
        mean_of([float(r != a) for r, a in pairs]),
    )


# Latency -----------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100, linear interpolation); None for no values."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.percentile(finite, q)) if finite else None
