"""`python -m bench.load`: many `gradio_client` clients asking questions with known answers while an upload is
indexed, against one app or two app processes sharing a `chroma run` server. Loopback only, bounded in count.

Each question's known answer is what the app says to it alone, before the load (the gold facts of
the news corpus must be in it); under load every reply must be that same text with the same
citations (no cross-talk between clients), or the one it gives once the upload is indexed.
Prints p50/p95/max latency and the error count; exits 1 on any error or wrong answer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import httpx
import numpy as np

from .common import OFFLINE_ENV, REPO, chroma_server, free_port

GOLD = REPO / "evals" / "corpora" / "news" / "gold.jsonl"
UPLOAD_TEXT = "\n\n".join(
    f"Report {n}: the Quillfeather foundry in Brindlemoor cast {n + 3} hydrofoil hulls from pressed kelp in week {n}."
    for n in range(400)
)


@dataclass(frozen=True)
class KnownQuestion:
    question: str
    facts: tuple[tuple[str, ...], ...]
    answers: frozenset[str]  # the canonical JSON of every acceptable reply


@dataclass
class LoadResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)  # (question, canonical reply)
    asked_while_indexing: int = 0

    def wrong(self, known: list[KnownQuestion]) -> list[str]:
        """Replies that are not an acceptable answer to the question that was asked."""
        accepted = {k.question: k.answers for k in known}
        return [f"{q}: {json.loads(r)['text'][:120]}" for q, r in self.replies if r not in accepted[q]]

    def summary(self, known: list[KnownQuestion]) -> dict[str, float | int]:
        ms = np.array(self.latencies_s or [float("nan")]) * 1000
        return {"questions": len(self.latencies_s) + len(self.errors), "answered": len(self.latencies_s),
                "errors": len(self.errors), "wrong": len(self.wrong(known)),
                "while_indexing": self.asked_while_indexing,
                "p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
                "max_ms": round(float(ms.max()), 1)}


def canonical(reply: dict) -> str:
    return json.dumps(reply, sort_keys=True, ensure_ascii=False)


def gold_questions(count: int) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """The first `count` answerable news gold questions without history: (question, facts)."""
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = [(i["question"], tuple(tuple(f) for f in i["facts"])) for i in items
              if i["answerable"] and not i["history"] and i["facts"]]
    return chosen[:count]


def known_answers(url: str, questions: list[tuple[str, tuple[tuple[str, ...], ...]]]) -> list[KnownQuestion]:
    """Each question's reply when asked alone; kept only when it holds every gold fact (the answer is right)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    known = []
    for question, facts in questions:
        reply = client.predict(question, api_name="/ask")
        text = reply["text"].lower()
        if not reply["refused"] and all(any(alt.lower() in text for alt in fact) for fact in facts):
            known.append(KnownQuestion(question, facts, frozenset({canonical(reply)})))
    return known


