"""The Chroma collection of chunks: an embedded PersistentClient, or an HttpClient to a server.

Chroma is the single source of truth: which documents are indexed (and at which content
hash) is read back from chunk metadata, so several processes can share one server.
"""

from __future__ import annotations

import errno
import functools
import inspect
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

from . import phrases
from .chunking import Sentence, decode_sentences, under_section
from .config import Settings

_PAGE = 5000


class StoreUnavailableError(RuntimeError):
    """The Chroma server cannot be reached, or the store cannot be opened or read."""


class StoreFullError(StoreUnavailableError):
    """The disk holding the index is full: nothing more can be written until space is freed."""


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _store_errors(method: _Method) -> _Method:
    """Every `ChunkStore` call goes through here: whatever Chroma raises becomes one `StoreUnavailableError`
    (`StoreFullError` when the disk is full), saying what happened and where.

    chromadb reports a lost server as `ValueError`, `httpx` errors, bare `Exception` (HTTP status) or
    `ChromaError`, and a broken embedded store as `sqlite3`/`OSError` variants, so all of them are caught;
    the message names the store and keeps the cause. Generators are wrapped while they are iterated.
    """

    def unavailable(store: ChunkStore, error: Exception) -> StoreUnavailableError:
        location = store.settings.store_location
        if _disk_full(error):
            return StoreFullError(phrases.STORE_DISK_FULL.format(location=location))
        cause = f"{type(error).__name__}: {error}"
        phrase = phrases.STORE_SERVER_DOWN if store.settings.chroma_host else phrases.STORE_FAILED
        return StoreUnavailableError(phrase.format(location=location, cause=cause))

    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(self: ChunkStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except StoreUnavailableError:
                raise
            except Exception as error:
                raise unavailable(self, error) from error

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def wrapper(self: ChunkStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreUnavailableError:
            raise
        except Exception as error:
            raise unavailable(self, error) from error

    return wrapper  # type: ignore[return-value]


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
    doc_hash: str = field(default="", repr=False, compare=False)  # the document version the chunk belongs to
    chunk_count: int = field(default=0, repr=False, compare=False)  # chunks of that version (0: not recorded)

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> StoredChunk:
        page = int(meta.get("page", -1))
        return cls(chunk_id, text, str(meta["source"]), str(meta.get("title", "")), str(meta.get("publication", "")),
                   int(meta["start"]), int(meta["end"]), str(meta.get("section", "")), page if page >= 0 else None,
                   score, str(meta.get("sentences", "")), str(meta.get("doc_hash", "")),
                   int(meta.get("chunk_count", 0)))

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

    @cached_property
    @_store_errors
    def client(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host:
            return chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                       settings=chroma_settings)
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.settings.index_dir), settings=chroma_settings)

    @_store_errors
    def exists(self) -> bool:
        """True when the collection has been created (by an ingest); once true, not asked again."""
        if self._exists:
            return True
        if not self.settings.chroma_host and not (self.settings.index_dir / "chroma.sqlite3").exists():
            return False
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        self._exists = self.settings.collection in names
        return self._exists

    @cached_property
    @_store_errors
    def collection(self):
        return self.client.get_or_create_collection(
            self.settings.collection, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": 64}},
        )

    @_store_errors
    def recreate(self) -> None:
        """Drop every chunk by dropping the collection and making it anew, so a full rebuild starts from a clean
        vector index. Deleting every record and adding the new ones instead leaves Chroma's HNSW graph full of
        deleted nodes; after several such rebuilds, queries in the rebuilding process were seen to miss live
        records (an eval corpus's hit@5 0.82 instead of 0.95, right after the rebuild only)."""
        if self.exists():
            self.client.delete_collection(self.settings.collection)
        self.__dict__.pop("collection", None)
        self._exists = False

    @_store_errors
    def count(self) -> int:
        return self.collection.count()

    @_store_errors
    def revision(self) -> str:
        """Changes whenever an ingest changes the collection; readers use it to refresh caches."""
        return self._metadata("revision")

    @_store_errors
    def fingerprint(self) -> str:
        """How the stored chunks were made (see `ingest.index_fingerprint`); empty for an index from before it."""
        return self._metadata("fingerprint")

    def _metadata(self, key: str) -> str:
        """One value of the collection's metadata as stored now (another process may have changed it)."""
        fresh = self.client.get_collection(self.settings.collection, embedding_function=None)
        return str((fresh.metadata or {}).get(key, ""))

    @_store_errors
    def bump_revision(self, fingerprint: str) -> None:
        self.collection.modify(metadata={"revision": uuid.uuid4().hex, "fingerprint": fingerprint})

    @_store_errors
    def upsert(self, ids: Sequence[str], embeddings: np.ndarray, texts: Sequence[str],
               metadatas: Sequence[dict[str, Any]]) -> None:
        step = self.client.get_max_batch_size()
        for i in range(0, len(ids), step):
            self.collection.upsert(ids=list(ids[i:i + step]), embeddings=embeddings[i:i + step],
                                   documents=list(texts[i:i + step]), metadatas=list(metadatas[i:i + step]))

    @_store_errors
    def delete(self, ids: Sequence[str]) -> None:
        step = self.client.get_max_batch_size()
        for i in range(0, len(ids), step):
            self.collection.delete(ids=list(ids[i:i + step]))

    @_store_errors
    def iter_records(self, include_text: bool) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
        """Every (id, text, metadata) in the collection, read in pages."""
        for page in self._pages(["metadatas", "documents"] if include_text else ["metadatas"]):
            texts = page["documents"] if include_text else [None] * len(page["ids"])
            yield from zip(page["ids"], texts, page["metadatas"], strict=True)

    @_store_errors
    def vectors(self) -> tuple[list[str], np.ndarray]:
        """Every chunk's id and embedding, read in pages (for an exact search over a small collection)."""
        ids: list[str] = []
        rows: list[np.ndarray] = []
        for page in self._pages(["embeddings"]):
            ids += page["ids"]
            if page["ids"]:
                rows.append(np.asarray(page["embeddings"], dtype=np.float32))
        return ids, np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def _pages(self, include: list[str]) -> Iterator[Any]:
        """The whole collection, `_PAGE` records at a time."""
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=_PAGE, offset=offset)
            yield page
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    @_store_errors
    def count_version(self, source: str, doc_hash: str) -> int:
        """How many chunks of one document version are stored now (an ingest may still be writing them)."""
        page = self.collection.get(where={"$and": [{"source": source}, {"doc_hash": doc_hash}]}, include=[])
        return len(page["ids"])

    @_store_errors
    def query(self, embedding: np.ndarray, k: int) -> list[StoredChunk]:
        """Nearest chunks by cosine similarity (score = 1 - distance), best first."""
        if k <= 0:
            return []
        # No count() first: it scans the collection (~10 ms at 100k chunks) and Chroma already returns fewer than k
        # results, or none, when the collection is smaller.
        result = self.collection.query(query_embeddings=[embedding], n_results=k,
                                       include=["metadatas", "documents", "distances"])
        return [StoredChunk.from_record(i, t, m, 1.0 - float(d)) for i, t, m, d in
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0],
                    strict=True)]


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
