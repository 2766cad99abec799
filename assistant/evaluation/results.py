"""What an eval run produces: per-item results and the run's aggregates (plain data, written as JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import metrics


@dataclass(frozen=True)
class ItemResult:
    """One gold question's answer, per-metric scores (None = does not apply) and reasons it fell short."""

    id: str
    category: str
    question: str
    history: tuple[tuple[str, str], ...]
    answerable: bool
    reference: str
    answer: dict[str, Any]
    latency: float
    scores: dict[str, float | None]
    failures: tuple[str, ...]
    statements: tuple[dict[str, Any], ...] = ()
    retrieved: tuple[dict[str, Any], ...] = ()

    @property
    def score(self) -> float:
        """One number to sort by: refusal correctness for unanswerable items, else the mean answer quality."""
        if not self.answerable or self.answer["refused"]:
            return float(self.scores["refusal_correct"] or 0.0)
        parts = [self.scores[k] for k in ("fact_recall", "citation_recall", "citation_precision", "source_accuracy")]
        present = [p for p in parts if p is not None]
        return sum(present) / len(present) if present else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": self.score}


@dataclass(frozen=True)
class EvalResult:
    """Aggregate metrics, per-item results, the support checker's validation and run metadata."""

    aggregates: dict[str, float | None]
    items: tuple[ItemResult, ...]
    checker: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def by_category(self) -> dict[str, dict[str, float | None]]:
        """Mean per-item scores for each category (None where no item of the category applies)."""
        table: dict[str, dict[str, float | None]] = {}
        for category in sorted({i.category for i in self.items}):
            members = [i for i in self.items if i.category == category]
            row: dict[str, float | None] = {"n": float(len(members))}
            for key in ("fact_recall", "citation_recall", "citation_precision", "refusal_correct", "hit_at_k"):
                row[key] = metrics.mean_of([i.scores.get(key) for i in members]).score
            table[category] = row
        return table

    def to_dict(self) -> dict[str, Any]:
        return {"aggregates": self.aggregates, "checker": self.checker, "meta": self.meta}
