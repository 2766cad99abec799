"""Issue #13 goal 6: answer latency with the LLM mode, next to the extractive mode.

`python -m bench.llm_latency [--questions 10]` (or `python -m bench --only llm_latency`, an optional section).
Indexes the bundled sources (sources/, the news corpus) once, then asks the first answerable, standalone
questions of the news gold through the public API (`Assistant.ask_stream`) in three modes:

- extractive (`llm = none`): the whole answer arrives at once, so first text = full answer;
- scripted: a loopback OpenAI-compatible server (tests/scripted_llm.py) that replies instantly with a valid
  cited answer (passage 1's first sentence, verbatim, with [1]), so judging, streaming and verification all run:
  what the assistant itself adds on top of a model;
- local: the bundled Qwen2.5-Coder-1.5B GGUF through llama.cpp (skipped when the model file is missing).

First text is the first `Stage("drafting")` with text (or the final answer when nothing was drafted, e.g. a
refusal); full answer is the verified `Answer`. Each mode answers one other question first (warm-up); the local
model's start (server process + model load) is timed separately. The load average is recorded per mode.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import Assistant, Settings
from assistant.answering_llm import Stage
from assistant.api import Answer
from assistant.embedding import Embedder, make_embedder

from .common import REPO, RESULTS, Context, percentiles, write_json

GOLD = REPO / "evals" / "corpora" / "news" / "gold.jsonl"
_PASSAGE = re.compile(r'<passage n="1"[^>]*>\n(.*?)\n</passage>', re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Timing:
    """One question's latencies (seconds) and what came back."""

    first_text_s: float
    full_s: float
    drafted: bool  # an LLM draft was streamed before the verified answer
    refused: bool
    notice: str


def questions(limit: int) -> tuple[list[str], str]:
    """The first `limit` answerable standalone news questions, and one more for the warm-up."""
    rows = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    picked = [r["question"] for r in rows if r["answerable"] and not r["history"]]
    return picked[:limit], picked[limit]


def scripted_answer(messages: list[dict[str, Any]]) -> str:
    """A cited answer the verifier accepts: the first sentence of passage 1, verbatim, marked [1]."""
    user = "\n".join(m["content"] for m in messages if m["role"] == "user")
    match = _PASSAGE.search(user)
    if not match:
        return "The sources do not say."
    first = _SENTENCE_END.split(match.group(1).strip(), maxsplit=1)[0]
    return f"{first} [1]"


def time_question(bot: Assistant, question: str) -> Timing:
    """Latency of one question through `ask_stream`: to the first drafted text and to the verified answer."""
    began = time.perf_counter()
    first: float | None = None
    for event in bot.ask_stream(question):
        if isinstance(event, Stage) and event.name == "drafting" and event.draft and first is None:
            first = time.perf_counter() - began
        if isinstance(event, Answer):
            full = time.perf_counter() - began
            return Timing(first if first is not None else full, full, first is not None, event.refused,
                          event.notice)
    raise AssertionError("ask_stream ended without an answer")


