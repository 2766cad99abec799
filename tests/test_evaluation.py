"""The eval harness: pure metrics on hand-made inputs, the support checker on labelled pairs, run/report/gate/CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import Settings
from assistant import metrics as m
from assistant.cli import main
from assistant.embedding import Embedder
from assistant.evaluation import EvalResult, ItemResult, check_gate, load_thresholds, run, write_report
from assistant.support import SupportChecker, split_statements, validate

REPO = Path(__file__).resolve().parent.parent

# --- retrieval -----------------------------------------------------------------------------------


def test_evidence_ranks_need_same_source_and_overlapping_span() -> None:
    retrieved = [("a.txt", 0, 100), ("b.txt", 0, 50), ("a.txt", 100, 200)]
    evidence = [("a.txt", 150, 160), ("b.txt", 50, 70), ("c.txt", 0, 5), ("a.txt", -1, -1), ("a.txt", 90, 120)]
    assert m.evidence_ranks(retrieved, evidence) == [3, None, None, None, 1]


def test_hit_recall_and_mrr() -> None:
    ranks = [[3, None], [1], [None], []]
    hit = m.hit_at_k(ranks, 2)
    assert hit.per_item == (0.0, 1.0, 0.0, None)
    assert hit.score == pytest.approx(1 / 3)
    assert m.hit_at_k(ranks, 3).score == pytest.approx(2 / 3)
    assert m.recall_at_k([[1, 2, None]], 2).score == pytest.approx(2 / 3)
    assert m.recall_at_k([[1, 2, None]], 1).score == pytest.approx(1 / 3)
    mrr = m.mean_reciprocal_rank([[3, 2], [None], [1], []])
    assert mrr.per_item == (0.5, 0.0, 1.0, None)
    assert mrr.score == pytest.approx(0.5)
    assert m.hit_at_k([[], []], 5).score is None


# --- answers -------------------------------------------------------------------------------------


def test_fact_recall_normalises_quotes_and_dashes_and_scores_refusals_zero() -> None:
    answers = ["The world’s top drone maker — DJI — spied on Uygurs.", None, "anything"]
    facts = [[["world's top drone maker"], ["uyghur", "uygur"], ["public security bureau"]], [["drone"]], []]
    result = m.fact_recall(answers, facts)
    assert result.per_item == (pytest.approx(2 / 3), 0.0, None)
    assert result.score == pytest.approx(1 / 3)
    assert m.fact_present("SZ DJI Technology Co – for providing", ["dji technology co - for"])
    assert not m.fact_present("drones", ["drone maker"])


def test_semantic_similarity_treats_missing_answer_as_zero_and_missing_reference_as_not_applicable() -> None:
    x, y = np.array([1.0, 0.0]), np.array([0.6, 0.8])
    result = m.semantic_similarity([x, None, x], [y, y, None])
    assert result.per_item == (pytest.approx(0.6), 0.0, None)
    assert result.score == pytest.approx(0.3)


def test_source_accuracy() -> None:
    result = m.source_accuracy([["a"], ["b"], None, ["a"]], [["a", "c"], ["a"], ["a"], []])
    assert result.per_item == (1.0, 0.0, 0.0, None)
    assert result.score == pytest.approx(1 / 3)


# --- citations (ALCE) ----------------------------------------------------------------------------


def test_citation_recall_and_precision_follow_alce() -> None:
    supported = m.StatementSupport(True, (True,), (False,))
    unsupported = m.StatementSupport(False, (False,), (False,))
    uncited = m.StatementSupport(False)
    redundant = m.StatementSupport(True, (True, False), (False, True))  # 2nd citation adds nothing
    needed_together = m.StatementSupport(True, (False, False), (False, False))
    recall = m.citation_recall([[supported, unsupported, uncited], [redundant], None])
    assert recall.per_item == (pytest.approx(1 / 3), 1.0, None)
    precision = m.citation_precision([[supported, unsupported, uncited], [redundant], [needed_together], None])
    assert precision.per_item == (0.5, 0.5, 1.0, None)
    assert precision.score == pytest.approx(2 / 3)


def test_split_statements_at_marker_groups() -> None:
    text = "The sources differ on this: DJI makes drones. [1] It was listed [2][3]. Trailing claim about Megvii."
    statements = split_statements(text)
    assert [(s.text, s.markers) for s in statements] == [
        ("DJI makes drones.", (1,)), ("It was listed", (2, 3)), ("Trailing claim about Megvii.", ())]
    assert split_statements("And so it was. [1]") == []
    # source text can hold brackets: "heap[0]" names no citation of the answer, so it is text, not a marker
    quoted = split_statements("To peek, use heap[0]. [1] It pops. [2]", cited=[1, 2])
    assert [(s.text, s.markers) for s in quoted] == [("To peek, use heap[0].", (1,)), ("It pops.", (2,))]


def test_support_checker_rules(embedder: Embedder) -> None:
    checker = SupportChecker(embedder)
    quote = "Megvii said it “strongly opposes” the US move, and said the relevant allegations were “ungrounded”."
    contained = checker.judge('Megvii said it "strongly opposes" the US move', [quote])
    assert contained.supported and contained.rule == "contained"
    wrong_number = checker.judge("The Commerce Department added 37 Chinese entities to the list.",
                                 ["Shortly before, the Commerce Department put an additional 34 Chinese entities on "
                                  "the list."])
    assert not wrong_number.supported and "37" in wrong_number.missing
    paraphrase = checker.judge("Megvii strongly opposes the US move and calls the allegations ungrounded.", [quote])
    assert paraphrase.supported and paraphrase.rule == "proxy"
    assert not checker.judge("Megvii said it strongly opposes the US move.", []).supported


def test_support_checker_accuracy_on_the_labelled_pairs(embedder: Embedder) -> None:
    """Measured 0.712 accuracy (P 0.714, R 0.741) on the 52 pairs; this catches a regression of 2+ pairs."""
    lines = (REPO / "evals" / "support_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    result = validate(SupportChecker(embedder), [json.loads(line) for line in lines if line.strip()])
    assert result.n == 52
    assert result.accuracy >= 0.69
    assert result.precision >= 0.65 and result.recall >= 0.65


# --- refusals and latency ------------------------------------------------------------------------


def test_refusal_scores() -> None:
    scores = m.refusal_scores(refused=[True, True, False, False, True], answerable=[False, True, True, False, False])
    assert scores.precision == pytest.approx(2 / 3)
    assert scores.recall == pytest.approx(2 / 3)
    assert scores.false_refusal_rate == pytest.approx(0.5)
    assert scores.correct.per_item == (1.0, 0.0, 1.0, 0.0, 1.0)
    assert m.refusal_scores([False], [True]).precision is None


def test_percentiles() -> None:
    assert m.percentile([5, 1, 3, 2, 4], 50) == pytest.approx(3.0)
    assert m.percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert m.percentile([], 50) is None


# --- gate ----------------------------------------------------------------------------------------


def _result(**aggregates: float | None) -> EvalResult:
    item = ItemResult("x", "company", "q?", (), True, "ref", {"text": "a", "refused": False, "citations": []}, 0.1,
                      {"fact_recall": 1.0, "refusal_correct": 1.0}, ())
    return EvalResult(dict(aggregates), (item,))


def test_gate_names_each_metric_outside_its_threshold() -> None:
    result = _result(fact_recall=0.7, false_refusal_rate=0.1, refusal_recall=None)
    failures = check_gate(result, {"min": {"fact_recall": 1.01, "refusal_recall": 0.5, "typo_metric": 0.1},
                                   "max": {"false_refusal_rate": 0.05}})
    assert len(failures) == 4
    assert any(f.startswith("fact_recall") and "below" in f for f in failures)
    assert any(f.startswith("false_refusal_rate") and "above" in f for f in failures)
    assert any(f.startswith("refusal_recall") and "not measured" in f for f in failures)
    assert any(f.startswith("typo_metric") and "unknown" in f for f in failures)
    assert check_gate(result, {"min": {"fact_recall": 0.0}, "max": {"false_refusal_rate": 1.0}}) == []


def test_the_table_marks_the_metrics_the_gate_fails() -> None:
    from rich.console import Console

    from assistant.evaluation import summary_table

    result = _result(fact_recall=0.7, false_refusal_rate=0.1, citation_precision=0.95)
    thresholds = {"min": {"fact_recall": 0.8, "citation_precision": 0.9}, "max": {"false_refusal_rate": 0.2}}
    console = Console(record=True, width=200)
    console.print(summary_table(result, thresholds))
    rows = {line.split()[1]: line for line in console.export_text().splitlines() if line.startswith("│ ")}
    failed = {f.split()[0] for f in check_gate(result, thresholds)}
    assert failed == {"fact_recall"}
    assert "FAIL" in rows["fact_recall"]
    assert "ok" in rows["citation_precision"] and "ok" in rows["false_refusal_rate"]


def test_committed_thresholds_parse_and_name_real_metrics(tmp_path: Path) -> None:
    thresholds = load_thresholds(REPO / "evals" / "corpora" / "news" / "thresholds.toml")
    assert thresholds["min"] and thresholds["max"]
    names = [name for bound in thresholds.values() for name in bound]
    assert all(m.describe(name) for name in names), names
    bad = tmp_path / "bad.toml"
    bad.write_text("[minimum]\nfact_recall = 0.5\n")
    with pytest.raises(ValueError, match="minimum"):
        load_thresholds(bad)


# --- end to end on a tiny corpus -----------------------------------------------------------------

DRONES = """---
title: "Drone maker listed"
publication: "Test Gazette"
---
Skyward Robotics builds agricultural drones in a factory near Lisbon.

