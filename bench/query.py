"""Benchmark 3: query latency (retrieval only and full answer) at growing corpus sizes, embedded and server.

Sizes past the real chunks are filled with replicas of whole real documents: the same texts,
real embeddings with small random perturbations, consistent metadata (source, title,
publication, start, end, doc_hash, chunk_count) so the collection stays a valid index.
Each measurement runs in a fresh worker process, so its peak RSS is its own.
"""

from __future__ import annotations

import json
import shutil
import time

import numpy as np

from .common import Context, chroma_server, rss_mb, run_worker

QUESTIONS = [
    "How do I create a virtual environment?", "What does the with statement do?",
    "How are exceptions chained?", "What is a generator expression?", "How do I read a file line by line?",
    "What is the difference between a list and a tuple?", "How does garbage collection work?",
    "What is the global interpreter lock?", "How do I format a string with f-strings?",
    "What does the yield keyword do?", "How can I define a class method?", "What is a context manager?",
    "How do I sort a dictionary by value?", "What are keyword-only arguments?", "How do I install a package?",
    "What is the purpose of __init__.py?", "How do decorators work?", "What is a coroutine?",
    "How do I handle a KeyboardInterrupt?", "What does the pass statement do?", "How are floats represented?",
    "What is the difference between is and ==?", "How do I profile my code?", "What is a namespace?",
    "How do I write a unit test?", "What does super() do?", "How can I run a subprocess?",
    "What are the rules for local and global variables?", "How is memory managed for objects?",
    "What does the lambda keyword create?", "How do I compare two floating point numbers?",
    "What is a module search path?", "How do I create a thread?", "What is a frozen set?",
    "How do I convert a string to a number?", "What does the walrus operator do?", "How are imports resolved?",
    "What is the descriptor protocol?", "How do I parse command line arguments?", "What are type hints?",
    "How do I copy an object?", "What is the purpose of the finally clause?",
]


