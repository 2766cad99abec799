"""Readers never wait for the writer: questions are answered from the last complete index while an ingest runs,
and a document the ingest is still writing is never cited half-stored."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant import Assistant, Settings
from assistant.embedding import Embedder

from .conftest import BUNDLED_SOURCES

NEW_DOCUMENT = "\n\n".join(
    f"Report {n}: the Quillfeather foundry in Brindlemoor cast {n + 3} hydrofoil hulls from pressed kelp in week {n}."
    for n in range(120)
)
NEW_QUESTION = "What did the Quillfeather foundry in Brindlemoor cast hulls from?"
BUNDLED_QUESTION = "Why was Yitu listed?"


class PausingEmbedder(Embedder):
    """The real MiniLM; once armed, the ingest's `pause_at`-th batch waits for `release`, holding an ingest
    half-way on purpose (question embeddings, one text each, pass straight through)."""

    def __init__(self, real: Embedder, pause_at: int = 2) -> None:
        self.real = real
        self.pause_at = pause_at
        self.name = real.name
        self.armed = False
        self.batches = 0
        self.paused = threading.Event()
        self.release = threading.Event()

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if self.armed and len(texts) > 1:
            self.batches += 1
            if self.batches == self.pause_at:
                self.paused.set()
                self.release.wait(300)
        return self.real.embed_batch(texts)

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        return self.real.count_tokens_batch(texts)

    @property
    def dimension(self) -> int:
        return self.real.dimension


def test_questions_are_answered_from_complete_documents_while_an_ingest_runs(tmp_path: Path, embedder) -> None:
    shutil.copytree(BUNDLED_SOURCES, tmp_path / "sources")
    pausing = PausingEmbedder(embedder)
    bot = Assistant(Settings(sources_dir=tmp_path / "sources", index_dir=tmp_path / "index", embed_batch_size=2),
                    embedder=pausing)
    bot.ingest()
    (tmp_path / "sources" / "foundry.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    pausing.armed = True
    ingesting = threading.Thread(target=bot.ingest)
    ingesting.start()
    try:
        assert pausing.paused.wait(300), "the ingest never reached its second batch"
        stored = {m["source"] for _, _, m in bot.store.iter_records(include_text=False)}
        assert "foundry.txt" in stored  # half of the new document is in the store...
        during = bot.ask(NEW_QUESTION)
        assert all(c.source != "foundry.txt" for c in during.citations)  # ...and is not cited
        assert "facial recognition" in bot.ask(BUNDLED_QUESTION).text
        assert ingesting.is_alive()  # both answers came while the writer was still writing
    finally:
        pausing.release.set()
        ingesting.join(300)
    after = bot.ask(NEW_QUESTION)
    assert not after.refused and any(c.source == "foundry.txt" and "kelp" in c.quote for c in after.citations)


def test_twenty_clients_get_their_own_right_answers_while_an_upload_is_indexed(tmp_path: Path, embedder) -> None:
    """The bounded load test (`python -m bench.load` is the full one): 20 gradio_client clients x 2 questions with
    known answers, all asked while an upload sits half-indexed in the same app."""
    from bench.load import ask_under_load, gold_questions, known_answers, upload_through_ui

    from .conftest import running_app

    pausing = PausingEmbedder(embedder, pause_at=1)
    with running_app(tmp_path, pausing) as (url, bot):
        known = known_answers(url, gold_questions(6))
        assert len(known) >= 4
        upload = tmp_path / "foundry.txt"
        upload.write_text(NEW_DOCUMENT, encoding="utf-8")
        pausing.armed = True
        outcome: dict = {}
        uploading = threading.Thread(target=lambda: outcome.update(upload_through_ui(url, upload, timeout=600)))
        uploading.start()
        try:
            assert pausing.paused.wait(120), "the upload never reached the indexer"
            result = ask_under_load([url], known, clients=20, per_client=2, indexing=uploading.is_alive, timeout=60)
        finally:
            pausing.release.set()
            uploading.join(600)
        summary = result.summary(known)
        assert summary["errors"] == 0 and summary["wrong"] == 0, (result.errors[:3], result.wrong(known)[:3])
        assert summary["answered"] == 40 and summary["while_indexing"] == 40
        assert outcome.get("success") and not list((tmp_path / "sources").glob(".upload-*"))
        after = bot.ask(NEW_QUESTION)
        assert any(c.source == "foundry.txt" for c in after.citations)


def test_no_single_file_costs_out_of_proportion(settings: Settings, sources_dir: Path, make_assistant,
                                                embedder) -> None:
    """A run-on line, a file without spaces and one without punctuation are cut into bounded pieces before the
    tokenizer sees them, and a document over `max_document_chunks` is skipped with the reason, keeping its old
    version."""
    from assistant.chunking import MAX_CHUNK_CHARS, MAX_PIECE_CHARS, TOKENIZE_BATCH, Chunker
    from assistant.documents import load_document

    words = " ".join(f"kelp{n % 97} hull{n % 89}" for n in range(60_000))  # ~0.7 MB, one line, no full stop
    (sources_dir / "run-on.txt").write_text(words, encoding="utf-8")
    (sources_dir / "no-spaces.txt").write_text("x" * 300_000, encoding="utf-8")
    seen: list[int] = []
    batches: list[int] = []

    def counting(texts: list[str]) -> list[int]:
        batches.append(len(texts))
        seen.extend(len(t) for t in texts)
        return embedder.count_tokens_batch(texts)

    chunker = Chunker(counting, settings.chunk_tokens, settings.chunk_overlap)
    for name in ("run-on.txt", "no-spaces.txt"):
        document = load_document(sources_dir / name, sources_dir, settings.max_file_bytes)
        chunks = chunker.split(document)
        assert chunks and all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
        assert all(document.text[c.start:c.end] == c.text for c in chunks)
        covered = bytearray(len(document.text))
        for c in chunks:
            covered[c.start:c.end] = b"\1" * (c.end - c.start)
        assert all(covered[i] or ch.isspace() for i, ch in enumerate(document.text))  # nothing dropped
    assert max(seen) <= MAX_PIECE_CHARS and max(batches) <= TOKENIZE_BATCH

    (sources_dir / "no-spaces.txt").unlink()
    (sources_dir / "run-on.txt").write_text("Kelp hulls float. " * 10, encoding="utf-8")
    bot = make_assistant(settings.model_copy(update={"max_document_chunks": 50}))
    assert bot.ingest().added == ("run-on.txt",)
    (sources_dir / "run-on.txt").write_text(words, encoding="utf-8")
    report = bot.ingest()
    assert [s.source for s in report.skipped] == ["run-on.txt"] and not report.removed
    assert "the limit is 50 per document (max_document_chunks)" in report.skipped[0].reason
    assert bot.status().documents == {"run-on.txt": 1}
