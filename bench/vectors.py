"""Benchmark 3b: store-level dense query latency as a bare collection grows towards 1M random unit vectors.

Vectors (dim 384) go in, in batches, into a separate collection; at each checkpoint the
dense query latency is measured. Insertion stops at the target or when the time budget is
spent, and the largest size reached is reported as such.
"""

from __future__ import annotations

import time

import numpy as np

from .common import Context, run_worker


def run(ctx: Context) -> dict:
    ctx.log(f"vectors: inserting up to {ctx.vector_max:,} random vectors, budget {ctx.vector_budget_s:.0f}s")
    result = run_worker("vectors", {"path": str(ctx.work / "vectors"), "target": ctx.vector_max,
                                    "budget_s": ctx.vector_budget_s, "queries": 30 if ctx.quick else 100},
                        timeout=ctx.vector_budget_s * 3 + 600)
    print(f"\nStore-level dense query (k=20) on random unit vectors, dim 384; reached {result['reached']:,} "
          f"of {result['target']:,} in {result['insert_seconds']:.0f}s "
          f"({result['reached'] / result['insert_seconds']:.0f} vectors/s insert)")
    print(f"{'vectors':>9} {'p50 ms':>7} {'p95 ms':>7} {'RSS MB':>7}")
    for c in result["checkpoints"]:
        print(f"{c['size']:>9,} {c['p50_ms']:>7.2f} {c['p95_ms']:>7.2f} {c['rss_mb']:>7.0f}")
    return result


def worker(args: dict) -> dict:
    import os

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from .common import percentiles, rss_mb

    client = chromadb.PersistentClient(path=args["path"], settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("vectors", embedding_function=None,
                                                 configuration={"hnsw": {"space": "cosine", "ef_search": 64}})
    rng = np.random.default_rng(1)
    batch = min(5000, client.get_max_batch_size())
    checkpoints_at = [10_000 * 2**i for i in range(12)]
    checkpoints = []
    inserted, spent = 0, 0.0
    queries = rng.standard_normal((args["queries"], 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    while inserted < args["target"] and spent < args["budget_s"]:
        vectors = rng.standard_normal((batch, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        began = time.perf_counter()
        collection.add(ids=[f"v{inserted + i}" for i in range(batch)], embeddings=vectors)
        spent += time.perf_counter() - began
        inserted += batch
        if inserted in checkpoints_at or inserted >= args["target"] or spent >= args["budget_s"]:
            samples = []
            for q in queries:
                began = time.perf_counter()
                collection.query(query_embeddings=[q], n_results=20, include=["distances"])
                samples.append(time.perf_counter() - began)
            checkpoints.append({"size": inserted, "insert_seconds_so_far": spent, "rss_mb": rss_mb(os.getpid()) or 0,
                                **percentiles(samples)})
    return {"target": args["target"], "reached": inserted, "insert_seconds": spent, "budget_s": args["budget_s"],
            "checkpoints": checkpoints}