def save_base(ctx: Context) -> tuple[str, int]:
    """Real chunks with their real vectors, read back from the ingestion benchmark's own indexes."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    ids, vectors, texts, metas = [], [], [], []
    for path in ctx.shared["ours_indexes"]:
        client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        page = client.get_collection("chunks", embedding_function=None).get(
            include=["embeddings", "documents", "metadatas"])
        ids += page["ids"]
        vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
        texts += page["documents"]
        metas += page["metadatas"]
    base = ctx.work / "base"
    base.mkdir(exist_ok=True)
    np.save(base / "vectors.npy", np.concatenate(vectors))
    (base / "records.json").write_text(json.dumps({"ids": ids, "texts": texts, "metas": metas}))
    return str(base), len(ids)


def run(ctx: Context) -> dict:
    base, real = save_base(ctx)
    sources = str(ctx.shared["sample_dir"])
    rows = []
    for size in ctx.sizes:
        index = ctx.work / f"query-{size}"
        shutil.rmtree(index, ignore_errors=True)
        ctx.log(f"query: building {size}-chunk index ({min(size, real)} real)")
        built = run_worker("build_index", {"base": base, "index": str(index), "size": size})
        common = {"questions": QUESTIONS[: 12 if ctx.quick else len(QUESTIONS)], "sources": sources}
        ctx.log(f"query: measuring {size} chunks, embedded")
        embedded = run_worker("measure", {**common, "index": str(index)})
        rows.append({"size": built["count"], "real_chunks": min(size, real), "mode": "embedded",
                     "build_seconds": built["seconds"], **embedded})
        if ctx.server:
            with chroma_server(index) as (host, port, pid):
                ctx.log(f"query: measuring {size} chunks, chroma server on port {port}")
                served = run_worker("measure", {**common, "host": host, "port": port})
                served["server_rss_mb"] = rss_mb(pid)
            rows.append({"size": built["count"], "real_chunks": min(size, real), "mode": "server", **served})
    result = {"real_chunks": real, "rows": rows}
    _print(result)
    return result


def _print(result: dict) -> None:
    print(f"\nQuery latency (ms); real chunks {result['real_chunks']}, the rest replicas")
    print(f"{'chunks':>8} {'mode':<9} {'retr p50':>8} {'retr p95':>8} {'ask p50':>8} {'ask p95':>8} "
          f"{'ask rpt p50':>11} {'snapshot s':>10} {'1st ask s':>9} {'RSS MB':>7} {'srv MB':>7}")
    for r in result["rows"]:
        print(f"{r['size']:>8} {r['mode']:<9} {r['retrieve']['p50_ms']:>8.1f} {r['retrieve']['p95_ms']:>8.1f} "
              f"{r['ask']['p50_ms']:>8.1f} {r['ask']['p95_ms']:>8.1f} {r['ask_repeat']['p50_ms']:>11.1f} "
              f"{r['snapshot_rebuild_s']:>10.2f} {r['first_ask_after_change_s']:>9.2f} {r['peak_rss_mb']:>7.0f} "
              f"{(r.get('server_rss_mb') or 0):>7.0f}")


# ---- worker side (run in a fresh process by bench.worker) ----

def build_index(args: dict) -> dict:
    from pathlib import Path

    from assistant import Settings
    from assistant.embedding import make_embedder
    from assistant.ingest import index_fingerprint
    from assistant.store import ChunkStore

    base = Path(args["base"])
    vectors = np.load(base / "vectors.npy")
    records = json.loads((base / "records.json").read_text())
    by_source: dict[str, list[int]] = {}
    for n, meta in enumerate(records["metas"]):
        by_source.setdefault(meta["source"], []).append(n)
    size = args["size"]
    rng = np.random.default_rng(7)
    settings = Settings(index_dir=Path(args["index"]))
    store = ChunkStore(settings)
    began = time.perf_counter()
    buffer: tuple[list, list, list, list] = ([], [], [], [])
    total = 0
    replica = 0
    while total < size:
        for source, rows in by_source.items():
            if total >= size:
                break
            for n in rows:
                meta = dict(records["metas"][n])
                vector = vectors[n]
                chunk_id = records["ids"][n]
                if replica:
                    meta["source"] = f"replica-{replica:04d}/{source}"
                    meta["title"] = f"{meta.get('title', '')} (replica {replica})"
                    vector = vector + rng.normal(0, 0.02, vector.shape).astype(np.float32)
                    vector /= np.linalg.norm(vector)
                    chunk_id = f"{chunk_id[:24]}r{replica:07d}"
                buffer[0].append(chunk_id)
                buffer[1].append(vector)
                buffer[2].append(records["texts"][n])
                buffer[3].append(meta)
            total += len(rows)
            if len(buffer[0]) >= 5000:  # noqa: PLR2004 - rows per bulk upsert, only here
                store.upsert(buffer[0], np.stack(buffer[1]), buffer[2], buffer[3])
                buffer = ([], [], [], [])
        replica += 1
    if buffer[0]:
        store.upsert(buffer[0], np.stack(buffer[1]), buffer[2], buffer[3])
    # Stamped as the default settings would build it (the vectors are the default embedder's), so `ask` accepts it.
    store.bump_revision(index_fingerprint(settings, make_embedder(settings)))
    return {"count": store.count(), "seconds": time.perf_counter() - began}


def measure(args: dict) -> dict:
    import os
    from pathlib import Path

    from assistant import Assistant, Settings

    from .common import peak_rss_mb, percentiles

    if "host" in args:
        settings = Settings(sources_dir=Path(args["sources"]), chroma_host=args["host"], chroma_port=args["port"])
    else:
        settings = Settings(sources_dir=Path(args["sources"]), index_dir=Path(args["index"]))
    bot = Assistant(settings)
    began = time.perf_counter()
    bot.embedder.embed("warm up the model")
    model_s = time.perf_counter() - began
    began = time.perf_counter()
    bot.retriever.snapshot()
    snapshot_s = time.perf_counter() - began
    questions = args["questions"]
    for q in ("What is Python?", "How do I open a file?", "What is a list comprehension?"):
        bot.ask(q)  # warm-up on questions outside the measured set
    vectors = [bot.embedder.embed(q) for q in questions]
    retrieve, embed_q, ask, repeat = [], [], [], []
    for q, v in zip(questions, vectors, strict=True):
        began = time.perf_counter()
        bot.retriever.retrieve(q, v, bot.retriever.snapshot())
        retrieve.append(time.perf_counter() - began)
    for q in questions:
        began = time.perf_counter()
        bot.embedder.embed(q + " ")
        embed_q.append(time.perf_counter() - began)
    for q in questions:  # fresh questions: their answer sentences are not in the sentence cache yet
        began = time.perf_counter()
        bot.ask(q)
        ask.append(time.perf_counter() - began)
    for q in questions:  # the same questions again: a warm cache, as for a repeated or popular question
        began = time.perf_counter()
        bot.ask(q)
        repeat.append(time.perf_counter() - began)
    # What an ingest elsewhere does: the BM25 snapshot is rebuilt in the background, questions keep the previous one.
    from assistant.ingest import index_fingerprint

    bot.store.bump_revision(index_fingerprint(bot.settings, bot.embedder))
    began = time.perf_counter()
    bot.ask(questions[0])
    first_after_change = time.perf_counter() - began
    during = []
    for q in questions[1:6]:  # more questions while the rebuild runs (they share the two cores with it)
        start = time.perf_counter()
        bot.ask(q)
        during.append(time.perf_counter() - start)
    bot.retriever.wait_for_rebuild()
    rebuilt_after = time.perf_counter() - began
    return {"model_load_s": model_s, "snapshot_rebuild_s": snapshot_s, "first_ask_after_change_s": first_after_change,
            "ask_during_rebuild": percentiles(during), "background_rebuild_s": rebuilt_after,
            "retrieve": percentiles(retrieve), "embed_query": percentiles(embed_q), "ask": percentiles(ask),
            "ask_repeat": percentiles(repeat), "peak_rss_mb": peak_rss_mb(), "loadavg_1m": os.getloadavg()[0]}
