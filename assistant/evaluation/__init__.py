"""The eval harness, one module per job: gold data, running, scoring, the gate, reports.

`runner.run` asks each gold question with `Assistant.ask` (history included) and scores the
answers (`scoring`, with the pure functions in `assistant.metrics`); `report.write_report`
writes items.json, summary.json, report.md and PNG charts; `gate.check_gate` compares the
aggregates with committed thresholds. Heavy or optional parts (tqdm, rich, matplotlib) are
imported only when used.
"""

from .gate import Verdict, check_gate, gate_verdicts, load_thresholds
from .gold import GoldItem, find_collapsed, load_gold, read_jsonl
from .report import render_markdown, summary_table, write_report, write_summary
from .results import EvalResult, ItemResult
from .runner import DEFAULT_GOLD, DEFAULT_PAIRS, run

__all__ = ["DEFAULT_GOLD", "DEFAULT_PAIRS", "EvalResult", "GoldItem", "ItemResult", "Verdict", "check_gate",
           "find_collapsed", "gate_verdicts", "load_gold", "load_thresholds", "read_jsonl", "render_markdown", "run",
           "summary_table", "write_report", "write_summary"]
