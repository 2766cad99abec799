"""Benchmark 4: cold start, process start to printed answer, as a user runs it: `assistant ask "..."`.

Measured on the bundled corpus (sources/) with each embedder backend (each with its own index),
with a breakdown of one cold process's phases and the top import costs (`python -X importtime`).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from assistant import Assistant, Settings

from .common import OFFLINE_ENV, REPO, Context

BACKENDS = ("torch", "onnx", "onnx-int8")
QUESTION = "Why was Yitu listed?"

PHASES = r"""
import time, sys
t0 = time.perf_counter()
from assistant import Assistant, Settings
from assistant.cli import format_answer
t1 = time.perf_counter()
bot = Assistant(Settings())
bot.store.exists()
t2 = time.perf_counter()
bot.embedder.warm_up()
t3 = time.perf_counter()
bot.retriever.snapshot()
t4 = time.perf_counter()
format_answer(bot.ask(sys.argv[1]))
t5 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f} {t5 - t4:.3f}")
"""
PHASE_NAMES = ["imports", "open_store", "model_load", "snapshot", "first_ask"]


def run(ctx: Context) -> dict:
    cli = Path(sys.executable).parent / "assistant"
    rows = []
    repeats = 1 if ctx.quick else 5
    for backend in BACKENDS:
        folder = ctx.work / f"cold-{backend}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(REPO / "sources", folder / "sources")
        settings = Settings(sources_dir=folder / "sources", index_dir=folder / "index", embedder=backend)
        Assistant(settings).ingest()
        env = {**os.environ, **OFFLINE_ENV, "ASSISTANT_SOURCES_DIR": str(settings.sources_dir),
               "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_EMBEDDER": backend}
        samples, cpu, loads = [], [], []
        for _ in range(repeats):
            loads.append(os.getloadavg()[0])
            used = _children_cpu()
            began = time.perf_counter()
            done = subprocess.run([str(cli), "ask", QUESTION], env=env, capture_output=True, text=True, timeout=300)
            samples.append(time.perf_counter() - began)
            cpu.append(_children_cpu() - used)
            if done.returncode != 0:
                raise RuntimeError(f"assistant ask failed: {done.stderr[-2000:]}")
        phases = subprocess.run([sys.executable, "-c", PHASES, QUESTION], env=env, capture_output=True, text=True,
                                timeout=300, cwd=REPO)
        values = [float(x) for x in phases.stdout.split()[-len(PHASE_NAMES):]] if phases.returncode == 0 else []
        imports = subprocess.run([str(cli), "ask", QUESTION], env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
                                 capture_output=True, text=True, timeout=300)
        rows.append({"backend": backend, "target": "bundled corpus (2 docs)", "question": QUESTION,
                     "seconds": samples, "best_s": min(samples), "median_s": sorted(samples)[len(samples) // 2],
                     "cpu_seconds": cpu, "median_cpu_s": sorted(cpu)[len(cpu) // 2],
                     "loadavg_1m": loads, "phases_s": dict(zip(PHASE_NAMES, values, strict=False)),
                     "top_imports_s": top_imports(imports.stderr), "answer_head": done.stdout[:160]})
    print("\nCold start: `assistant ask` process start to printed answer (goal <= 3 s)")
    for r in rows:
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in r["phases_s"].items())
        print(f"{r['backend']:<10} median {r['median_s']:.2f}s best {r['best_s']:.2f}s, CPU {r['median_cpu_s']:.2f}s, "
              f"load {r['loadavg_1m']}  [{phases}]")
        print("   top imports: " + ", ".join(f"{k} {v:.2f}s" for k, v in r["top_imports_s"].items()))
    return {"rows": rows}


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children: a cost the machine's load barely changes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def top_imports(importtime: str, n: int = 8) -> dict[str, float]:
    """Self time of every module summed per top-level package, the costliest first (from `-X importtime`)."""
    spent: dict[str, int] = defaultdict(int)
    for match in re.finditer(r"import time:\s+(\d+) \|\s+\d+ \|\s*([\w.]+)", importtime):
        spent[match[2].split(".")[0]] += int(match[1])
    return {name: us / 1e6 for name, us in sorted(spent.items(), key=lambda kv: -kv[1])[:n]}
