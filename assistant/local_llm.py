"""`llm = local`: llama.cpp's OpenAI-compatible server on the local model, one per process, on 127.0.0.1.

The server is a child process (`python -m llama_cpp.server`), started on first use and stopped when
the app exits, so the model's memory and threads stay apart from the app's, and the rest of the
assistant talks to it exactly as it talks to any OpenAI-compatible server.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .config import Settings

START_TIMEOUT = 180.0
_POLL = 0.25
_lock = threading.Lock()
_servers: dict[tuple[str, int, int], LocalServer] = {}


class LocalModelError(RuntimeError):
    """The local model cannot run: runtime or model missing, or the server did not come up (`llm.make_llm` turns
    it into an `LLMUnavailableError`)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalServer:
    """A running llama.cpp server for one model file; `base_url` ends in /v1."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def check_local(settings: Settings) -> None:
    """Fail with the install command when the runtime or the model is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalModelError("llm=local needs the local model runtime: run `make llm` "
                              "(or pip install 'sources-assistant[local-llm]')")
    if not settings.llm_model_path.is_file():
        raise LocalModelError(f"no local model at {settings.llm_model_path}: run `make llm` to fetch and verify it")


def start(settings: Settings) -> LocalServer:
    """Start the server on a free loopback port and wait until it serves its model list."""
    check_local(settings)
    port = _free_port()
    log_path = Path(tempfile.gettempdir()) / f"sources-assistant-llm-{os.getpid()}-{port}.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(settings.llm_model_path),
               "--model_alias", "local", "--host", "127.0.0.1", "--port", str(port),
               "--n_threads", str(settings.llm_threads), "--n_threads_batch", str(settings.llm_threads),
               "--n_ctx", str(settings.llm_context), "--logits_all", "true", "--verbose", "false"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = LocalServer(process, port, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not server.alive():
            raise LocalModelError(f"the local model server exited: {_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2):
                return server
        except (urllib.error.URLError, OSError):
            time.sleep(_POLL)
    server.stop()
    raise LocalModelError(f"the local model server did not start within {START_TIMEOUT:g} s: {_tail(log_path)}")


def shared_server(settings: Settings) -> LocalServer:
    """The process's server for this model and thread count, started once (and again if it died)."""
    key = (str(settings.llm_model_path), settings.llm_threads, settings.llm_context)
    with _lock:
        server = _servers.get(key)
        if server is None or not server.alive():
            server = _servers[key] = start(settings)
        return server


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:]) or "(no output)"
    except OSError:
        return "(no log)"


@atexit.register
def _stop_all() -> None:
    for server in list(_servers.values()):
        server.stop()
