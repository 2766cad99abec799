"""The keyword index after an ingest: questions never wait for its rebuild, they use the previous one meanwhile."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant import Settings, retrieval

HARBOUR = ("The harbour authority of Port Vella inspected forty cargo ships in May. Two ships were held because "
           "their lifeboats were missing.\n")
BRIDGE = ("The Orvane bridge was closed on 3 March because engineers found cracks in two of its steel suspension "
          "cables. Repairs are expected to take eleven weeks.\n")


class GatedSnapshot(retrieval.CorpusSnapshot):
    """A real snapshot whose build waits for the test's signal, so the test can ask while a rebuild is under way."""

    gate = threading.Event()
    started = threading.Event()

    def __init__(self, revision: str, records: list, vectors=None) -> None:
        GatedSnapshot.started.set()
        assert GatedSnapshot.gate.wait(120), "the test never opened the gate"
        super().__init__(revision, records, vectors)


def test_a_question_asked_during_a_rebuild_is_answered_from_the_previous_index(
        settings: Settings, sources_dir: Path, make_assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    (sources_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    writer = make_assistant(settings)
    writer.ingest()
    reader = make_assistant(settings)  # another process's view of the same index: it does not ingest itself
    assert not reader.ask("Why were two ships held in Port Vella?").refused
    previous = reader.retriever.snapshot()
    assert not previous.lexical("Orvane bridge", 5)

    (sources_dir / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    assert writer.ingest().added == ("bridge.txt",)
    GatedSnapshot.gate.clear()
    GatedSnapshot.started.clear()
    monkeypatch.setattr(retrieval, "CorpusSnapshot", GatedSnapshot)

    answers = []
    asking = threading.Thread(target=lambda: answers.append(reader.ask("Why was the Orvane bridge closed?")))
    asking.start()
    asking.join(120)
    assert GatedSnapshot.started.wait(10), "the new revision was never rebuilt"
    assert not asking.is_alive(), "the question waited for the rebuild"
    assert reader.retriever.snapshot() is previous  # still answering from the previous keyword index
    assert answers and "bridge.txt" in {c.source for c in answers[0].citations}  # dense search already sees it

    GatedSnapshot.gate.set()
    assert reader.retriever.wait_for_rebuild(120)
    current = reader.retriever.snapshot()
    assert current is not previous and current.revision == reader.store.revision()
    assert {chunk.source for chunk, _ in current.lexical("Orvane bridge", 5)} == {"bridge.txt"}


def test_an_ingest_in_the_same_process_updates_the_index_its_questions_use(
        settings: Settings, sources_dir: Path, make_assistant) -> None:
    (sources_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    bot = make_assistant(settings)
    bot.ingest()
    bot.ask("Why were two ships held in Port Vella?")
    (sources_dir / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    bot.ingest()
    snapshot = bot.retriever.snapshot()
    assert snapshot.revision == bot.store.revision()
    assert {chunk.source for chunk, _ in snapshot.lexical("Orvane bridge", 5)} == {"bridge.txt"}


def test_each_retrievers_best_passages_survive_rank_fusion() -> None:
    """Passages that both retrievers rank middling outscore, under rank fusion, the one dense search ranks first
    and keyword search not at all (every passage of a kiln manual says "kiln"); it is kept all the same."""
    from assistant.retrieval import reciprocal_rank_fusion, with_each_retrievers_best
    from assistant.store import StoredChunk

    def chunk(n: int) -> StoredChunk:
        return StoredChunk(f"c{n}", f"kiln passage {n}", "kiln.txt", "Kiln", "", n * 100, n * 100 + 50)

    definition = chunk(0)
    middling = [chunk(n) for n in range(1, 12)]
    dense = [definition, *middling]
    lexical = list(reversed(middling))  # keyword search never finds the definition
    fused = reciprocal_rank_fusion(dense, lexical)
    assert definition not in [hit.chunk for hit in fused[:8]]  # what plain fusion would keep
    kept = with_each_retrievers_best(fused, 8)
    assert len(kept) == 8 and definition in [hit.chunk for hit in kept]
    assert {middling[-1], middling[-2]} <= {hit.chunk for hit in kept}  # keyword search's best two stay too
    assert [hit.score for hit in kept] == sorted((hit.score for hit in kept), reverse=True)


def test_a_small_collection_is_searched_exactly_and_sees_chunks_stored_since(
        settings: Settings, sources_dir: Path, make_assistant) -> None:
    """Dense search over a small collection is exact (the snapshot's vectors, brute force), so every process gets
    the same nearest chunks whatever HNSW graph it loaded; a chunk stored after the snapshot still comes from
    Chroma."""
    import numpy as np

    (sources_dir / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    bot = make_assistant(settings)
    bot.ingest()
    snapshot = bot.retriever.snapshot()
    vector = bot.embedder.embed("Why were two ships held in Port Vella?")
    ids, matrix = bot.store.vectors()
    order = [ids[i] for i in np.argsort(-(matrix @ vector), kind="stable")]
    assert [c.id for c in snapshot.nearest(vector, 3)] == order[:3]
    (sources_dir / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    make_assistant(settings).ingest()  # another process stores a new document
    hits = bot.retriever.retrieve("Orvane bridge closed", bot.embedder.embed("Why was the Orvane bridge closed?"),
                                  snapshot)
    assert "bridge.txt" in {h.chunk.source for h in hits.hits if h.dense_rank is not None}
