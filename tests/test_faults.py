"""Faults injected and survived: concurrent ingests, ingest killed with -9 at several points, a full disk, and a
Chroma server that goes away mid-session and comes back."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings
from assistant.cli import main
from assistant.index_lock import ingest_lock, lock_path

from .conftest import REPO

PARAGRAPH = " ".join(
    f"Sentence number {i} explains how the harbour authority of Port Vella inspected {i} cargo ships."
    for i in range(60)
)


def _write_corpus(folder: Path, documents: int) -> None:
    for n in range(documents):
        (folder / f"doc{n:02}.txt").write_text(PARAGRAPH.replace("Port Vella", f"Port {n}"), encoding="utf-8")


def _records(bot: Assistant) -> list[tuple]:
    return sorted((i, t, m["source"], m["start"], m["end"]) for i, t, m in bot.store.iter_records(include_text=True))


def _cli(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO), **env})


# --- two ingests at once ------------------------------------------------------------------------------------

def test_a_second_ingest_waits_for_the_first_and_says_who_holds_the_index(tmp_path: Path, sources_dir: Path,
                                                                        make_assistant) -> None:
    _write_corpus(sources_dir, 6)
    index = tmp_path / "index"
    args = ("ingest", "--sources", str(sources_dir), "--index", str(index), "--json")
    first = _cli(*args, ASSISTANT_EMBED_BATCH_SIZE="1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and f'"pid": {first.pid}' not in _read(lock_path(Settings(index_dir=index))):
        time.sleep(0.05)
    second = _cli(*args)
    first_out, _ = first.communicate(timeout=300)
    second_out, second_err = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, second_err
    assert f"Waiting for another ingest (pid {first.pid}".encode() in second_err
    first_report, second_report = json.loads(first_out), json.loads(second_out)
    clean = make_assistant(Settings(sources_dir=sources_dir, index_dir=tmp_path / "clean"))
    assert first_report["chunks_embedded"] == clean.ingest().chunks_embedded > 0
    assert second_report["chunks_embedded"] == 0 and len(second_report["unchanged"]) == 6
    assert _records(make_assistant(Settings(sources_dir=sources_dir, index_dir=index))) == _records(clean)


def test_an_ingest_that_will_not_wait_names_the_holder(settings: Settings, sources_dir: Path) -> None:
    _write_corpus(sources_dir, 1)
    with ingest_lock(settings):
        result = CliRunner().invoke(main, ["ingest", "--sources", str(sources_dir), "--index", str(settings.index_dir)],
                                    env={"ASSISTANT_INGEST_LOCK_WAIT": "0"})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Another ingest (pid {os.getpid()} on " in result.output
    assert "try again when it has finished" in result.output


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


# --- the Chroma server goes away mid-session and comes back ---------------------------------------------------

def test_a_server_that_drops_gives_a_typed_error_then_answering_resumes(tmp_path: Path, sources_dir: Path,
                                                                      make_assistant) -> None:
    from assistant.store import StoreUnavailableError
    from assistant.ui import ChatUI
    from bench.common import chroma_server

    (sources_dir / "ferry.txt").write_text("The Orrin Bay ferry sails to Kessel Point twice a day in summer.")
    db = tmp_path / "server" / "db"
    db.parent.mkdir()
    question = "Where does the Orrin Bay ferry sail to?"
    with chroma_server(db) as (host, port, pid):
        settings = Settings(sources_dir=sources_dir, index_dir=tmp_path / "unused", chroma_host=host,
                            chroma_port=port, collection="faults")
        bot = make_assistant(settings)
        bot.ingest()
        assert "Kessel Point" in bot.ask(question).text
        os.kill(pid, 9)
        _wait_until_refused(port)
        for call in (lambda: bot.ask(question), bot.status, bot.ingest):
            try:
                call()
            except StoreUnavailableError as error:
                assert f"127.0.0.1:{port}" in str(error)
            else:
                raise AssertionError("no StoreUnavailableError while the server is down")
        _, _, _, notice, _ = list(ChatUI(bot).respond(question, [], []))[-1]
        assert "index is not reachable" in notice and str(port) not in notice  # users get no server address
        documents = ChatUI(bot).documents()
        assert "index is not reachable" in documents and str(port) not in documents
        chat = CliRunner().invoke(main, ["chat"], input=f"{question}\n", env={
            "ASSISTANT_CHROMA_HOST": host, "ASSISTANT_CHROMA_PORT": str(port), "ASSISTANT_COLLECTION": "faults",
            "ASSISTANT_SOURCES_DIR": str(sources_dir)})
        assert chat.exit_code == 0 and "Cannot reach the Chroma server" in chat.output
        assert "Traceback" not in chat.output
    with chroma_server(db, port=port):
        assert "Kessel Point" in bot.ask(question).text  # the same Assistant, no restart
        documents = ChatUI(bot).documents()
        assert "ferry.txt" in documents and str(port) not in documents and "127.0.0.1" not in documents
        assert bot.ingest().chunks_embedded == 0


def _wait_until_refused(port: int) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)
    raise AssertionError("the server did not go away")


# --- a full disk ---------------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 16 MB tmpfs: writes past it fail in the kernel with ENOSPC, as on a full disk (needs root, as CI has)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * (1 << 16))
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def test_a_full_disk_is_a_clear_error_that_loses_nothing(small_disk: Path, tmp_path: Path, sources_dir: Path,
                                                         make_assistant) -> None:
    from assistant.store import StoreFullError
    from assistant.ui import ChatUI

    (sources_dir / "ferry.txt").write_text("The Orrin Bay ferry sails to Kessel Point twice a day in summer.")
    settings = Settings(sources_dir=sources_dir, index_dir=small_disk / "index")
    bot = make_assistant(settings)
    bot.ingest()
    before = _records(bot)
    filler = _fill(small_disk)
    _write_corpus(sources_dir, 3)

    with pytest.raises(StoreFullError, match="is full: free some space"):
        bot.ingest()
    cli = CliRunner().invoke(main, ["ingest", "--sources", str(sources_dir), "--index", str(settings.index_dir)])
    assert cli.exit_code == 1 and "is full" in cli.output and "Traceback" not in cli.output
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "note.txt").write_text("Kessel Point has a lighthouse painted red and white.")
    _, note, _ = ChatUI(bot, upload_dir=incoming).add_documents([str(incoming / "note.txt")])
    assert "run out of disk space" in note and str(small_disk) not in note
    assert "Kessel Point" in bot.ask("Where does the Orrin Bay ferry sail to?").text
    assert {r for r in _records(bot) if r[2] == "ferry.txt"} == {r for r in before if r[2] == "ferry.txt"}

    filler.unlink()
    bot.ingest()
    clean = make_assistant(Settings(sources_dir=sources_dir, index_dir=tmp_path / "clean"))
    clean.ingest()
    assert _records(bot) == _records(clean)


# --- kill -9 of an ingest at several points --------------------------------------------------------------------

KILLER = """
import os, signal, sys
from assistant import Assistant, Settings
from assistant.store import ChunkStore

