"""One ingest at a time per index, across processes: a lock file that also says who holds it.

The lock is the kernel's (`filelock` over `flock`), so a holder killed with -9 releases it at
once and no stale lock is ever left to clear by hand. The holder writes its pid, host,
command and start time into the lock file, so a second `assistant ingest` can say whom it
waits for, and, past `Settings.ingest_lock_wait` seconds, give up with `IndexBusyError`.

For the embedded store the lock file sits in the index folder; for a Chroma server it sits in
the temporary folder, named after the server and collection, so it serialises the ingests
started on this machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .config import Settings

LOCK_NAME = "ingest.lock"


class IndexBusyError(RuntimeError):
    """Another ingest holds the index for longer than this one was willing to wait."""


def lock_path(settings: Settings) -> Path:
    if not settings.chroma_host:
        return settings.index_dir / LOCK_NAME
    key = f"{settings.chroma_host}:{settings.chroma_port}/{settings.collection}"
    return Path(tempfile.gettempdir()) / f"sources-assistant-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock"


@contextmanager
def ingest_lock(settings: Settings, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's ingest lock for the block; say whom it waits for, and give up after the configured wait."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, on_acquired=_write_holder, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = describe_holder(path)
        if on_wait:
            on_wait(f"Waiting for another ingest ({holder}) to finish with the index…")
        try:
            lock.acquire(timeout=settings.ingest_lock_wait)
        except Timeout:
            raise IndexBusyError(f"Another ingest ({holder}) is still updating the index after "
                                 f"{settings.ingest_lock_wait:g} s: try again when it has finished.") from None
    try:
        yield
    finally:
        lock.release()


def describe_holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it ("pid 123 on host, `assistant ingest`, since 12:00:01")."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        since = time.strftime("%H:%M:%S", time.localtime(float(holder["since"])))
        return f"pid {int(holder['pid'])} on {holder['host']}, `{holder['command']}`, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not said who it is yet"


def _write_holder(descriptor: int) -> None:
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    program = "assistant" if program in ("assistant", "__main__.py") else program
    command = " ".join([program, *sys.argv[1:2]])[:80]
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "since": time.time()}
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(holder).encode(), 0)
