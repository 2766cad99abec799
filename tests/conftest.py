"""Shared fixtures: real embedder (loaded once), isolated index/sources folders, a real Chroma server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from assistant import Assistant, Settings
from assistant.embedding import MiniLMEmbedder

REPO = Path(__file__).resolve().parent.parent
BUNDLED_SOURCES = REPO / "sources"


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    """The real all-MiniLM-L6-v2, shared so each test does not pay the load."""
    return MiniLMEmbedder()


@pytest.fixture
def sources_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, sources_dir: Path) -> Settings:
    return Settings(sources_dir=sources_dir, index_dir=tmp_path / "index")


@pytest.fixture
def make_assistant(embedder: MiniLMEmbedder):
    def make(settings: Settings) -> Assistant:
        return Assistant(settings, embedder=embedder)

    return make


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Assistant:
    """The bundled corpus, ingested once into a temporary index."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    bot = Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index"), embedder=embedder)
    bot.ingest()
    return bot


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_binary() -> str:
    found = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if not found:
        pytest.fail("the `chroma` command (from the chromadb package) is not installed")
    return found


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on 127.0.0.1, stopped at the end of the session."""
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([chroma_binary(), "run", "--path", str(data / "db"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"chroma server did not start: {(data / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield "127.0.0.1", port
    process.terminate()
    process.wait(timeout=30)
    log.close()


@contextmanager
def running_app(root: Path, embedder: MiniLMEmbedder) -> Iterator[tuple[str, Assistant]]:
    """The Gradio app over its own copy of the bundled sources, served on 127.0.0.1; yields (url, assistant)."""
    from assistant.ui import create_app

    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    bot = Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index"), embedder=embedder)
    bot.ingest()
    app = create_app(bot)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/", bot
    finally:
        app.close()