point, after = sys.argv[3], int(sys.argv[4])
original = getattr(ChunkStore, point)
calls = 0

def dying(self, *args, **kwargs):
    global calls
    calls += 1
    if calls > after:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, *args, **kwargs)

setattr(ChunkStore, point, dying)
Assistant(Settings(sources_dir=sys.argv[1], index_dir=sys.argv[2], embed_batch_size=1)).ingest()
"""


def test_an_ingest_killed_at_any_point_is_repaired_to_a_clean_build(tmp_path: Path, sources_dir: Path,
                                                                  make_assistant) -> None:
    import shutil
    import signal

    _write_corpus(sources_dir, 4)
    first = tmp_path / "first"
    make_assistant(Settings(sources_dir=sources_dir, index_dir=first)).ingest()
    # the second version: one document changed, one deleted, two added
    (sources_dir / "doc00.txt").write_text(PARAGRAPH.replace("Port Vella", "Port Changed"), encoding="utf-8")
    (sources_dir / "doc01.txt").unlink()
    for n in (7, 8):
        (sources_dir / f"doc{n:02}.txt").write_text(PARAGRAPH.replace("Port Vella", f"Port {n}"), encoding="utf-8")
    clean = make_assistant(Settings(sources_dir=sources_dir, index_dir=tmp_path / "clean"))
    clean.ingest()

    # (ChunkStore method, calls let through before the kill): first write, mid-way through the embedding,
    # while old chunks are dropped, just before the revision bump
    for point, after in (("upsert", 0), ("upsert", 2), ("delete", 0), ("bump_revision", 0)):
        index = tmp_path / f"killed-{point}-{after}"
        shutil.copytree(first, index)
        killed = subprocess.run([sys.executable, "-c", KILLER, str(sources_dir), str(index), point, str(after)],
                                env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, timeout=300,
                                check=False)
        assert killed.returncode == -signal.SIGKILL, (point, after, killed.stderr[-2000:])
        bot = make_assistant(Settings(sources_dir=sources_dir, index_dir=index))
        question = "How many cargo ships did the harbour authority of Port 2 inspect?"
        for citation in bot.ask(question).citations:  # a half-written index still answers; untouched files cite
            if citation.source in ("doc02.txt", "doc03.txt"):  # exactly (edited ones until the repair, as any edit)
                assert bot.source_text(citation.source)[citation.start:citation.end] == citation.quote
        bot.ingest()
        assert _records(bot) == _records(clean), (point, after)
        assert bot.ingest().chunks_embedded == 0
        for citation in bot.ask(question).citations:
            assert bot.source_text(citation.source)[citation.start:citation.end] == citation.quote
