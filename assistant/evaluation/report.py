"""Reports of a run: the console table, items.json, summary.json, report.md with charts, and summary.md."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import metrics
from ..markers import marker
from .gate import Verdict, gate_verdicts
from .results import EvalResult
from .scoring import short

DEFAULT_REPORT_DIR = Path("evals/reports")


def summary_table(result: EvalResult, thresholds: Mapping[str, Mapping[str, float]] | None = None, title: str = "Eval"):
    """A rich Table of the aggregates, with each threshold and pass/fail when thresholds are given."""
    from rich.table import Table

    table = Table(title=f"{title}: {result.meta.get('items', len(result.items))} questions "
                        f"({result.meta.get('answerable', '?')} answerable) in {result.meta.get('seconds', '?')}s")
    table.add_column("metric")
    table.add_column("value", justify="right")
    if thresholds:
        table.add_column("gate", justify="right")
    table.add_column("meaning", style="dim")
    verdicts: dict[str, list[Verdict]] = {}
    for verdict in gate_verdicts(result, thresholds or {}):
        verdicts.setdefault(verdict.name, []).append(verdict)
    for name, value in result.aggregates.items():
        row = [name, "-" if value is None else f"{value:.3f}"]
        if thresholds:
            held = verdicts.get(name, [])
            requirement = ", ".join(v.requirement for v in held)
            row.append("" if not held else f"[green]{requirement} ok[/green]" if all(v.passed for v in held)
                       else f"[red]{requirement} FAIL[/red]")
        table.add_row(*row, metrics.describe(name))
    return table


def write_report(result: EvalResult, out_dir: Path | str = DEFAULT_REPORT_DIR) -> dict[str, Path]:
    """Write items.json, summary.json, report.md and the PNG charts into `out_dir`; return their paths."""
    from ..charts import category_chart, distribution_chart

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"items": out / "items.json", "summary": out / "summary.json", "report": out / "report.md",
             "categories": out / "categories.png", "distributions": out / "distributions.png"}
    paths["items"].write_text(json.dumps([i.to_dict() for i in result.items], indent=1, ensure_ascii=False),
                              encoding="utf-8")
    paths["summary"].write_text(json.dumps({**result.to_dict(), "by_category": result.by_category()}, indent=1,
                                           ensure_ascii=False), encoding="utf-8")
    category_chart(result.by_category(), paths["categories"])
    distribution_chart(result.items, paths["distributions"])
    paths["report"].write_text(render_markdown(result), encoding="utf-8")
    return paths


def render_markdown(result: EvalResult) -> str:
    """The Markdown report: summary, checker validation, categories, then the worst items with reasons."""
    meta = result.meta
    lines = ["# Eval report", "",
             f"{meta.get('items')} gold questions from `{meta.get('gold')}` over `{meta.get('sources')}` "
             f"(store {meta.get('store')}), {meta.get('seconds')}s, {meta.get('when')}.", "",
             "| metric | value | meaning |", "|---|---:|---|"]
    lines += [f"| {name} | {_fmt(v)} | {metrics.describe(name)} |" for name, v in result.aggregates.items()]
    check = result.checker
    if check:
        lines += ["", "## Citation support checker", "",
                  f"Validated on {check['n']} hand-labelled pairs (`{check['pairs']}`): "
                  f"accuracy {check['accuracy']:.3f}, "
                  f"precision {check['precision']:.3f}, recall {check['recall']:.3f} (supported = positive; "
                  f"TP {check['true_positive']}, FP {check['false_positive']}, TN {check['true_negative']}, "
                  f"FN {check['false_negative']}). Rule: contained after normalisation, or every number and name "
                  "present with content-term coverage >= 0.7 and MiniLM cosine >= 0.5 (see `assistant/support.py`)."]
    lines += ["", "## By category", "", "![scores by category](categories.png)", "",
              "| category | n | fact recall | citation recall | citation precision | refusal correct | hit@k |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for category, row in result.by_category().items():
        lines.append(f"| {category} | {int(row['n'] or 0)} | " + " | ".join(
            _fmt(row[k])
            for k in ("fact_recall", "citation_recall", "citation_precision", "refusal_correct", "hit_at_k"))
            + " |")
    lines += ["", "![score distributions](distributions.png)", ""]
    failing = sorted((i for i in result.items if i.failures),
                     key=lambda i: (i.score, -len(i.failures), i.scores.get("answer_similarity") or 0.0, i.id))
    lines += [f"## Items that fell short, worst first ({len(failing)} of {len(result.items)})", ""]
    for item in failing:
        lines += [f"### {item.id} ({item.category}) — score {item.score:.2f}", ""]
        lines += [f"- earlier turn: _{u}_ → _{short(a, 100)}_" for u, a in item.history]
        lines += [f"- **Question:** {item.question}",
                  f"- **Expected:** {'(unanswerable)' if not item.answerable else item.reference}",
                  "- **Answer**" + (" (refused)" if item.answer["refused"] else "") + ":", ""]
        lines += [f"  > {line}" for line in item.answer["text"].splitlines()]
        lines.append("")
        lines += [f"  - {marker(c['n'])} `{c['source']}:{c['start']}-{c['end']}` “{short(c['quote'], 200)}”"
                  for c in item.answer["citations"]]
        lines += ["- **Why:**"] + [f"  - {reason}" for reason in item.failures] + [""]
    return "\n".join(lines) + "\n"


SUMMARY_METRICS = ("fact_recall", "source_accuracy", "citation_precision", "whole_quotes", "hit_at_5", "refusal_recall",
                   "false_refusal_rate")


def write_summary(runs: Sequence[tuple[str, EvalResult, Sequence[str]]], path: Path) -> Path:
    """One Markdown table: a row per corpus, the headline metrics, and whether its gate held."""
    lines = ["| corpus | questions | " + " | ".join(SUMMARY_METRICS) + " | gate |",
             "|---|---:|" + "---:|" * len(SUMMARY_METRICS) + "---|"]
    for name, result, failures in runs:
        values = " | ".join(_fmt(result.aggregates.get(m)) for m in SUMMARY_METRICS)
        lines.append(f"| {name} | {len(result.items)} | {values} | {'fail' if failures else 'ok'} |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
