"""Benchmark 4: cold start, process start to first answer, as a user runs it: `assistant ask "..."`.

Measured against the bundled corpus (sources/) and against the ingestion sample's index, with
a breakdown of the phases of one cold process (imports, model load, snapshot, answer).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from assistant import Assistant, Settings

from .common import OFFLINE_ENV, REPO, Context

PHASES = r"""
import time, sys
t0 = time.perf_counter()
from assistant import Assistant, Settings
t1 = time.perf_counter()
bot = Assistant(Settings())
bot.embedder.embed("x")
t2 = time.perf_counter()
bot.retriever.snapshot()
t3 = time.perf_counter()
bot.ask(sys.argv[1])
t4 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f}")
"""


def run(ctx: Context) -> dict:
    cli = Path(sys.executable).parent / "assistant"
    bundled = ctx.work / "cold-bundled"
    shutil.rmtree(bundled, ignore_errors=True)
    shutil.copytree(REPO / "sources", bundled / "sources")
    Assistant(Settings(sources_dir=bundled / "sources", index_dir=bundled / "index"),
              embedder=ctx.shared["torch_embedder"]).ingest()
    targets = [("bundled corpus (2 docs)", bundled / "sources", bundled / "index", "Why was Yitu listed?")]
    if ctx.shared.get("ours_indexes"):
        sample_index = ctx.shared["ours_indexes"][0]
        targets.append((f"python docs sample ({Assistant(Settings(index_dir=sample_index)).store.count()} chunks)",
                        ctx.shared["sample_dir"], sample_index, "How do I create a virtual environment?"))
    rows = []
    repeats = 1 if ctx.quick else 3
    if ctx.quick:
        targets = targets[:1]
    for label, sources, index, question in targets:
        env = {**os.environ, **OFFLINE_ENV, "ASSISTANT_SOURCES_DIR": str(sources), "ASSISTANT_INDEX_DIR": str(index)}
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            done = subprocess.run([str(cli), "ask", question], env=env, capture_output=True, text=True, timeout=300)
            samples.append(time.perf_counter() - began)
            if done.returncode != 0:
                raise RuntimeError(f"assistant ask failed: {done.stderr[-2000:]}")
        phases = subprocess.run([sys.executable, "-c", PHASES, question], env=env, capture_output=True, text=True,
                                timeout=300, cwd=REPO)
        names = ["imports", "model_load", "snapshot", "first_ask"]
        values = [float(x) for x in phases.stdout.split()[-4:]] if phases.returncode == 0 else []
        row = {"target": label, "question": question, "seconds": samples, "best_s": min(samples),
               "median_s": sorted(samples)[len(samples) // 2], "phases_s": dict(zip(names, values, strict=False)),
               "answer_head": done.stdout[:160]}
        kept = ctx.shared.get("kept_backend")
        if kept:  # what the same command would cost with the ONNX backend (no torch import on the query path)
            onnx_samples = []
            for _ in range(repeats):
                began = time.perf_counter()
                done = subprocess.run([str(cli), "ask", question], capture_output=True, text=True, timeout=300,
                                      env={**env, "ASSISTANT_EMBEDDER": "onnx" if kept == "onnx-fp32" else kept,
                                           "ASSISTANT_MODEL_CACHE_DIR": str(ctx.onnx_cache)})
                onnx_samples.append(time.perf_counter() - began)
                if done.returncode != 0:
                    raise RuntimeError(f"onnx ask failed: {done.stderr[-2000:]}")
            row["onnx_backend"] = kept
            row["onnx_median_s"] = sorted(onnx_samples)[len(onnx_samples) // 2]
        rows.append(row)
    print("\nCold start: `assistant ask` process start to printed answer (goal <= 5 s)")
    for r in rows:
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in r["phases_s"].items())
        print(f"{r['target']:<40} median {r['median_s']:.2f}s best {r['best_s']:.2f}s  [{phases}]")
        if "onnx_median_s" in r:
            print(f"{'  same with ' + r['onnx_backend'] + ' embedder':<40} median {r['onnx_median_s']:.2f}s")
    return {"rows": rows}
