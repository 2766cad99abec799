"""Export the local all-MiniLM-L6-v2 weights to ONNX: `python -m assistant.onnx_export MODEL_DIR FOLDER VARIANT`.

Run by `embedding_onnx` in a child process on first use (and by `make install`, so the first
question does not wait for it). Needs torch and onnx; nothing is downloaded. Files are written
under a temporary name and renamed into place, so concurrent exports never leave a partial model.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_HEADS = 12
_HIDDEN = 384
_INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


def export(model_dir: Path, folder: Path, variant: str) -> Path:
    """Write `FOLDER/model-VARIANT.onnx` (fp32: fused graph; int8: MatMul weights quantised) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"model-{variant}.onnx"
    if target.exists():
        return target
    raw = folder / "model-export.onnx"
    if not raw.exists():
        _export(model_dir, raw)
    if variant == "int8":
        _quantize(raw, target)
    else:
        _fuse(raw, target)
    return target


def _partial(target: Path) -> Path:
    return target.with_name(f"{target.name}.{os.getpid()}.part")


def _export(model_dir: Path, target: Path) -> None:
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
    partial = _partial(target)
    with torch.inference_mode(False), torch.no_grad():
        torch.onnx.export(LastHiddenState(), (example, example, torch.zeros_like(example)), str(partial),
                          input_names=_INPUTS, output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={**dict.fromkeys(_INPUTS, axes), "last_hidden_state": axes})
    partial.replace(target)


def _fuse(source: Path, target: Path) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(source), model_type="bert", num_heads=_HEADS, hidden_size=_HIDDEN, opt_level=1)
    partial = _partial(target)
    optimized.save_model_to_file(str(partial))
    partial.replace(target)


def _quantize(source: Path, target: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic's pre-processing advice is noise here
    partial = _partial(target)
    # Weights only in MatMuls, per output channel: int8 per-tensor loses too much (cosine ~0.95).
    quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    partial.replace(target)


def main(argv: list[str]) -> None:
    """With no arguments, prepare the embedder the settings (`ASSISTANT_*`) name; else export one variant."""
    if not argv:
        from .config import Settings
        from .embedding import make_embedder

        make_embedder(Settings()).warm_up()
        return
    if len(argv) != 3:  # noqa: PLR2004 - the three arguments of the usage line
        raise SystemExit("usage: python -m assistant.onnx_export [MODEL_DIR FOLDER fp32|int8]")
    import warnings

    warnings.filterwarnings("ignore")
    print(export(Path(argv[0]), Path(argv[1]), argv[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
