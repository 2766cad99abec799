"""Benchmark 3b: store-level dense query latency as a bare collection grows towards 1M random unit vectors.

Vectors (dim 384) go in, in batches, into a separate collection, embedded (PersistentClient) or on a
`chroma run` server; at each checkpoint the dense query latency (k=20), RSS (the client's and the server's),
the store folder's size on disk, the insert rate since the previous checkpoint and the load average are
recorded. Insertion stops at the target or when the time budget is spent, and the largest size reached is
reported as such. At the end, recall@20 of the HNSW index against exact search is measured on the queries.

`python -m bench.vectors --path /tmp/million/v --target 1000000 --budget 1500 [--server] [--batch N]
[--hnsw '{"sync_threshold": 100000}']` runs one measurement directly (results JSON on stdout and in --out).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import numpy as np

from .common import Context, run_worker

DIM = 384
CHECKPOINTS = sorted({10_000 * 2**i for i in range(7)} | {100_000 * i for i in range(1, 11)})
HNSW = {"space": "cosine", "ef_search": 64}  # the app's configuration (assistant/store.py)


def run(ctx: Context) -> dict:
    ctx.log(f"vectors: inserting up to {ctx.vector_max:,} random vectors, budget {ctx.vector_budget_s:.0f}s")
    result = run_worker("vectors", {"path": str(ctx.work / "vectors"), "target": ctx.vector_max,
                                    "budget_s": ctx.vector_budget_s, "queries": 30 if ctx.quick else 100},
                        timeout=ctx.vector_budget_s * 3 + 600)
    print_result(result)
    return result


def print_result(result: dict) -> None:
    print(f"\nStore-level dense query (k=20) on random unit vectors, dim {DIM}, {result.get('mode', 'embedded')}; "
          f"reached {result['reached']:,} of {result['target']:,} in {result['insert_seconds']:.0f}s "
          f"({result['reached'] / result['insert_seconds']:.0f} vectors/s insert)")
    print(f"{'vectors':>9} {'p50 ms':>7} {'p95 ms':>7} {'RSS MB':>7} {'srv MB':>7} {'disk MB':>8} {'vec/s':>6} load")
    for c in result["checkpoints"]:
        print(f"{c['size']:>9,} {c['p50_ms']:>7.2f} {c['p95_ms']:>7.2f} {c['rss_mb']:>7.0f} "
              f"{c.get('server_rss_mb') or 0:>7.0f} {c.get('disk_mb', 0):>8.0f} {c.get('rate', 0):>6.0f} "
              f"{c.get('loadavg_1m', 0):.2f}")
    if "recall_at_20" in result:
        print(f"recall@20 against exact search: {result['recall_at_20']:.3f} (ef_search {result['hnsw']['ef_search']})"
              + "".join(f"; ef_search {e['ef_search']}: {e['recall_at_20']:.3f}, p50 {e['p50_ms']:.2f} ms"
                        for e in result.get("ef_search_sweep", [])))


def disk_mb(path: Path) -> float:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(folder, name)).st_blocks * 512
    return total / 2**20


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def worker(args: dict) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from .common import percentiles, rss_mb

    settings = ChromaSettings(anonymized_telemetry=False)
    if "host" in args:
        client = chromadb.HttpClient(host=args["host"], port=args["port"], settings=settings)
    else:
        client = chromadb.PersistentClient(path=args["path"], settings=settings)
    hnsw = HNSW | args.get("hnsw", {})
    collection = client.get_or_create_collection("vectors", embedding_function=None, configuration={"hnsw": hnsw})
    batch = min(args.get("batch", 5000), client.get_max_batch_size())
    queries = _unit(np.random.default_rng(2), args["queries"])
    rng = np.random.default_rng(1)
    checkpoints = []
    inserted, spent, last = 0, 0.0, (0, 0.0)
    while inserted < args["target"] and spent < args["budget_s"]:
        vectors = _unit(rng, min(batch, args["target"] - inserted))
        began = time.perf_counter()
        collection.add(ids=[f"v{inserted + i}" for i in range(len(vectors))], embeddings=vectors)
        spent += time.perf_counter() - began
        inserted += len(vectors)
        if any(last[0] < c <= inserted for c in CHECKPOINTS) or inserted >= args["target"] \
                or spent >= args["budget_s"]:
            samples = []
            for q in queries:
                began = time.perf_counter()
                collection.query(query_embeddings=[q], n_results=20, include=["distances"])
                samples.append(time.perf_counter() - began)
            server_pid = args.get("server_pid")
            checkpoints.append({"size": inserted, "insert_seconds_so_far": spent,
                                "rate": (inserted - last[0]) / max(spent - last[1], 1e-9),
                                "rss_mb": rss_mb(os.getpid()) or 0,
                                "server_rss_mb": rss_mb(server_pid) if server_pid else None,
                                "disk_mb": disk_mb(Path(args["path"])), "loadavg_1m": os.getloadavg()[0],
                                "at": time.strftime("%H:%M:%S"), **percentiles(samples)})
            last = (inserted, spent)
            print(json.dumps({"checkpoint": checkpoints[-1]}, default=float), flush=True)
    result = {"mode": "server" if "host" in args else "embedded", "target": args["target"], "reached": inserted,
              "insert_seconds": spent, "budget_s": args["budget_s"], "batch": batch, "hnsw": hnsw,
              "checkpoints": checkpoints}
    if args.get("recall", True):
        result["recall_at_20"] = _recall(collection, queries, _exact(queries, inserted, batch))
    return result


def _exact(queries: np.ndarray, inserted: int, batch: int) -> np.ndarray:
    """Exact top-20 (cosine) of each query over the inserted vectors, regenerated from the same seed."""
    rng = np.random.default_rng(1)
    best_scores = np.full((len(queries), 20), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 20), dtype=np.int64)
    done = 0
    while done < inserted:
        vectors = _unit(rng, min(batch, inserted - done))
        scores = np.concatenate([best_scores, queries @ vectors.T], axis=1)
        ids = np.concatenate([best_ids, np.broadcast_to(np.arange(done, done + len(vectors)),
                                                        (len(queries), len(vectors)))], axis=1)
        top = np.argpartition(-scores, 19, axis=1)[:, :20]
        best_scores, best_ids = np.take_along_axis(scores, top, 1), np.take_along_axis(ids, top, 1)
        done += len(vectors)
    return best_ids


def _recall(collection, queries: np.ndarray, exact: np.ndarray) -> float:
    """Mean recall@20 of the index's answers against exact search."""
    found = collection.query(query_embeddings=queries, n_results=20, include=[])["ids"]
    return float(np.mean([len({f"v{i}" for i in want} & set(got)) / 20 for want, got in zip(exact, found,
                                                                                              strict=True)]))