def measure(bot: Assistant, asked: list[str], warm_up: str, log: Any) -> dict[str, Any]:
    """Warm-up (timed apart), then every question once; p50/p95 of first text and full answer."""
    load_before = os.getloadavg()
    began = time.perf_counter()
    bot.check_llm()  # `local`: starts the llama.cpp server and loads the model
    start_s = time.perf_counter() - began
    warm = time_question(bot, warm_up)
    timings = [time_question(bot, q) for q in asked]
    load_after = os.getloadavg()
    for q, t in zip(asked, timings, strict=True):
        log(f"  {t.first_text_s * 1000:8.0f} ms first text, {t.full_s * 1000:8.0f} ms full"
            f"{' (refused)' if t.refused else ''}{' (notice)' if t.notice else ''}: {q[:60]}")
    return {"llm_start_s": start_s, "warm_up_s": warm.full_s,
            "first_text": percentiles([t.first_text_s for t in timings]),
            "full": percentiles([t.full_s for t in timings]),
            "drafted": sum(t.drafted for t in timings), "refused": sum(t.refused for t in timings),
            "notices": sorted({t.notice for t in timings if t.notice}), "n": len(timings),
            "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after]}


def run(ctx: Context, limit: int = 10, threads: int | None = None) -> dict[str, Any]:
    """Index the bundled corpus in `ctx.work`, then time every mode on the same questions; `threads`: the local
    model's CPU threads (default: the `llm_threads` setting)."""
    folder = ctx.work / "llm-latency"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(REPO / "sources", folder / "sources")
    base = Settings(sources_dir=folder / "sources", index_dir=folder / "index")
    embedder: Embedder = make_embedder(base)
    Assistant(base, embedder=embedder).ingest()
    asked, warm_up = questions(limit)
    result: dict[str, Any] = {"corpus": "bundled sources (news)", "questions": len(asked), "modes": {},
                              "local_threads": threads or base.llm_threads}

    ctx.log("llm_latency: extractive")
    result["modes"]["extractive"] = measure(Assistant(base, embedder=embedder), asked, warm_up, ctx.log)

    from tests.scripted_llm import Script, start_scripted_llm

    state, stop = start_scripted_llm()
    state.script = Script(answer=scripted_answer, judge=0.95)
    try:
        ctx.log("llm_latency: scripted loopback server")
        scripted = base.model_copy(update={"llm": "openai", "llm_base_url": state.base_url})
        result["modes"]["scripted"] = measure(Assistant(scripted, embedder=embedder), asked, warm_up, ctx.log)
    finally:
        stop()

    local = base.model_copy(update={"llm": "local", **({"llm_threads": threads} if threads else {})})
    if local.llm_model_path.is_file():
        ctx.log(f"llm_latency: local model {local.llm_model_path.name}")
        result["modes"]["local"] = measure(Assistant(local, embedder=embedder), asked, warm_up, ctx.log)
    else:
        ctx.log(f"llm_latency: local model skipped, no file at {local.llm_model_path}")
        result["local_skipped"] = str(local.llm_model_path)
    return result


def markdown(result: dict[str, Any]) -> str:
    """The table for bench/results/llm_latency.md and the bench summary."""
    lines = [f"## Answer latency with the LLM mode ({result['questions']} answerable news questions, "
             f"{result['corpus']}, warm; local model on {result.get('local_threads', 2)} threads)", "",
             "| mode | first text p50 ms | p95 | full answer p50 ms | p95 | drafted | refused | model start s "
             "| warm-up s | load 1m before / after |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, m in result["modes"].items():
        lines.append(f"| {name} | {m['first_text']['p50_ms']:.0f} | {m['first_text']['p95_ms']:.0f} | "
                     f"{m['full']['p50_ms']:.0f} | {m['full']['p95_ms']:.0f} | {m['drafted']}/{m['n']} | "
                     f"{m['refused']}/{m['n']} | {m['llm_start_s']:.1f} | {m['warm_up_s']:.1f} | "
                     f"{m['load_before'][0]:.2f} / {m['load_after'][0]:.2f} |")
    if "local_skipped" in result:
        lines += ["", f"Local model skipped: no file at {result['local_skipped']}."]
    notices = {n for m in result["modes"].values() for n in m["notices"]}
    if notices:
        lines += ["", "Notices: " + "; ".join(sorted(notices))]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.llm_latency", description=__doc__)
    parser.add_argument("--questions", type=int, default=10, help="Questions timed per mode (default 10).")
    parser.add_argument("--llm-threads", type=int, help="CPU threads of the local model (default: the setting, 2).")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="assistant-bench-llm-"))
    ctx = Context(work=work, quick=False, docs=0, paragraph_docs=0, reingest_docs=0, sizes=[], vector_max=0,
                  vector_budget_s=0, server=False)
    try:
        result = run(ctx, args.questions, args.llm_threads) | {"started": time.strftime("%Y-%m-%d %H:%M:%S")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_json("llm_latency", result)
    table = markdown(result)
    (RESULTS / "llm_latency.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
