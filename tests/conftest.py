"""Shared fixtures: real embedder (loaded once), isolated index/sources folders, a real Chroma server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant import Assistant, Settings, offline
from assistant.embedding import Embedder, make_embedder
from bench.common import chroma_server as start_chroma_server
from bench.common import free_port

offline.apply(force=True)  # tests never go online, whatever the caller's environment says (nothing has read it yet)

REPO = Path(__file__).resolve().parent.parent
BUNDLED_SOURCES = REPO / "sources"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 on the default backend (what `Assistant()` uses), shared so each test does not pay
    the load; tests/test_embedding.py runs every backend."""
    return make_embedder(Settings())


@pytest.fixture
def sources_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, sources_dir: Path) -> Settings:
    return Settings(sources_dir=sources_dir, index_dir=tmp_path / "index")


@pytest.fixture
def make_assistant(embedder: Embedder):
    def make(settings: Settings) -> Assistant:
        return Assistant(settings, embedder=embedder)

    return make


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Assistant:
    """The bundled corpus, ingested once into a temporary index."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    bot = Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index"), embedder=embedder)
    bot.ingest()
    return bot


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on 127.0.0.1 (the benchmarks start theirs the same way)."""
    try:
        with start_chroma_server(tmp_path_factory.mktemp("chroma-server") / "db") as (host, port, _):
            yield host, port
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def served_app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[str, Assistant]]:
    """One app over the bundled corpus for every test that only asks questions (uploads get their own)."""
    with running_app(tmp_path_factory.mktemp("served"), embedder) as served:
        yield served


@contextmanager
def running_app(root: Path, embedder: Embedder) -> Iterator[tuple[str, Assistant]]:
    """The Gradio app over its own copy of the bundled sources, served on 127.0.0.1; yields (url, assistant)."""
    from assistant.ui import launch

    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    bot = Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index"), embedder=embedder)
    bot.ingest()
    port = free_port()
    app = launch(bot, "127.0.0.1", port, block=False)
    try:
        yield f"http://127.0.0.1:{port}/", bot
    finally:
        app.close()