def reopen(args: dict) -> dict:
    """A store `worker` filled, opened by a fresh process: open and first-query time (the index loads), query
    p50/p95 and recall@20 at ef_search 64 and, set on the collection before reopening, larger values (modify()
    does not change an index already loaded: it is read at load); then, last, `extra` more vectors inserted."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from .common import chroma_server, percentiles, rss_mb

    queries = _unit(np.random.default_rng(2), args["queries"])
    exact = None
    out: dict = {"mode": "server" if args.get("server") else "embedded", "runs": []}
    for ef in args.get("ef", [64]):
        with contextlib.ExitStack() as stack:
            began = time.perf_counter()
            if args.get("server"):
                host, port, pid = stack.enter_context(chroma_server(Path(args["path"])))
                client = chromadb.HttpClient(host=host, port=port,
                                             settings=ChromaSettings(anonymized_telemetry=False))
            else:
                pid = os.getpid()
                client = chromadb.PersistentClient(path=args["path"],
                                                   settings=ChromaSettings(anonymized_telemetry=False))
            collection = client.get_collection("vectors", embedding_function=None)
            open_s = time.perf_counter() - began
            began = time.perf_counter()
            collection.query(query_embeddings=[queries[0]], n_results=20, include=["distances"])
            first_s = time.perf_counter() - began
            size = collection.count()
            exact = exact if exact is not None else _exact(queries, size, args.get("batch", 5000))
            samples = []
            for q in queries:
                began = time.perf_counter()
                collection.query(query_embeddings=[q], n_results=20, include=["distances"])
                samples.append(time.perf_counter() - began)
            run = {"ef_search": collection.configuration_json["hnsw"]["ef_search"], "size": size, "open_s": open_s,
                   "first_query_s": first_s, "recall_at_20": _recall(collection, queries, exact),
                   "rss_mb": rss_mb(pid), "client_rss_mb": rss_mb(os.getpid()), "disk_mb": disk_mb(Path(args["path"])),
                   "loadavg_1m": os.getloadavg()[0], "at": time.strftime("%H:%M:%S"), **percentiles(samples)}
            if args.get("extra") and ef == args.get("ef", [64])[-1]:
                rng, inserted, spent = np.random.default_rng(3), 0, 0.0
                while inserted < args["extra"]:
                    vectors = _unit(rng, 5000)
                    began = time.perf_counter()
                    collection.add(ids=[f"x{inserted + i}" for i in range(len(vectors))], embeddings=vectors)
                    spent += time.perf_counter() - began
                    inserted += len(vectors)
                run["extra_insert_rate"] = inserted / spent
                run["extra_inserted"] = inserted
                run["rss_after_extra_mb"] = rss_mb(pid)  # the extra vectors stay: measure the last ef only
            next_ef = args.get("ef", [64])[(args.get("ef", [64]).index(ef) + 1) % len(args.get("ef", [64]))]
            collection.modify(configuration={"hnsw": {"ef_search": next_ef}})  # read at the next load
            out["runs"].append(run)
            print(json.dumps(run, default=float), flush=True)
    return out


def main() -> None:
    import argparse

    from .common import chroma_server

    parser = argparse.ArgumentParser(prog="python -m bench.vectors", description=__doc__)
    parser.add_argument("--path", required=True, help="Store folder (created; must not hold another collection).")
    parser.add_argument("--target", type=int, default=1_000_000)
    parser.add_argument("--budget", type=float, default=1500, help="Seconds of inserting before stopping.")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--batch", type=int, default=5000, help="Vectors per add() (capped at the max batch size).")
    parser.add_argument("--hnsw", default="{}", help="JSON overrides of the collection's hnsw configuration.")
    parser.add_argument("--server", action="store_true", help="Against `chroma run --path PATH` instead.")
    parser.add_argument("--no-recall", action="store_true")
    parser.add_argument("--reopen", action="store_true",
                        help="Open a store this filled (fresh process or server) and measure it, per --ef.")
    parser.add_argument("--ef", default="64", help="With --reopen: comma-separated ef_search values.")
    parser.add_argument("--extra", type=int, default=0, help="With --reopen: vectors to insert (then delete).")
    parser.add_argument("--out", help="Also write the result JSON here.")
    options = parser.parse_args()
    args = {"path": options.path, "target": options.target, "budget_s": options.budget, "queries": options.queries,
            "batch": options.batch, "hnsw": json.loads(options.hnsw), "recall": not options.no_recall}
    Path(options.path).mkdir(parents=True, exist_ok=True)
    if options.reopen:
        result = reopen(args | {"server": options.server, "ef": [int(x) for x in options.ef.split(",")],
                                "extra": options.extra})
        if options.out:
            Path(options.out).write_text(json.dumps(result, indent=2, default=float))
        return
    if options.server:
        with chroma_server(Path(options.path)) as (host, port, pid):
            result = worker(args | {"host": host, "port": port, "server_pid": pid})
    else:
        result = worker(args)
    result["loadavg_end"] = list(os.getloadavg())
    print_result(result)
    if options.out:
        Path(options.out).write_text(json.dumps(result, indent=2, default=float))


if __name__ == "__main__":
    main()
