"""The eval harness: run every gold question through the public API, score it, write reports, gate CI.

`run` asks each gold question with `Assistant.ask` (history included) and scores the answers
with the pure functions in `metrics`; `write_report` writes items.json, summary.json,
report.md and PNG charts; `check_gate` compares the aggregates with committed thresholds.
Heavy or optional parts (tqdm, rich, matplotlib) are imported only when used.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import metrics
from .api import Answer, Assistant
from .config import Settings
from .markers import marker, markers, strip_markers
from .support import SupportChecker, split_statements, validate

DEFAULT_GOLD = Path("evals/corpora/news/gold.jsonl")
DEFAULT_PAIRS = Path("evals/support_pairs.jsonl")
DEFAULT_REPORT_DIR = Path("evals/reports")



@dataclass(frozen=True)
class GoldItem:
    """One gold question: see evals/check_gold.py for the format."""

    id: str
    question: str
    history: tuple[tuple[str, str], ...]
    answerable: bool
    reference: str
    facts: tuple[tuple[str, ...], ...]
    evidence: tuple[tuple[str, str], ...]
    category: str


def find_collapsed(text: str, quote: str) -> tuple[int, int]:
    """(start, end) of `quote` in `text` when runs of whitespace are ignored; (-1, -1) when absent.

    Gold quotes are copied from documents as a reader sees them (whitespace collapsed), while
    the loaded text keeps the file's line breaks and indentation.
    """
    words = quote.split()
    if not words:
        return -1, -1
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (match.start(), match.end()) if match else (-1, -1)


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_gold(path: Path | str) -> list[GoldItem]:
    """Read a gold JSONL file (one item per line)."""
    return [GoldItem(row["id"], row["question"], tuple((u, a) for u, a in row.get("history", [])),
                     bool(row["answerable"]), row.get("reference", ""), tuple(tuple(f) for f in row.get("facts", [])),
                     tuple((e["source"], e["quote"]) for e in row.get("evidence", [])), row.get("category", "other"))
            for row in read_jsonl(path)]


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


def spread_sample(items: Sequence[Any], size: int | None) -> list[Any]:
    """`size` items spread evenly over `items` (every category keeps its share), in order; all when size is None."""
    if size is None or size >= len(items):
        return list(items)
    return [items[i * len(items) // size] for i in range(size)]


def run(bot_or_settings: Assistant | Settings | None, gold_path: Path | str = DEFAULT_GOLD, *, k: int = 5,
        pairs_path: Path | str | None = DEFAULT_PAIRS, ingest: bool = True, progress: bool = False,
        sample: int | None = None) -> EvalResult:
    """Ask every gold question through the public API and score the answers.

    The index is brought up to date first (`ingest` is idempotent). Latency is measured
    around `ask` after one warm-up question, so model loading is not counted. When
    `pairs_path` exists, the citation support checker is validated on its labelled pairs.
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
        answer, latency, first_token = _timed_ask(bot, item)
        answers.append(answer)
        latencies.append(latency)
        first_tokens.append(first_token)
    retrieved = [[(p.source, p.start, p.end) for p in a.retrieved] for a in answers]
    checker = SupportChecker(bot.embedder)
    items = _score(bot, gold, answers, latencies, retrieved, checker, k)
    validation: dict[str, Any] = {}
    if pairs_path is not None and Path(pairs_path).is_file():
        validation = {"pairs": str(pairs_path), **validate(checker, read_jsonl(pairs_path)).to_dict()}
    meta = {"gold": str(gold_path), "sample": sample, "sources": str(bot.settings.sources_dir), "store": bot.settings.store_location,
            "k": k, "items": len(gold), "answerable": sum(i.answerable for i in gold),
            "seconds": round(time.perf_counter() - started, 1), "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "llm": bot.settings.llm, "verify": bot.settings.verify, "load_average": [load_before, _load()]}
    aggregates = _aggregate(items, latencies, k)
    if bot.llm_client is not None:
        aggregates.update(_llm_aggregates(answers, items, first_tokens))
    return EvalResult(aggregates, tuple(items), validation, meta)


def _load() -> float | None:
    """The machine's 1-minute load average (the eval's latencies depend on it); None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _timed_ask(bot: Assistant, item: GoldItem) -> tuple[Answer, float, float | None]:
    """The answer, its latency, and the time to the first drafted text when an LLM wrote one."""
    tick = time.perf_counter()
    first_token = None
    for event in bot.ask_stream(item.question, history=list(item.history)):
        if isinstance(event, Answer):
            return event, time.perf_counter() - tick, first_token
        if first_token is None and event.draft:
            first_token = time.perf_counter() - tick
    raise AssertionError("ask_stream ended without an answer")


def _llm_aggregates(answers: Sequence[Answer], items: Sequence[ItemResult], first_tokens: Sequence[float | None]
                    ) -> dict[str, float | None]:
    """What the LLM wrote before verification against what was shown after it."""
    generations = [a.generation for a in answers if a.generation is not None and a.generation.sentences]
    sentences = sum(g.sentences for g in generations)
    unsupported = sum(g.unsupported for g in generations)
    shown = sum(1 for i in items for s in i.statements if not s["supported"]) if items else 0
    drafted = [t for t in first_tokens if t is not None]
    return {
        "llm_answers": float(len(generations)),
        "generated_sentences": float(sentences),
        "unsupported_generated": float(unsupported),
        "unsupported_generated_rate": unsupported / sentences if sentences else None,
        "unsupported_shown": float(shown),
        "llm_fallbacks": float(sum(1 for a in answers if a.generation and a.generation.sentences
                                   and a.generation.unsupported == a.generation.sentences)),
        "llm_notices": float(sum(1 for a in answers if a.notice)),
        "first_token_p50": metrics.percentile(drafted, 50) if drafted else None,
        "first_token_p95": metrics.percentile(drafted, 95) if drafted else None,
    }


def _score(bot: Assistant, gold: Sequence[GoldItem], answers: Sequence[Answer], latencies: Sequence[float],
           retrieved: Sequence[Sequence[tuple[str, int, int]]], checker: SupportChecker, k: int) -> list[ItemResult]:
    texts: dict[str, str] = {}

    def locate(source: str, quote: str) -> tuple[str, int, int]:
        if source not in texts:
            try:
                texts[source] = bot.source_text(source)
            except FileNotFoundError:
                texts[source] = ""
        return (source, *find_collapsed(texts[source], quote))

    ranks = [metrics.evidence_ranks(r, [locate(s, q) for s, q in g.evidence]) for g, r in zip(gold, retrieved, strict=True)]
    judged = [None if a.refused else _judge_statements(a, checker) for a in answers]
    supports = [None if j is None else [s for _, s, _ in j] for j in judged]
    given = [None if a.refused else a for a in answers]
    vectors = bot.embedder.embed_batch([strip_markers(a.text) for a in answers] + [g.reference for g in gold])
    n = len(gold)
    columns = {
        "fact_recall": metrics.fact_recall([a and a.text for a in given], [g.facts for g in gold]),
        "answer_similarity": metrics.semantic_similarity(
            [None if a.refused else vectors[i] for i, a in enumerate(answers)],
            [vectors[n + i] if g.answerable else None for i, g in enumerate(gold)]),
        "citation_recall": metrics.citation_recall(supports),
        "citation_precision": metrics.citation_precision(supports),
        "source_accuracy": metrics.source_accuracy([a and [c.source for c in a.citations] for a in given],
                                                   [[s for s, _ in g.evidence] for g in gold]),
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
            item.id, item.category, item.question, item.history, item.answerable, item.reference, _answer_record(answer),
            round(latencies[i], 4), scores, tuple(_failures(item, answer, statements, supports[i], ranks[i], k)),
            statements, tuple({"source": s, "start": a, "end": b} for s, a, b in retrieved[i])))
    return results


def _answer_record(answer: Answer) -> dict[str, Any]:
    """The answer as the user got it, plus what the LLM drafted before verification (if it wrote)."""
    record = answer.to_dict()
    if answer.generation is not None:
        record["generation"] = asdict(answer.generation)
    return record


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
                            and checker.judge(statement.text, [q for j, q in enumerate(cited) if j != i and q]).supported
                            for i, a in enumerate(alone))
            support = metrics.StatementSupport(joint.supported, alone, without)
        judged.append((statement, support, "no citation" if not cited else joint.explain()))
    return judged


def _failures(item: GoldItem, answer: Answer, statements: Sequence[dict], supports: Sequence | None,
              ranks: Sequence[int | None], k: int) -> list[str]:
    """Human-readable reasons an item fell short, most important first."""
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
    for statement, support in zip(statements, supports or (), strict=True):
        cited = markers(statement["markers"])
        if not support.joint:
            reasons.append(f"unsupported statement {cited or '(uncited)'}: “{_short(statement['text'])}” "
                           f"({statement['why']})")
        for n, alone, without in zip(statement["markers"], support.alone, support.without, strict=True):
            if support.joint and not (alone or not without):
                reasons.append(f"citation {marker(n)} is not needed for its statement")
    for (source, quote), rank in zip(item.evidence, ranks, strict=True):
        if rank is None or rank > k:
            reasons.append(f"gold evidence not in the top {k} retrieved ({source}, rank {rank or '-'}): "
                           f"“{_short(quote, 80)}”")
    return reasons


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _aggregate(items: Sequence[ItemResult], latencies: Sequence[float], k: int) -> dict[str, float | None]:
    def column(name: str) -> float | None:
        return metrics.mean_of([i.scores[name] for i in items]).score

    refusal = metrics.refusal_scores([i.answer["refused"] for i in items], [i.answerable for i in items])
    return {
        "fact_recall": column("fact_recall"), "answer_similarity": column("answer_similarity"),
        "citation_recall": column("citation_recall"), "citation_precision": column("citation_precision"),
        "source_accuracy": column("source_accuracy"), f"hit_at_{k}": column("hit_at_k"),
        f"recall_at_{k}": column("recall_at_k"), "mrr": column("reciprocal_rank"),
        "refusal_precision": refusal.precision, "refusal_recall": refusal.recall,
        "false_refusal_rate": refusal.false_refusal_rate,
        "latency_p50": metrics.percentile(latencies, 50), "latency_p95": metrics.percentile(latencies, 95),
    }


# Gate --------------------------------------------------------------------------------------------

def load_thresholds(path: Path | str) -> dict[str, dict[str, float]]:
    """Read `[min]` and `[max]` tables of metric thresholds from a TOML file."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - {"min", "max"}
    if unknown:
        raise ValueError(f"{path}: only [min] and [max] tables are allowed, not {sorted(unknown)}")
    return {bound: {str(k): float(v) for k, v in data.get(bound, {}).items()} for bound in ("min", "max")}


def check_gate(result: EvalResult, thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric outside its threshold (or unknown / not measured); empty when all pass."""
    failures = []
    for bound, limits in thresholds.items():
        for name, limit in limits.items():
            if name not in result.aggregates:
                failures.append(f"{name}: unknown metric (known: {', '.join(result.aggregates)})")
                continue
            value = result.aggregates[name]
            if value is None:
                failures.append(f"{name}: not measured (no item applies)")
            elif bound == "min" and value < limit:
                failures.append(f"{name} = {value:.3f} is below the minimum {limit:.3f}")
            elif bound == "max" and value > limit:
                failures.append(f"{name} = {value:.3f} is above the maximum {limit:.3f}")
    return failures


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
    for name, value in result.aggregates.items():
        row = [name, "-" if value is None else f"{value:.3f}"]
        if thresholds:
            low, high = thresholds.get("min", {}).get(name), thresholds.get("max", {}).get(name)
            bad = value is None or (low is not None and value < low) or (high is not None and value > high)
            limit = f">= {low:.2f}" if low is not None else f"<= {high:.2f}" if high is not None else ""
            row.append("" if not limit else f"[red]{limit} FAIL[/red]" if bad else f"[green]{limit} ok[/green]")
        table.add_row(*row, metrics.describe(name))
    return table


# Reports -----------------------------------------------------------------------------------------

def write_report(result: EvalResult, out_dir: Path | str = DEFAULT_REPORT_DIR) -> dict[str, Path]:
    """Write items.json, summary.json, report.md and the PNG charts into `out_dir`; return their paths."""
    from .charts import category_chart, distribution_chart

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
                  f"Validated on {check['n']} hand-labelled pairs (`{check['pairs']}`): accuracy {check['accuracy']:.3f}, "
                  f"precision {check['precision']:.3f}, recall {check['recall']:.3f} (supported = positive; "
                  f"TP {check['true_positive']}, FP {check['false_positive']}, TN {check['true_negative']}, "
                  f"FN {check['false_negative']}). Rule: contained after normalisation, or every number and name "
                  "present with content-term coverage >= 0.7 and MiniLM cosine >= 0.5 (see `assistant/support.py`)."]
    lines += ["", "## By category", "", "![scores by category](categories.png)", "",
              "| category | n | fact recall | citation recall | citation precision | refusal correct | hit@k |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for category, row in result.by_category().items():
        lines.append(f"| {category} | {int(row['n'] or 0)} | " + " | ".join(
            _fmt(row[k]) for k in ("fact_recall", "citation_recall", "citation_precision", "refusal_correct", "hit_at_k"))
            + " |")
    lines += ["", "![score distributions](distributions.png)", ""]
    failing = sorted((i for i in result.items if i.failures),
                     key=lambda i: (i.score, -len(i.failures), i.scores.get("answer_similarity") or 0.0, i.id))
    lines += [f"## Items that fell short, worst first ({len(failing)} of {len(result.items)})", ""]
    for item in failing:
        lines += [f"### {item.id} ({item.category}) — score {item.score:.2f}", ""]
        lines += [f"- earlier turn: _{u}_ → _{_short(a, 100)}_" for u, a in item.history]
        lines += [f"- **Question:** {item.question}",
                  f"- **Expected:** {'(unanswerable)' if not item.answerable else item.reference}",
                  "- **Answer**" + (" (refused)" if item.answer["refused"] else "") + ":", ""]
        lines += [f"  > {line}" for line in item.answer["text"].splitlines()]
        lines.append("")
        lines += [f"  - {marker(c['n'])} `{c['source']}:{c['start']}-{c['end']}` “{_short(c['quote'], 200)}”"
                  for c in item.answer["citations"]]
        lines += ["- **Why:**"] + [f"  - {reason}" for reason in item.failures] + [""]
    return "\n".join(lines) + "\n"


SUMMARY_METRICS = ("fact_recall", "source_accuracy", "citation_precision", "hit_at_5", "refusal_recall",
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
