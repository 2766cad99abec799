"""Scoring answers against gold items with the pure functions in `metrics`; the reasons an item fell short."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import metrics
from ..api import Answer, Assistant
from ..markers import marker, markers, strip_markers
from ..support import SupportChecker, split_statements
from .generation import answer_record
from .gold import GoldItem, find_collapsed
from .results import ItemResult


def score_items(bot: Assistant, gold: Sequence[GoldItem], answers: Sequence[Answer], latencies: Sequence[float],
           retrieved: Sequence[Sequence[tuple[str, int, int]]], checker: SupportChecker, k: int) -> list[ItemResult]:
    texts: dict[str, str] = {}

    def text_of(source: str) -> str:
        if source not in texts:
            try:
                texts[source] = bot.source_text(source)
            except FileNotFoundError:
                texts[source] = ""
        return texts[source]

    def locate(source: str, quote: str) -> tuple[str, int, int]:
        return (source, *find_collapsed(text_of(source), quote))

    ranks = [metrics.evidence_ranks(r, [locate(s, q) for s, q in g.evidence])
             for g, r in zip(gold, retrieved, strict=True)]
    judged = [None if a.refused else _judge_statements(a, checker) for a in answers]
    supports = [None if j is None else [s for _, s, _ in j] for j in judged]
    given = [None if a.refused else a for a in answers]
    vectors = bot.embedder.embed_batch([strip_markers(a.text) for a in answers] + [g.reference for g in gold])
    n = len(gold)
    columns = {
        "fact_recall": metrics.fact_recall([None if a is None else a.text for a in given], [g.facts for g in gold]),
        "answer_similarity": metrics.semantic_similarity(
            [None if a.refused else vectors[i] for i, a in enumerate(answers)],
            [vectors[n + i] if g.answerable else None for i, g in enumerate(gold)]),
        "citation_recall": metrics.citation_recall(supports),
        "citation_precision": metrics.citation_precision(supports),
        "source_accuracy": metrics.source_accuracy([None if a is None else [c.source for c in a.citations]
                                                    for a in given],
                                                   [[s for s, _ in g.evidence] for g in gold]),
        "whole_quotes": metrics.whole_quotes([[(text_of(c.source), c.start, c.end) for c in a.citations]
                                              for a in answers]),
        "hit_at_k": metrics.hit_at_k(ranks, k),
        "recall_at_k": metrics.recall_at_k(ranks, k),
        "reciprocal_rank": metrics.mean_reciprocal_rank(ranks),
        "refusal_correct": metrics.refusal_scores([a.refused for a in answers], [g.answerable for g in gold]).correct,
    }
    results = []
    for i, (item, answer) in enumerate(zip(gold, answers, strict=True)):
        scores = {name: column.per_item[i] for name, column in columns.items()}
        statements = tuple({"text": s.text, "markers": list(s.markers), "supported": sup.joint, "why": why}
                           for s, sup, why in (judged[i] or []))
        results.append(ItemResult(
            item.id, item.category, item.question, item.history, item.answerable, item.reference, answer_record(answer),
            round(latencies[i], 4), scores, tuple(_failures(item, answer, statements, supports[i], ranks[i], k)),
            statements, tuple({"source": s, "start": a, "end": b} for s, a, b in retrieved[i])))
    return results


def _judge_statements(answer: Answer, checker: SupportChecker) -> list[tuple[Any, metrics.StatementSupport, str]]:
    """Each statement with its ALCE support judgements (joint, each citation alone, all but each)."""
    quotes = {c.n: c.quote for c in answer.citations}
    judged = []
    for statement in split_statements(answer.text, [c.n for c in answer.citations]):
        cited = [quotes.get(n, "") for n in statement.markers]
        joint = checker.judge(statement.text, [q for q in cited if q])
        if len(cited) <= 1:
            support = metrics.StatementSupport(joint.supported, (joint.supported,) * len(cited), (False,) * len(cited))
        else:
            alone = tuple(bool(q) and checker.judge(statement.text, [q]).supported for q in cited)
            without = tuple(not a and joint.supported
                            and checker.judge(statement.text,
                                              [q for j, q in enumerate(cited) if j != i and q]).supported
                            for i, a in enumerate(alone))
            support = metrics.StatementSupport(joint.supported, alone, without)
        judged.append((statement, support, "no citation" if not cited else joint.explain()))
    return judged


def _failures(item: GoldItem, answer: Answer, statements: Sequence[dict], supports: Sequence | None,
              ranks: Sequence[int | None], k: int) -> list[str]:
    """Human-readable reasons an item fell short, most important first."""
    return [*_answer_failures(item, answer, ranks, k), *_citation_failures(statements, supports),
            *_retrieval_failures(item, ranks, k)]


def _answer_failures(item: GoldItem, answer: Answer, ranks: Sequence[int | None], k: int) -> list[str]:
    """Refused when it should answer (or the reverse), facts missing, no gold source cited."""
    reasons = []
    if item.answerable and answer.refused:
        found = [r for r in ranks if r is not None and r <= k]
        reasons.append("refused an answerable question (false refusal" + (
            f"; the gold evidence was retrieved at rank {min(found)})" if found else ")"))
    if not item.answerable and not answer.refused:
        reasons.append("answered an unanswerable question")
    if item.answerable:
        text = "" if answer.refused else answer.text
        missing = [" | ".join(f) for f in item.facts if not metrics.fact_present(text, f)]
        if missing:
            reasons.append("missing facts: " + "; ".join(f"“{m}”" for m in missing))
        if not answer.refused and not {c.source for c in answer.citations} & {s for s, _ in item.evidence}:
            reasons.append("cites none of the gold evidence sources")
    return reasons


def _citation_failures(statements: Sequence[dict], supports: Sequence | None) -> list[str]:
    """Statements their citations do not support, and citations a statement does not need."""
    reasons = []
    for statement, support in zip(statements, supports or (), strict=True):
        cited = markers(statement["markers"])
        if not support.joint:
            reasons.append(f"unsupported statement {cited or '(uncited)'}: “{short(statement['text'])}” "
                           f"({statement['why']})")
        for n, alone, without in zip(statement["markers"], support.alone, support.without, strict=True):
            if support.joint and not (alone or not without):
                reasons.append(f"citation {marker(n)} is not needed for its statement")
    return reasons


def _retrieval_failures(item: GoldItem, ranks: Sequence[int | None], k: int) -> list[str]:
    """Gold evidence that retrieval did not bring into the first k chunks."""
    return [f"gold evidence not in the top {k} retrieved ({source}, rank {rank or '-'}): “{short(quote, 80)}”"
            for (source, quote), rank in zip(item.evidence, ranks, strict=True) if rank is None or rank > k]


def short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def aggregate(items: Sequence[ItemResult], latencies: Sequence[float], k: int) -> dict[str, float | None]:
    def column(name: str) -> float | None:
        return metrics.mean_of([i.scores[name] for i in items]).score

    refusal = metrics.refusal_scores([i.answer["refused"] for i in items], [i.answerable for i in items])
    return {
        "fact_recall": column("fact_recall"), "answer_similarity": column("answer_similarity"),
        "citation_recall": column("citation_recall"), "citation_precision": column("citation_precision"),
        "source_accuracy": column("source_accuracy"), "whole_quotes": column("whole_quotes"),
        f"hit_at_{k}": column("hit_at_k"),
        f"recall_at_{k}": column("recall_at_k"), "mrr": column("reciprocal_rank"),
        "refusal_precision": refusal.precision, "refusal_recall": refusal.recall,
        "false_refusal_rate": refusal.false_refusal_rate,
        "latency_p50": metrics.percentile(latencies, 50), "latency_p95": metrics.percentile(latencies, 95),
    }
