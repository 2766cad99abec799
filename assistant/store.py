"""The Chroma collection of chunks: an embedded PersistentClient, or an HttpClient to a server.

Chroma is the single source of truth: which documents are indexed (and at which content
hash) is read back from chunk metadata, so several processes can share one server.
"""

from __future__ import annotations

import errno
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .chunking import Sentence, decode_sentences, under_section
from .config import Settings

_PAGE = 5000


class StoreUnavailableError(RuntimeError):
    """The Chroma server cannot be reached, or the store cannot be opened."""


class StoreFullError(StoreUnavailableError):
    """The disk holding the index is full: nothing more can be written until space is freed."""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as it comes back from the store."""

    id: str
    text: str
    source: str
    title: str
    publication: str
    start: int
    end: int
    section: str = ""
    page: int | None = None
    score: float = 0.0
    encoded_sentences: str = field(default="", repr=False)

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> StoredChunk:
        page = int(meta.get("page", -1))
        return cls(chunk_id, text, str(meta["source"]), str(meta.get("title", "")), str(meta.get("publication", "")),
                   int(meta["start"]), int(meta["end"]), str(meta.get("section", "")), page if page >= 0 else None,
                   score, str(meta.get("sentences", "")))

    @cached_property
    def sentences(self) -> tuple[Sentence, ...]:
        """The chunk's sentences (offsets relative to the chunk), decoded only for the chunks an answer reads."""
        return decode_sentences(self.encoded_sentences)

    @property
    def searchable_text(self) -> str:
        """The text keyword search indexes: the chunk under its section path (as it was embedded)."""
        return under_section(self.section, self.text)


class ChunkStore:
    """Thin wrapper over one Chroma collection; construction is cheap, the client opens on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._exists = False

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Every Chroma call runs inside this: whatever the store raises (a dropped server, a full disk, a locked or
        damaged file) leaves as one `StoreUnavailableError` saying what happened and where."""
        try:
            yield
        except StoreUnavailableError:
            raise
        except Exception as error:  # chromadb, httpx and sqlite raise many unrelated types for the same few faults
            kind = StoreFullError if _disk_full(error) else StoreUnavailableError
            raise kind(self._explain(error)) from error

    def _explain(self, error: Exception) -> str:
        location = self.settings.store_location
        if _disk_full(error):
            return (f"The disk holding the index at {location} is full: free some space, then run the ingest again "
                    "(what was indexed before is kept).")
        if self.settings.chroma_host:
            return f"Cannot reach the Chroma server at {location}: {error}"
        return f"Cannot read or write the index at {location}: {error}"

    @cached_property
    def client(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        with self._reaching():  # chromadb raises bare ValueError/ConnectionError variants
            if self.settings.chroma_host:
                return chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                           settings=chroma_settings)
            self.settings.index_dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.settings.index_dir), settings=chroma_settings)

    def exists(self) -> bool:
        """True when the collection has been created (by an ingest); once true, not asked again."""
        if self._exists:
            return True
        if not self.settings.chroma_host and not (self.settings.index_dir / "chroma.sqlite3").exists():
            return False
        with self._reaching():
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        self._exists = self.settings.collection in names
        return self._exists

    @cached_property
    def collection(self):
        with self._reaching():
            return self.client.get_or_create_collection(
                self.settings.collection, embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": 64}},
            )

    def count(self) -> int:
        with self._reaching():
            return self.collection.count()

    def revision(self) -> str:
        """Changes whenever an ingest changes the collection; readers use it to refresh caches."""
        with self._reaching():
            fresh = self.client.get_collection(self.settings.collection, embedding_function=None)
        return str((fresh.metadata or {}).get("revision", ""))

    def fingerprint(self) -> str:
        """How the stored chunks were made (see `ingest.index_fingerprint`); empty for an index from before it."""
        with self._reaching():
            return str((self.collection.metadata or {}).get("fingerprint", ""))

    def bump_revision(self, fingerprint: str) -> None:
        with self._reaching():
            self.collection.modify(metadata={"revision": uuid.uuid4().hex, "fingerprint": fingerprint})

    def upsert(self, ids: Sequence[str], embeddings: np.ndarray, texts: Sequence[str],
               metadatas: Sequence[dict[str, Any]]) -> None:
        with self._reaching():
            step = self.client.get_max_batch_size()
            for i in range(0, len(ids), step):
                self.collection.upsert(ids=list(ids[i:i + step]), embeddings=embeddings[i:i + step],
                                       documents=list(texts[i:i + step]), metadatas=list(metadatas[i:i + step]))

    def delete(self, ids: Sequence[str]) -> None:
        with self._reaching():
            step = self.client.get_max_batch_size()
            for i in range(0, len(ids), step):
                self.collection.delete(ids=list(ids[i:i + step]))

    def iter_records(self, include_text: bool) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
        """Every (id, text, metadata) in the collection, read in pages."""
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        offset = 0
        while True:
            with self._reaching():
                page = self.collection.get(include=include, limit=_PAGE, offset=offset)
            ids = page["ids"]
            texts = page["documents"] if include_text else [None] * len(ids)
            yield from zip(ids, texts, page["metadatas"], strict=True)
            if len(ids) < _PAGE:
                return
            offset += _PAGE

    def query(self, embedding: np.ndarray, k: int) -> list[StoredChunk]:
        """Nearest chunks by cosine similarity (score = 1 - distance), best first."""
        if k <= 0:
            return []
        # No count() first: it scans the collection (~10 ms at 100k chunks) and Chroma already returns fewer than k
        # results, or none, when the collection is smaller.
        with self._reaching():
            result = self.collection.query(query_embeddings=[embedding], n_results=k,
                                           include=["metadatas", "documents", "distances"])
        return [StoredChunk.from_record(i, t, m, 1.0 - float(d)) for i, t, m, d in
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True)]

    def get(self, ids: Sequence[str]) -> list[StoredChunk]:
        if not ids:
            return []
        with self._reaching():
            page = self.collection.get(ids=list(ids), include=["metadatas", "documents"])
        by_id = {i: StoredChunk.from_record(i, t, m) for i, t, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True)}
        return [by_id[i] for i in ids if i in by_id]


def _disk_full(error: BaseException) -> bool:
    """Whether an error, or one it was raised from, is the disk running out of space."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "disk is full" in str(seen).lower() or "no space left" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False