The company was added to an export blacklist in March 2021 for supplying drones to a border police unit.

Skyward said it strongly disagrees with the decision and will appeal.
"""
BAKERY = """---
title: "A bakery profile"
publication: "Test Gazette"
---
The Golden Crumb bakery in Porto sells about 400 loaves of rye bread every morning.

Its founder, Marta Silva, opened the shop in 1998 after training as a baker in Vienna.
"""
GOLD = [
    {"id": "why", "question": "Why was Skyward Robotics blacklisted?", "history": [], "answerable": True,
     "reference": "For supplying drones to a border police unit.", "facts": [["border police"]],
     "evidence": [{"source": "drones.txt",
                   "quote": "The company was added to an export blacklist in March 2021 for supplying drones to a "
                            "border police unit."}], "category": "company"},
    {"id": "founder", "question": "Who founded the Golden Crumb bakery?", "history": [], "answerable": True,
     "reference": "Marta Silva.", "facts": [["Marta Silva"]],
     "evidence": [{"source": "bakery.txt", "quote": "Its founder, Marta Silva, opened the shop in 1998"}],
     "category": "person"},
    {"id": "opened", "question": "When did she open it?",
     "history": [["Who founded the Golden Crumb bakery?", "Marta Silva."]], "answerable": True,
     "reference": "In 1998.", "facts": [["1998"]],
     "evidence": [{"source": "bakery.txt", "quote": "Its founder, Marta Silva, opened the shop in 1998"}],
     "category": "multi_turn"},
    {"id": "python", "question": "How do I reverse a list in Python?", "history": [], "answerable": False,
     "reference": "Not in the sources.", "facts": [], "evidence": [], "category": "unanswerable_off_topic"},
]


@pytest.fixture
def tiny_corpus(sources_dir: Path, tmp_path: Path) -> Path:
    (sources_dir / "drones.txt").write_text(DRONES, encoding="utf-8")
    (sources_dir / "bakery.txt").write_text(BAKERY, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(item) for item in GOLD) + "\n", encoding="utf-8")
    return gold


def test_run_scores_every_item_and_writes_the_reports(tiny_corpus: Path, settings: Settings, make_assistant,
                                                      tmp_path: Path) -> None:
    result = run(make_assistant(settings), tiny_corpus, k=3, pairs_path=None)
    assert [i.id for i in result.items] == ["why", "founder", "opened", "python"]
    assert result.meta["items"] == 4 and result.meta["answerable"] == 3
    for name in ("fact_recall", "citation_recall", "citation_precision", "source_accuracy", "hit_at_3", "recall_at_3",
                 "mrr", "refusal_precision", "refusal_recall", "false_refusal_rate", "latency_p50", "latency_p95"):
        assert name in result.aggregates
    why = result.items[0]
    assert why.scores["hit_at_k"] == 1.0, why.retrieved  # a two-document corpus: the evidence is retrieved
    assert all(i.latency > 0 for i in result.items)
    assert result.items[3].scores["fact_recall"] is None  # unanswerable items have no facts to recall
    for item in result.items:
        if not item.answer["refused"]:
            assert item.scores["citation_precision"] is not None
            assert item.statements, "an answer has statements with their support judgements"

    paths = write_report(result, tmp_path / "reports")
    items = json.loads(paths["items"].read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == ["why", "founder", "opened", "python"]
    assert {"question", "answer", "scores", "failures", "score", "retrieved"} <= set(items[0])
    report = paths["report"].read_text(encoding="utf-8")
    assert "| fact_recall |" in report and "## By category" in report
    for item in result.items:
        if item.failures:
            assert item.question in report and item.failures[0] in report
    for chart in ("categories", "distributions"):
        assert paths[chart].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_gate_exits_non_zero_naming_the_metric(tiny_corpus: Path, sources_dir: Path, tmp_path: Path) -> None:
    impossible = tmp_path / "impossible.toml"
    impossible.write_text("[min]\nfact_recall = 1.01\n\n[max]\nfalse_refusal_rate = 1.0\n")
    reports = tmp_path / "reports"
    outcome = CliRunner().invoke(main, ["eval", "--gold", str(tiny_corpus), "--sources", str(sources_dir),
                                        "--thresholds", str(impossible), "--report-dir", str(reports), "--json"])
    assert outcome.exit_code == 1, outcome.output
    assert "fact_recall" in outcome.stderr and "false_refusal_rate" not in outcome.stderr
    summary = json.loads(outcome.stdout)
    assert summary["gate_failures"] and summary["gate_failures"][0].startswith("fact_recall")
    assert (reports / "report.md").is_file() and (reports / "items.json").is_file()
    assert not (sources_dir.parent / "index").exists(), "--sources alone indexes into a temporary folder"


def test_importing_the_package_and_cli_does_not_import_matplotlib() -> None:
    code = "import sys, assistant, assistant.evaluation, assistant.cli; print('matplotlib' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


def test_run_with_an_llm_counts_unsupported_sentences_before_and_after_verification(
        tiny_corpus: Path, settings: Settings, make_assistant) -> None:
    from tests.scripted_llm import passage_number, start_scripted_llm

    model, stop = start_scripted_llm()
    # Every answer: one sentence copied from a passage (supported), one invented (the verifier must drop it).
    model.script.answer = lambda m: (
        f"Its founder, Marta Silva, opened the shop in 1998 [{passage_number(m, 'Marta Silva')}]. "
        f"She also runs a bakery school in Lisbon with 30 students [{passage_number(m, 'Marta Silva')}].")
    try:
        bot = make_assistant(settings.model_copy(update={"llm": "openai", "llm_base_url": model.base_url}))
        result = run(bot, tiny_corpus, k=3, pairs_path=None)
    finally:
        stop()
    founder = next(i for i in result.items if i.id == "founder")
    assert "Marta Silva" in founder.answer["text"] and "Lisbon" not in founder.answer["text"]
    assert "Lisbon" in founder.answer["generation"]["text"]  # what the model wrote is kept for the report
    aggregates = result.aggregates
    assert aggregates["llm_answers"] >= 1 and aggregates["unsupported_generated"] >= aggregates["llm_answers"]
    assert aggregates["unsupported_shown"] == 0
    assert aggregates["first_token_p50"] is not None and aggregates["first_token_p50"] <= aggregates["latency_p95"]
    assert result.meta["llm"] == "openai"


@pytest.mark.parametrize(("text", "quote", "whole"), [
    ("The oven heats fast. It reaches 220 degrees in ten minutes. Then it beeps.",            # bakery
     "It reaches 220 degrees in ten minutes.", True),
    ("The oven heats fast. It reaches 220 degrees in ten minutes. Then it beeps.",
     "reaches 220 degrees in ten minutes.", False),                                         # starts mid-sentence
    ("The hull is inspected every spring by the yard inspector.", "The hull is inspected", False),  # shipyard
    ("Options:\n- retries: how often a call is repeated\n- timeout: seconds to wait\n",     # API reference
     "retries: how often a call is repeated", True),                                        # a list item, no stop
    ("| size | 4 MiB |\n| mode | fast |", "size | 4 MiB", True),                             # a table row
    ("Notes\n\n.. [1] The log rotates daily.\n", "The log rotates daily.", True),           # after a footnote label
])
def test_a_quote_is_whole_when_it_starts_and_ends_at_a_boundary(text: str, quote: str, whole: bool) -> None:
    start = text.index(quote)
    assert m.is_whole_quote(text, start, start + len(quote)) is whole
