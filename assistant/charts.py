"""PNG charts for the eval report, drawn with matplotlib's Agg backend (imported only here, only when used)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_SERIES = (("fact_recall", "fact recall"), ("citation_recall", "citation recall"),
           ("citation_precision", "citation precision"), ("refusal_correct", "refusal correct"),
           ("hit_at_k", "retrieval hit@k"))
_HISTOGRAMS = (("fact_recall", "fact recall (answerable)"), ("answer_similarity", "answer similarity (answerable)"),
               ("citation_precision", "citation precision (answered)"), ("latency", "latency per question (s)"))


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def category_chart(by_category: Mapping[str, Mapping[str, float | None]], path: Path) -> Path:
    """Grouped bars: each category's mean scores (a missing bar = the metric does not apply there)."""
    plt = _pyplot()
    categories = list(by_category)
    width = 0.8 / len(_SERIES)
    figure, axes = plt.subplots(figsize=(max(8.0, 1.1 * len(categories) + 2), 4.8), dpi=110)
    for n, (key, label) in enumerate(_SERIES):
        values = [by_category[c].get(key) for c in categories]
        xs = [i + (n - (len(_SERIES) - 1) / 2) * width for i, v in enumerate(values) if v is not None]
        axes.bar(xs, [v for v in values if v is not None], width, label=label)
    axes.set_xticks(range(len(categories)))
    axes.set_xticklabels([f"{c}\n(n={int(by_category[c].get('n') or 0)})" for c in categories], rotation=35,
                         ha="right", fontsize=8)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("mean score")
    axes.set_title("Scores by question category")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=8, ncols=len(_SERIES), loc="lower center", bbox_to_anchor=(0.5, 1.07), frameon=False)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def distribution_chart(items: Sequence[Any], path: Path) -> Path:
    """Histograms of per-item fact recall, answer similarity, citation precision and latency."""
    plt = _pyplot()
    figure, grid = plt.subplots(2, 2, figsize=(9, 6), dpi=110)
    for axes, (key, label) in zip(grid.flat, _HISTOGRAMS, strict=True):
        if key == "latency":
            values = [i.latency for i in items]
            bins: Any = 20
        else:
            values = [i.scores[key] for i in items if i.scores.get(key) is not None]
            low = min([0.0, *values])
            bins = [low + (1.0 - low) * b / 10 for b in range(11)]
        axes.hist(values, bins=bins, color="#4477aa", edgecolor="white")
        axes.set_title(f"{label}, n={len(values)}", fontsize=9)
        axes.set_ylabel("items", fontsize=8)
        axes.tick_params(labelsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
