"""Store errors: every public `ChunkStore` call raises `StoreUnavailableError`, never a raw chromadb/httpx error."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import Settings
from assistant.cli import main
from assistant.store import ChunkStore, StoreUnavailableError
from bench.common import chroma_server

QUESTION = "Where does Zeta Air fly seaplanes from?"


def public_calls(store: ChunkStore, vector: np.ndarray) -> dict[str, Callable[[], Any]]:
    """One call of every public store method, with arguments that would be valid against a live store."""
    metadata = {"source": "x.txt", "start": 0, "end": 1, "doc_hash": "h", "chunk_count": 1}
    return {
        "exists": store.exists, "count": store.count, "revision": store.revision, "fingerprint": store.fingerprint,
        "bump_revision": lambda: store.bump_revision("fingerprint"),
        "upsert": lambda: store.upsert(["x"], vector[None, :], ["x"], [metadata]),
        "delete": lambda: store.delete(["x"]),
        "iter_records": lambda: list(store.iter_records(include_text=True)),
        "query": lambda: store.query(vector, 3),
        "count_version": lambda: store.count_version("x.txt", "h"),
        "vectors": store.vectors,
        "recreate": store.recreate,
    }


def test_every_public_store_method_goes_through_the_one_error_wrapper() -> None:
    public = {name for name, _ in inspect.getmembers(ChunkStore, inspect.isfunction) if not name.startswith("_")}
    called = set(public_calls(ChunkStore(Settings()), np.zeros(3, dtype=np.float32)))
    assert public == called, "a new public method needs @_store_errors and a case in public_calls"
    for name in public:
        assert getattr(ChunkStore, name).__wrapped__, name


@pytest.mark.server
def test_a_server_that_stops_mid_session_gives_store_unavailable(tmp_path: Path, sources_dir: Path,
                                                                   make_assistant) -> None:
    (sources_dir / "a.txt").write_text("Zeta Air flies seaplanes from Victoria. It has six aircraft.\n")
    with chroma_server(tmp_path / "db") as (host, port, _):
        bot = make_assistant(Settings(sources_dir=sources_dir, chroma_host=host, chroma_port=port))
        bot.ingest()
        assert "Victoria" in bot.ask(QUESTION).text
        vector = bot.embedder.embed(QUESTION)
    # The server is gone; the client, the collection and the snapshot are still held by `bot`.
    calls = {**public_calls(bot.store, vector), "ask": lambda: bot.ask(QUESTION), "status": bot.status,
             "ingest": bot.ingest}
    for name, call in calls.items():
        if name == "exists":
            continue  # already known to exist: it is not asked again
        with pytest.raises(StoreUnavailableError, match=f"{port}") as raised:
            call()
        assert raised.value.__cause__ is not None, name

    result = CliRunner().invoke(main, ["ask", QUESTION, "--sources", str(sources_dir)],
                                env={"ASSISTANT_CHROMA_HOST": host, "ASSISTANT_CHROMA_PORT": str(port)})
    assert result.exit_code == 1 and "Chroma store" in result.output and "Traceback" not in result.output


def test_a_store_that_cannot_be_opened_gives_store_unavailable(tmp_path: Path, make_assistant) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the index folder should be")
    bot = make_assistant(Settings(sources_dir=tmp_path, index_dir=blocked))
    for call in (bot.store.count, bot.ingest):
        with pytest.raises(StoreUnavailableError, match="not-a-folder"):
            call()
