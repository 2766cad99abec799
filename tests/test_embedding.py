"""The `Embedder` contract, run by every backend; the ONNX path never imports torch; a backend change re-embeds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.embedding import DIMENSION, Embedder, MiniLMEmbedder, make_embedder

from .conftest import BUNDLED_SOURCES, REPO

BACKENDS = ("torch", "onnx", "onnx-int8")

# Real sentences and chunks of several kinds: news prose, an API description, code, a heading, a list item.
SAMPLES = [
    "Yitu Limited – for developing facial recognition technology that looks exclusively for Uyghurs.",
    "The tech has been integrated into China’s networks of surveillance cameras.",
    "Return a new deque object initialized left-to-right (using append()) with data from iterable.",
    "If maxlen is not specified or is None, deques may grow to an arbitrary length.",
    "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a",
    "Configuring the UPS driver",
    "The harbour authority of Port Vella inspected forty cargo ships in May.",
    "Why was the Orvane bridge closed?",
    " ".join(["Sentence number seven explains how the harbour authority inspected the ships."] * 30),  # > window
]


@pytest.fixture(scope="module")
def reference() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, reference: MiniLMEmbedder) -> Embedder:
    if request.param == "torch":
        return reference
    return make_embedder(Settings(embedder=request.param))


def test_vectors_have_the_declared_dimension_and_unit_length(backend: Embedder) -> None:
    vectors = backend.embed_batch(SAMPLES)
    assert backend.dimension == DIMENSION
    assert vectors.shape == (len(SAMPLES), DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert backend.embed_batch([]).shape == (0, DIMENSION)


def test_vectors_agree_with_the_torch_reference(backend: Embedder, reference: MiniLMEmbedder) -> None:
    cosine = (backend.embed_batch(SAMPLES) * reference.embed_batch(SAMPLES)).sum(axis=1)
    assert cosine.mean() >= 0.99, cosine
    assert cosine.min() >= 0.98, cosine


def test_token_counts_are_the_reference_tokenizers(backend: Embedder, reference: MiniLMEmbedder) -> None:
    counts = backend.count_tokens_batch(SAMPLES)
    assert counts == reference.count_tokens_batch(SAMPLES)
    assert counts[-1] > 256  # untruncated: the chunker needs the true length to split what is too long
    assert backend.count_tokens(SAMPLES[0]) == counts[0] + 2
    assert backend.count_tokens_batch([]) == []


def test_a_text_gets_the_same_vector_alone_or_in_a_batch(backend: Embedder) -> None:
    batch = backend.embed_batch(SAMPLES)
    alone = np.stack([backend.embed(text) for text in SAMPLES])
    assert np.allclose(batch, alone, atol=1e-5)


def test_names_tell_the_backends_apart() -> None:
    names = {make_embedder(Settings(embedder=b)).name for b in BACKENDS}
    assert len(names) == len(BACKENDS)


def test_unknown_backend_is_rejected() -> None:
    with pytest.raises(ValueError, match="embedder"):
        Settings(embedder="tensorflow")  # type: ignore[arg-type]


def test_changing_the_backend_re_embeds_every_document(tmp_path: Path) -> None:
    shutil.copytree(BUNDLED_SOURCES, tmp_path / "sources")
    places = {"sources_dir": tmp_path / "sources", "index_dir": tmp_path / "index"}
    first = Assistant(Settings(**places, embedder="onnx-int8")).ingest()
    assert first.chunks_embedded > 0 and not first.rebuilt
    assert Assistant(Settings(**places, embedder="onnx-int8")).ingest().chunks_embedded == 0
    switched = Assistant(Settings(**places, embedder="onnx")).ingest()
    assert switched.rebuilt and "onnx-int8" in switched.rebuilt and "onnx-fp32" in switched.rebuilt
    assert switched.chunks_embedded == first.chunks_embedded


ONNX_PROCESS = r"""
import json, sys
from assistant import Assistant, Settings

bot = Assistant(Settings(embedder=sys.argv[1]))
report = bot.ingest()
answer = bot.ask("Why was Yitu listed?")
print(json.dumps({"embedded": report.chunks_embedded, "refused": answer.refused, "text": answer.text,
                  "loaded": sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)}))
"""


@pytest.mark.parametrize("variant", ["onnx", "onnx-int8"])
def test_the_onnx_path_never_imports_torch(variant: str, tmp_path: Path) -> None:
    shutil.copytree(BUNDLED_SOURCES, tmp_path / "sources")
    env = {**os.environ, "ASSISTANT_SOURCES_DIR": str(tmp_path / "sources"), "ASSISTANT_INDEX_DIR": str(tmp_path / "i"),
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", ONNX_PROCESS, variant], env=env, capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["embedded"] > 0 and not result["refused"] and "Yitu" in result["text"]
    assert result["loaded"] == []
