"""Embedder wrappers used only by the benchmarks: timing/counting, and placeholder vectors for index building."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import numpy as np

from assistant.embedding import Embedder


class Instrumented(Embedder):
    """Delegates to a real embedder, counting texts and seconds spent in `embed_batch`."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts = 0
        self.seconds = 0.0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        began = time.perf_counter()
        try:
            return self.inner.embed_batch(texts)
        finally:
            self.seconds += time.perf_counter() - began
            self.texts += len(texts)

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens_batch(texts)


class PlaceholderVectors(Instrumented):
    """The real tokenizer (so chunks are exactly the pipeline's), but hash-seeded unit vectors.

    Used only to build the large index that the *unchanged re-ingest* benchmark re-reads:
    that path never embeds, so the vectors' values cannot affect what it measures.
    """

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        out = np.empty((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            out[row] = np.random.default_rng(seed).standard_normal(384)
        return out / np.linalg.norm(out, axis=1, keepdims=True)
