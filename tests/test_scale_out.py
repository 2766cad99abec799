"""Scale-out: two app processes share one `chroma run` server; a document ingested by one is answered by the other.

Process B is long-lived and started before the ingest; it must see the new document without a
restart (its BM25 snapshot refreshes when the collection's revision changes). B has its own
sources folder, kept in sync with A's as a shared volume would be: answers and citations come
from the store alone, but `source_text` (which the UI uses to show a quote in context) reads the
file, so B checks every quote against its own copy.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from assistant import Assistant, Settings

pytestmark = pytest.mark.server

SERVE = r"""
import json, sys
from assistant import Assistant

bot = Assistant()  # everything from ASSISTANT_* variables: the server, the collection, its own sources folder
bot.embedder.embed("warm up")
print(json.dumps({"ready": True, "pid_store": bot.settings.store_location}), flush=True)
for line in sys.stdin:
    question = line.strip()
    if not question:
        break
    try:
        answer = bot.ask(question)
        result = answer.to_dict()
        result["quotes_match"] = [bot.source_text(c.source)[c.start:c.end] == c.quote for c in answer.citations]
    except Exception as error:  # reported to the test, which fails with the message
        result = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(result), flush=True)
"""

# One paragraph per line: the loader treats short unpunctuated lines as page furniture.
HARBOUR = """---
title: "Port Vella harbour report"
---
The harbour authority of Port Vella inspected forty cargo ships in May. \
Two ships were held because their lifeboats were missing. \
The harbour master said inspections will continue through the summer.
"""

BRIDGE = """---
title: "Orvane bridge closure"
---
The Orvane bridge was closed on 3 March because engineers found cracks in two of its steel suspension cables. \
Repairs are expected to take eleven weeks, and ferries will carry commuters across the Lisk river meanwhile.
"""


class ServingProcess:
    """A long-lived `Assistant` in its own process, answering questions read from stdin as JSON lines."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)

    def read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                line = self.process.stdout.readline()
                if line.startswith("{"):
                    return json.loads(line)
                if not line and self.process.poll() is not None:
                    break
            elif self.process.poll() is not None:
                break
        self.process.kill()
        raise AssertionError(f"serving process gave no answer: {self.process.stderr.read()[-3000:]}")

    def ask(self, question: str, timeout: float = 60) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(question + "\n")
        self.process.stdin.flush()
        answer = self.read(timeout)
        assert "error" not in answer, answer["error"]
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def test_a_document_ingested_by_one_process_is_answered_by_another(chroma_server: tuple[str, int], tmp_path: Path,
                                                                  embedder) -> None:
    host, port = chroma_server
    collection = f"scale-out-{uuid.uuid4().hex[:8]}"
    dir_a, dir_b = tmp_path / "a", tmp_path / "b"
    dir_a.mkdir()
    dir_b.mkdir()
    (dir_a / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    shared = {"ASSISTANT_CHROMA_HOST": host, "ASSISTANT_CHROMA_PORT": str(port), "ASSISTANT_COLLECTION": collection}
    env_b = {**os.environ, **shared, "ASSISTANT_SOURCES_DIR": str(dir_b),
             "ASSISTANT_INDEX_DIR": str(tmp_path / "b-idx")}
    server_b = ServingProcess(env_b)
    try:
        # Meanwhile an earlier ingest (here in the test process) puts the first document on the server.
        first = Assistant(Settings(sources_dir=dir_a, index_dir=tmp_path / "a-idx", chroma_host=host, chroma_port=port,
                                   collection=collection), embedder=embedder).ingest()
        assert first.added == ("harbour.md",)
        shutil.copy(dir_a / "harbour.md", dir_b / "harbour.md")  # the shared volume's sync
        assert server_b.read(timeout=90).get("ready")

        before = server_b.ask("Why were two ships held in Port Vella?")
        assert not before.get("refused") and {c["source"] for c in before["citations"]} == {"harbour.md"}

        # Process A: the CLI ingests a new document into the same server.
        (dir_a / "bridge.md").write_text(BRIDGE, encoding="utf-8")
        ingest = subprocess.run([str(Path(sys.executable).parent / "assistant"), "ingest", "--sources", str(dir_a),
                                 "--index", str(tmp_path / "a-idx"), "--json"],
                                env={**os.environ, **shared}, capture_output=True, text=True, timeout=120)
        assert ingest.returncode == 0, ingest.stderr[-3000:]
        report = json.loads(ingest.stdout.strip().splitlines()[-1])
        assert report["added"] == ["bridge.md"] and report["unchanged"] == ["harbour.md"]
        shutil.copy(dir_a / "bridge.md", dir_b / "bridge.md")

        after = server_b.ask("Why was the Orvane bridge closed?")
        assert not after["refused"], after["text"]
        assert "bridge.md" in {c["source"] for c in after["citations"]}, after
        assert "cracks" in after["text"]
        assert after["quotes_match"] and all(after["quotes_match"])
        assert server_b.process.poll() is None  # the same process, never restarted
    finally:
        server_b.close()
