"""`python -m bench [--quick]`: run every benchmark, print tables, write results JSON, latest.md and the chart."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import traceback
from pathlib import Path

from . import coldstart, embed, flops, ingestion, llm_latency, query, reingest, report, vectors
from .common import Context, machine, write_json

ORDER = ["embed", "ingestion_docs", "ingestion", "ingestion_paragraphs", "reingest", "query", "vectors", "coldstart",
         "flops"]
OPTIONAL = ["llm_latency"]  # run only when `--only` names them (the local model takes both cores for minutes)
MODULES = {"llm_latency": llm_latency,
           "embed": embed, "ingestion_docs": ingestion, "ingestion": ingestion, "ingestion_paragraphs": ingestion,
           "reingest": reingest, "query": query, "vectors": vectors, "coldstart": coldstart, "flops": flops}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="A ~2-3 minute smoke run with small sizes.")
    parser.add_argument("--docs", type=int, help="Docs in the ingestion sample (default 40; quick 8).")
    parser.add_argument("--paragraph-docs", type=int,
                        help="Docs for the unwrapped-paragraphs ingestion run (default 12; quick 3).")
    parser.add_argument("--reingest-docs", type=int, help="Docs for the unchanged re-ingest (default 500; quick 40).")
    parser.add_argument("--sizes", help="Comma-separated corpus sizes in chunks (default 1000,10000,100000).")
    parser.add_argument("--vectors", type=int, help="Target size of the random-vector collection (default 1000000).")
    parser.add_argument("--vector-budget", type=float, help="Seconds of inserting before stopping (default 270).")
    parser.add_argument("--no-server", action="store_true", help="Skip the `chroma run` server measurements.")
    parser.add_argument("--only", help=f"Comma-separated subset of: {','.join(ORDER)}; "
                        f"optional, only when named: {','.join(OPTIONAL)}.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary work folder.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    quick = args.quick
    ctx = Context(
        work=Path(tempfile.mkdtemp(prefix="assistant-bench-")), quick=quick,
        docs=args.docs or (8 if quick else 40), paragraph_docs=args.paragraph_docs or (3 if quick else 12),
        reingest_docs=args.reingest_docs or (40 if quick else 500),
        sizes=([int(s) for s in args.sizes.split(",")] if args.sizes
               else ([1000, 5000] if quick else [1000, 10_000, 100_000])),
        vector_max=args.vectors or (100_000 if quick else 1_000_000),
        vector_budget_s=args.vector_budget or (10 if quick else 270), server=not args.no_server)
    selected = [name for name in ORDER if not args.only or name in args.only.split(",")]
    selected += [name for name in OPTIONAL if args.only and name in args.only.split(",")]
    began = time.perf_counter()
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "mode": "quick" if quick else "full",
                     "machine": machine(), "parameters": {"docs": ctx.docs, "reingest_docs": ctx.reingest_docs,
                                                         "paragraph_docs": ctx.paragraph_docs, "sizes": ctx.sizes,
                                                         "vectors": ctx.vector_max,
                                                         "vector_budget_s": ctx.vector_budget_s}}
    ctx.shared["results"] = results
    ctx.log(f"work folder {ctx.work}; machine {results['machine']}")
    try:
        if set(selected) - set(OPTIONAL):
            ingestion.prepare(ctx)
        for name in selected:
            if name == "query" and "ours_indexes" not in ctx.shared:
                ctx.log("query needs the ingestion benchmark's index: running ingestion first")
                results["ingestion"] = ingestion.run(ctx)
            ctx.log(f"== {name}")
            try:
                runner = {"ingestion_paragraphs": ingestion.run_paragraphs,
                          "ingestion_docs": ingestion.run_docs}.get(name, MODULES[name].run)
                results[name] = runner(ctx)
                write_json(name, results[name])
            except Exception:  # one failing benchmark must not lose the others' results
                results.setdefault("errors", {})[name] = traceback.format_exc()
                traceback.print_exc()
    finally:
        results["elapsed_s"] = time.perf_counter() - began
        write_json("run", results | {"machine": results["machine"]})
        report.write(results)
        ctx.log(f"done in {results['elapsed_s']:.0f}s: bench/results/latest.md, docs/latency-vs-size.png")
        if not args.keep:
            shutil.rmtree(ctx.work, ignore_errors=True)


if __name__ == "__main__":
    main()
