"""Benchmark 6: the machine's limit. MiniLM-L6 FLOPs per token vs measured matmul GFLOP/s here."""

from __future__ import annotations

import os
import time

from assistant import Settings
from assistant.embedding import MAX_WORD_PIECES, SPECIAL_TOKENS, make_embedder

from .common import Context

LAYERS, HIDDEN, FFN = 6, 384, 1536


def flops_per_token(seq_len: float) -> float:
    """Multiply-adds x2 per token: QKV + output projections (4h^2), FFN (2*h*ffn), attention (2*L*h)."""
    per_layer = 2 * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN) + 2 * 2 * seq_len * HIDDEN
    return LAYERS * per_layer


def _gflops(fn, flops: float, seconds: float = 1.5) -> float:
    fn()
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        fn()
        count += 1
    return flops * count / (time.perf_counter() - began) / 1e9


def run(ctx: Context) -> dict:
    import torch

    shapes = {"square 2048": (2048, 2048, 2048), "FFN-like 4096x384x1536": (4096, 384, 1536)}
    measured = {}
    threads = torch.get_num_threads()
    for label, (m, k, n) in shapes.items():
        a, b = torch.randn(m, k), torch.randn(k, n)
        an, bn = a.numpy(), b.numpy()
        measured[f"torch {label}, {threads} threads"] = _gflops(lambda a=a, b=b: a @ b, 2 * m * k * n)
        measured[f"numpy {label}"] = _gflops(lambda an=an, bn=bn: an @ bn, 2 * m * k * n)
    torch.set_num_threads(1)
    a = torch.randn(2048, 2048)
    measured["torch square 2048, 1 thread"] = _gflops(lambda: a @ a, 2 * 2048**3)
    torch.set_num_threads(threads)
    peak = max(v for k, v in measured.items() if k.startswith("torch"))

    results = ctx.shared.get("results", {})
    ingestion = results.get("ingestion_docs") or results.get("ingestion", {})
    encode = _encode_now(ctx)  # measured next to the matmuls: the machine is shared, absolutes drift over a run
    tokens = encode["tokens_per_chunk"]
    per_chunk = flops_per_token(tokens) * tokens
    achieved = {name: rate * per_chunk / 1e9 for name, rate in encode["chunks_per_s"].items()}
    names = {"torch": "torch-fp32", "onnx": "onnx-fp32", "onnx-int8": "onnx-int8"}  # setting -> backend label
    for backend, ratio in ingestion.get("ratio_ours_vs_raw", {}).items():
        if names[backend] in achieved:
            achieved[f"ingestion (ours, {backend}) = ratio x raw"] = achieved[names[backend]] * ratio
    result = {"flops_per_token_at_seq": {str(s): flops_per_token(s) for s in (tokens, 64, 128, 256)},
              "mean_tokens_per_chunk": tokens, "padded_tokens_per_chunk": encode["padded_tokens_per_chunk"],
              "gflop_per_chunk": per_chunk / 1e9, "matmul_gflops": measured, "matmul_peak_gflops": peak,
              "encode_now": encode, "effective_gflops": achieved,
              "fraction_of_matmul_peak": {k: v / peak for k, v in achieved.items()}, "loadavg": os.getloadavg()}
    print(f"\nMachine limit: MiniLM-L6 = {flops_per_token(tokens) / 1e6:.1f} MFLOP/token at {tokens:.0f} tokens "
          f"({flops_per_token(256) / 1e6:.1f} at 256); {per_chunk / 1e9:.2f} GFLOP per chunk (real tokens only)")
    for label, value in measured.items():
        print(f"  matmul {label:<40} {value:6.1f} GFLOP/s")
    for name, value in achieved.items():
        print(f"  {name:<40} {value:6.1f} GFLOP/s useful = {value / peak:.0%} of the best matmul")
    print(f"  (padding: {encode['padded_tokens_per_chunk']:.1f} word pieces computed per chunk for "
          f"{tokens:.1f} real, in length-sorted batches of 64)")
    return result


def _encode_now(ctx: Context) -> dict:
    texts = ctx.shared["chunk_texts"][:240]
    torch_embedder = ctx.shared["torch_embedder"]
    lengths = [min(n + SPECIAL_TOKENS, MAX_WORD_PIECES) for n in torch_embedder.count_tokens_batch(texts)]
    by_length = sorted(lengths, reverse=True)
    padded = sum(max(by_length[i:i + 64]) * len(by_length[i:i + 64]) for i in range(0, len(by_length), 64))
    backends = {"torch-fp32": torch_embedder, **(ctx.shared.get("onnx_embedders") or {})}
    for setting, name in (("onnx", "onnx-fp32"), ("onnx-int8", "onnx-int8")):  # when the embed sweep did not run
        if name not in backends:
            backends[name] = ctx.shared.get(f"{setting}_embedder") or make_embedder(Settings(embedder=setting))
    rates = {}
    for name, embedder in backends.items():
        embedder.batch_size = 64 if name == "torch-fp32" else 1
        embedder.embed_batch(texts[:16])
        began = time.perf_counter()
        embedder.embed_batch(texts)
        rates[name] = len(texts) / (time.perf_counter() - began)
    return {"texts": len(texts), "tokens_per_chunk": sum(lengths) / len(lengths),
            "padded_tokens_per_chunk": padded / len(lengths), "chunks_per_s": rates}
