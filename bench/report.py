"""The summary: bench/results/latest.md (committed) and docs/latency-vs-size.png."""

from __future__ import annotations

import math
from pathlib import Path

from .common import REPO, RESULTS

CHART = REPO / "docs" / "latency-vs-size.png"


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def _goal(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def goal_rows(results: dict) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for key in ("ingestion_docs", "ingestion", "ingestion_paragraphs"):
        ing = results.get(key)
        if not ing:
            continue
        what = f"{ing['corpus']}, ~{ing['tokens_per_chunk_mean']:.0f} word pieces/chunk"
        for backend, r in ing["ratio_ours_vs_raw"].items():
            rows.append((f"Ingestion / raw encode, {backend} ({what})", _fmt(r, 3), ">= 0.95x", _goal(r >= 0.95)))
        for backend, r in ing["ratio_ours_vs_llama"].items():
            rows.append((f"Ingestion with {backend} / llama-index default, torch ({what})", _fmt(r), ">= 2x",
                         _goal(r >= 2)))
    emb = results.get("embed")
    if emb:
        for name, v in emb["verdicts"].items():
            rows.append((f"Encode {name} (bs {v['best_batch_size']}) / torch fp32 (bs {emb['torch_best_batch_size']}), "
                         f"mean cosine {v['mean_cosine']:.4f}", _fmt(v["speedup_vs_torch"]),
                         ">= 2.5x and cos >= 0.99", _goal(v["speedup_vs_torch"] >= 2.5 and v["agrees"])))
    re = results.get("reingest")
    if re:
        rows.append((f"Unchanged re-ingest, {re['docs']} docs / {re['chunks']} chunks (s)", _fmt(re["seconds_best"]),
                     "<= 3 s", _goal(re["seconds_best"] <= 3)))
        rows.append(("Chunks embedded on unchanged re-ingest", str(re["chunks_embedded"]), "0",
                     _goal(re["chunks_embedded"] == 0)))
    q = results.get("query")
    if q:
        for row in q["rows"]:
            if row["size"] >= 90_000:
                after = row["first_ask_after_change_s"]
                rows.append((f"First question after an ingest at {row['size']:,} chunks, {row['mode']} (s; the "
                             f"background rebuild took {row.get('background_rebuild_s', float('nan')):.1f} s)",
                             _fmt(after), "<= 1 s", _goal(after <= 1)))
                p = row["retrieve"]["p50_ms"]
                rows.append((f"Retrieval p50 at {row['size']:,} chunks, {row['mode']} (ms)", _fmt(p, 1), "<= 20 ms",
                             _goal(p <= 20)))
            if 9_000 <= row["size"] <= 11_000:
                p = row["ask"]["p50_ms"]
                rows.append((f"Full answer p50 at {row['size']:,} chunks, {row['mode']}, warm (ms)", _fmt(p, 1),
                             "<= 150 ms", _goal(p <= 150)))
    cold = results.get("coldstart")
    if cold:
        for row in cold["rows"]:
            load = ", ".join(f"{x:.1f}" for x in row.get("loadavg_1m", []))
            rows.append((f"Cold start `assistant ask`, {row['target']}, {row['backend']} (s, median; CPU "
                         f"{_fmt(row.get('median_cpu_s'))} s; load {load})", _fmt(row["median_s"]), "<= 3 s",
                         _goal(row["median_s"] <= 3)))
    return rows


def markdown(results: dict) -> str:
    m = results.get("machine", {})
    lines = ["# Benchmark summary (latest run)", "",
             f"Run {results.get('started', '')}, {results.get('mode', '')} mode, {results.get('elapsed_s', 0):.0f} s. "
             f"Machine: {m.get('cpu')} ({m.get('simd')}), {m.get('usable_cores')} cores, {m.get('ram_gib')} GiB RAM, "
             f"torch {m.get('torch')} with {m.get('torch_threads')} threads; load average at start "
             f"{m.get('loadavg_at_start')}. The machine is shared: compare ratios from the same run, not absolutes "
             "across runs.", "", "| measure | value | goal | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in goal_rows(results)]
    for key in ("ingestion_docs", "ingestion", "ingestion_paragraphs"):
        ing = results.get(key)
        if not ing:
            continue
        lines += ["", f"## Ingestion, {ing['corpus']} ({ing['docs']} docs, {ing['chunks']} chunks, "
                  f"~{ing['tokens_per_chunk_mean']:.0f} word pieces per chunk, {ing['rounds']} interleaved rounds)", "",
                  "| pipeline | chunks/s |", "|---|---|"]
        lines += [f"| {k} | {v:.1f} |" for k, v in ing["chunks_per_s"].items()]
        for backend, b in ing["ours_breakdown_s"].items():
            lines += ["", f"Our pipeline with {backend}: embedding {b['embed_s']:.1f} s, Chroma upserts "
                      f"{b['upsert_s']:.1f} s, load + split + hash {b['other_s']:.1f} s (total {b['total_s']:.1f} s)."]
    emb = results.get("embed")
    if emb:
        lines += ["", f"## Embedding backends ({emb['texts']} real chunk texts)", "",
                  "| backend | batch | chunks/s |", "|---|---|---|"]
        lines += [f"| {r['backend']} | {r['batch_size']} | {r['chunks_per_s']:.1f} |"
                  for r in sorted(emb["table"], key=lambda r: (r["backend"], r["batch_size"]))]
        lines += ["", f"Kept: {emb['kept_backend'] or 'none'}."]
    re = results.get("reingest")
    if re:
        lines += ["", "## Unchanged re-ingest", "",
                  "Phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in re["phases"].items()) + "."]
    q = results.get("query")
    if q:
        lines += ["", f"## Query latency (ms; {q['real_chunks']} real chunks, the rest replicas)", "",
                  "| chunks | store | retrieve p50 | p95 | ask p50 (fresh q) | p95 | ask p50 (repeat q) "
                  "| query embed p50 "
                  "| snapshot build s | first ask after change s | ask p50 during rebuild | rebuild done s "
                  "| peak RSS MB | server RSS MB | load 1m |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in q["rows"]:
            lines.append(f"| {r['size']:,} | {r['mode']} | {r['retrieve']['p50_ms']:.1f} "
                         f"| {r['retrieve']['p95_ms']:.1f} "
                         f"| {r['ask']['p50_ms']:.1f} | {r['ask']['p95_ms']:.1f} | {r['ask_repeat']['p50_ms']:.1f} "
                         f"| {r['embed_query']['p50_ms']:.1f} | {r['snapshot_rebuild_s']:.2f} "
                         f"| {r['first_ask_after_change_s']:.2f} "
                         f"| {_fmt(r.get('ask_during_rebuild', {}).get('p50_ms'), 1)} "
                         f"| {_fmt(r.get('background_rebuild_s'))} | {r['peak_rss_mb']:.0f} "
                         f"| {_fmt(r.get('server_rss_mb'), 0)} | {_fmt(r.get('loadavg_1m'), 1)} |")
    v = results.get("vectors")
    if v:
        lines += ["", f"## Store-level dense query, random unit vectors (dim 384, k=20): reached {v['reached']:,} of "
                  f"{v['target']:,} in {v['insert_seconds']:.0f} s insert time "
                  f"({v['reached'] / max(v['insert_seconds'], 1e-9):.0f} vectors/s)", "",
                  "| vectors | p50 ms | p95 ms | RSS MB | disk MB | insert vectors/s since previous | load 1m |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {c['size']:,} | {c['p50_ms']:.2f} | {c['p95_ms']:.2f} | {c['rss_mb']:.0f} "
                  f"| {_fmt(c.get('disk_mb'), 0)} | {_fmt(c.get('rate'), 0)} | {_fmt(c.get('loadavg_1m'), 1)} |"
                  for c in v["checkpoints"]]
        if "recall_at_20" in v:
            lines += ["", f"recall@20 against exact search at {v['reached']:,}: {v['recall_at_20']:.3f} "
                      f"(ef_search {v['hnsw']['ef_search']})."]
    cold = results.get("coldstart")
    if cold:
        lines += ["", "## Cold start phases (one cold process)", ""]
        for r in cold["rows"]:
            lines.append(f"- {r['target']}, {r['backend']}: " +
                         ", ".join(f"{k} {x:.2f} s" for k, x in r["phases_s"].items()))
            lines.append("  - top imports (self time per package): " +
                         ", ".join(f"{k} {x:.2f} s" for k, x in r.get("top_imports_s", {}).items()))
    f = results.get("flops")
    if f:
        lines += ["", "## Machine limit", "",
                  f"MiniLM-L6: {f['gflop_per_chunk']:.2f} GFLOP per chunk at {f['mean_tokens_per_chunk']:.0f} word "
                  f"pieces; best measured matmul {f['matmul_peak_gflops']:.0f} GFLOP/s.", ""]
        lines += [f"- {k}: {x:.1f} GFLOP/s useful ({f['fraction_of_matmul_peak'][k]:.0%} of it)"
                  for k, x in f["effective_gflops"].items()]
        lines += [f"- padding: {f['padded_tokens_per_chunk']:.1f} word pieces computed per chunk for "
                  f"{f['mean_tokens_per_chunk']:.1f} real"]
    if results.get("llm_latency"):
        from .llm_latency import markdown as llm_markdown

        lines += ["", llm_markdown(results["llm_latency"])]
    lines += ["", f"Chart: docs/{CHART.name}. Raw results: bench/results/*.json.", ""]
    return "\n".join(lines)


def chart(results: dict, path: Path = CHART) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    q, v = results.get("query"), results.get("vectors")
    if not q and not v:
        return None
    fig, ax = plt.subplots(figsize=(10, 5), dpi=120)
    if q:
        for mode, style in (("embedded", "-"), ("server", "--")):
            rows = sorted((r for r in q["rows"] if r["mode"] == mode), key=lambda r: r["size"])
            if not rows:
                continue
            sizes = [r["size"] for r in rows]
            ax.plot(sizes, [r["retrieve"]["p50_ms"] for r in rows], style, marker="o", label=f"retrieve p50 ({mode})")
            ax.plot(sizes, [r["ask"]["p50_ms"] for r in rows], style, marker="s", label=f"full answer p50 ({mode})")
    if v and v["checkpoints"]:
        ax.plot([c["size"] for c in v["checkpoints"]], [c["p50_ms"] for c in v["checkpoints"]], ":", marker="^",
                label="Chroma dense query p50 (random vectors)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks / vectors in the collection")
    ax.set_ylabel("latency, ms (log)")
    ax.axhline(20, color="grey", lw=0.8, ls=":")
    ax.axhline(150, color="grey", lw=0.8, ls=":")
    ax.set_title("Query latency vs corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def write(results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(markdown(results))
    chart(results)
