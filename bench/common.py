"""Shared helpers: environment, timing, percentiles, RSS, worker subprocesses, a `chroma run` server."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant import offline

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
OFFLINE_ENV = offline.ENVIRONMENT  # what worker subprocesses are started with


@dataclass
class Context:
    """Parameters and shared state handed to every benchmark."""

    work: Path
    quick: bool
    docs: int
    paragraph_docs: int
    reingest_docs: int
    sizes: list[int]
    vector_max: int
    vector_budget_s: float
    server: bool
    shared: dict = field(default_factory=dict)

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/mean in milliseconds."""
    if not samples_s:
        return {"p50_ms": float("nan"), "p95_ms": float("nan"), "mean_ms": float("nan"), "n": 0}
    ms = np.array(samples_s) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "mean_ms": float(ms.mean()), "n": len(ms)}


def peak_rss_mb() -> float:
    """Peak resident set size of this process image.

    VmHWM, not getrusage: Linux carries ru_maxrss over fork+exec, so a worker started by a big
    parent would report the parent's peak.
    """
    with contextlib.suppress(OSError, StopIteration, ValueError):
        line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int) -> float | None:
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:  # psutil missing or the process is gone
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return None


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    flags = ""
    with contextlib.suppress(OSError):
        flags_line = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
        flags = " ".join(f for f in flags_line.split() if f.startswith(("avx", "fma", "amx")) or "vnni" in f)
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    import torch

    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "simd": flags,
            "ram_gib": round(mem_gib, 1), "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "loadavg_at_start": [round(x, 2) for x in load]}


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def run_worker(task: str, args: dict, timeout: float = 3600, env: dict | None = None) -> dict:
    """Run `python -m bench.worker TASK` in a fresh process (so its peak RSS is its own); return its JSON."""
    completed = subprocess.run([sys.executable, "-m", "bench.worker", task, json.dumps(args)], cwd=REPO,
                               capture_output=True, text=True, timeout=timeout,
                               env={**os.environ, **OFFLINE_ENV, **(env or {})})
    if completed.returncode != 0:
        raise RuntimeError(f"worker {task} failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[tuple[str, int, int]]:
    """`chroma run --path PATH` on a loopback port (a free one unless given); yields (host, port, pid)."""
    binary = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if not binary:
        raise RuntimeError("the `chroma` command (from chromadb) is not installed")
    port = port or free_port()
    log = open(path.parent / f"chroma-{port}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma server did not start; see {log.name}") from None
                time.sleep(0.2)
        yield "127.0.0.1", port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