def upload_through_ui(url: str, path: Path, timeout: float = 1800) -> dict:
    """Upload a file the way the browser does (upload route, then the upload event on the queue); the final
    queue message. The upload event is private to the page, so gradio_client cannot call it."""
    base = url.rstrip("/") + "/gradio_api"
    with httpx.Client(timeout=timeout) as http:
        config = http.get(url.rstrip("/") + "/config").json()
        fn_index, trigger = next((n, target) for n, dep in enumerate(config["dependencies"])
                                 for target, event in dep["targets"] if event == "upload")
        stored = http.post(base + "/upload", files={"files": (path.name, path.read_bytes())}).json()[0]
        session = uuid.uuid4().hex
        http.post(base + "/queue/join", json={
            "data": [[{"path": stored, "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}]],
            "event_data": None, "fn_index": fn_index, "trigger_id": trigger, "session_hash": session,
        }).raise_for_status()
        with http.stream("GET", base + "/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise RuntimeError("the upload event never completed")


def ask_under_load(urls: list[str], known: list[KnownQuestion], clients: int, per_client: int,
                   indexing: Callable[[], bool] = lambda: False, timeout: float = 120) -> LoadResult:
    """`clients` gradio_client clients (spread over `urls`), each asking `per_client` known questions in turn; a
    reply that takes longer than `timeout` seconds counts as an error."""
    from gradio_client import Client

    result = LoadResult()
    lock = threading.Lock()

    def client_run(number: int) -> None:
        client = Client(urls[number % len(urls)], verbose=False)
        for turn in range(per_client):
            item = known[(number + turn) % len(known)]
            began = time.perf_counter()
            try:
                reply = client.submit(item.question, api_name="/ask").result(timeout=timeout)
            except Exception as error:  # every failure is counted and reported, never hidden
                with lock:
                    result.errors.append(f"{item.question}: {type(error).__name__}: {error}")
                continue
            elapsed = time.perf_counter() - began
            during = indexing()
            with lock:
                result.latencies_s.append(elapsed)
                result.asked_while_indexing += during
                result.replies.append((item.question, canonical(reply)))

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client_run, range(clients)))
    return result


@contextmanager
def app_processes(count: int, sources: Path, index: Path, chroma: tuple[str, int] | None) -> Iterator[list[str]]:
    """`count` separate `assistant ui` processes on loopback: on the embedded index, or all on one Chroma server."""
    env = {**os.environ, **OFFLINE_ENV, "PYTHONPATH": str(REPO), "ASSISTANT_SOURCES_DIR": str(sources),
           "ASSISTANT_INDEX_DIR": str(index)}
    env = {k: v for k, v in env.items() if not k.startswith("ASSISTANT_CHROMA_")}
    if chroma:
        env |= {"ASSISTANT_CHROMA_HOST": chroma[0], "ASSISTANT_CHROMA_PORT": str(chroma[1])}
    ports = [free_port() for _ in range(count)]
    processes = []
    urls = [f"http://127.0.0.1:{port}/" for port in ports]
    try:
        for n, (port, url) in enumerate(zip(ports, urls, strict=True)):  # the first indexes, the others only serve
            processes.append(subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--host", "127.0.0.1", "--port",
                                               str(port), *(["--no-ingest"] if n else [])], env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            _wait_for(url, processes[-1])
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


def _wait_for(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == HTTPStatus.OK:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"the app at {url} did not start")
        time.sleep(0.5)


def run(urls: list[str], work: Path, clients: int, per_client: int, questions: int) -> dict:
    known = known_answers(urls[0], gold_questions(questions))
    upload = work / "quillfeather-foundry.txt"
    upload.write_text(UPLOAD_TEXT, encoding="utf-8")
    done = threading.Event()
    outcome: dict = {}

    def uploading() -> None:
        outcome["upload"] = upload_through_ui(urls[-1], upload)
        done.set()

    uploader = threading.Thread(target=uploading)
    uploader.start()
    time.sleep(1.0)  # let the upload reach the indexer first: the questions are meant to run alongside it
    result = ask_under_load(urls, known, clients, per_client, indexing=lambda: not done.is_set())
    uploader.join()
    after = {k.question: k.answers for k in known_answers(urls[0], [(k.question, k.facts) for k in known])}
    known = [KnownQuestion(k.question, k.facts, k.answers | after.get(k.question, frozenset())) for k in known]
    final = ask_under_load(urls, known, 1, len(known))  # a normal client is still answered right afterwards
    summary = result.summary(known)
    summary["upload_ok"] = bool(outcome.get("upload", {}).get("success"))
    summary["known_questions"] = len(known)
    summary["after_load_errors"] = len(final.errors) + len(final.wrong(known))
    return {"summary": summary, "errors": result.errors[:5], "wrong": result.wrong(known)[:5]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions-per-client", type=int, default=10)
    parser.add_argument("--known", type=int, default=10, help="Distinct gold questions to draw from.")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="assistant-load-"))
    failed = False
    try:
        shutil.copytree(REPO / "sources", work / "sources")
        with chroma_server(work / "chroma") as (host, port, _):
            for label, count, chroma in (("one app, embedded index", 1, None),
                                         ("two apps, one chroma run server", 2, (host, port))):
                for stale in (work / "sources").glob("quillfeather-foundry*.txt"):
                    stale.unlink()
                with app_processes(count, work / "sources", work / "index", chroma) as urls:
                    report = run(urls, work, args.clients, args.questions_per_client, args.known)
                print(f"{label}: {json.dumps(report['summary'])}", flush=True)
                for line in report["errors"] + report["wrong"]:
                    print(f"  {line}")
                summary = report["summary"]
                failed |= bool(summary["errors"] or summary["wrong"] or summary["after_load_errors"]
                               or not summary["upload_ok"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
