"""`python -m bench.one_file [--kind nopunct|sentences|nospace] [--bytes N]`: what one pathological file costs.

Writes one single-line text file of the given shape to a temporary folder, then times loading,
sentence splitting and chunking with the real tokenizer, and prints the peak RSS. Used for the
"no single file out of proportion" figures in the README's Reliability table.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

WORDS = ["alpha", "beta", "gamma", "delta", "harbour", "ferry", "cargo", "engine", "river", "north"]


def make_text(kind: str, size: int) -> str:
    rng = random.Random(1)
    if kind == "nopunct":
        return " ".join(rng.choice(WORDS) for _ in range(size // 6))
    if kind == "sentences":
        return " ".join(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(size // 75))
    return "x" * size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.one_file", description=__doc__)
    parser.add_argument("--kind", choices=["nopunct", "sentences", "nospace"], default="nopunct")
    parser.add_argument("--bytes", type=int, default=5_000_000)
    args = parser.parse_args(argv)

    from assistant.chunking import Chunker, document_sentences
    from assistant.config import Settings
    from assistant.documents import load_document
    from assistant.embedding import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    embedder.count_tokens_batch(["warm up"])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "warm.txt").write_text("Warm up. Twice.")
        document_sentences(load_document(root / "warm.txt", root, 10**9))  # punkt loads on first use
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        path = root / "big.txt"
        path.write_text(make_text(args.kind, args.bytes), encoding="utf-8")
        began = time.perf_counter()
        document = load_document(path, root, 10**9)
        loaded = time.perf_counter()
        chunks = Chunker.for_embedder(embedder, Settings()).split(document)
        done = time.perf_counter()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{args.kind} {args.bytes:,} bytes: load {loaded - began:.1f} s, sentences + chunks {done - loaded:.1f} s, "
          f"{len(chunks):,} chunks, peak RSS {rss_after} MB ({rss_after - rss_before} MB above the loaded model)")


if __name__ == "__main__":
    main()
