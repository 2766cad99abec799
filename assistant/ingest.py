"""Incremental, idempotent ingestion: load -> find prose -> split -> hash -> embed -> upsert / delete.

Chunk ids derive from the document's source name, content hash and offsets, so re-running
over unchanged files embeds nothing, a changed file replaces exactly its own chunks, and an
ingest killed half-way is repaired by the next run (a document counts as indexed only when
all of its chunks carry its current hash and their number matches the recorded count).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .chunking import CHUNKER_VERSION, Chunk, Chunker
from .config import Settings
from .documents import (
    LOADER_VERSION,
    DocumentError,
    LoadedDocument,
    OutsideSourcesError,
    list_source_files,
    load_document,
)
from .embedding import Embedder
from .index_lock import ingest_lock
from .store import ChunkStore


@dataclass(frozen=True)
class SkippedFile:
    source: str
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did; `chunks_embedded == 0` on an unchanged re-run."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    chunks_embedded: int = 0
    seconds: float = 0.0
    rebuilt: str = ""  # why every document was re-indexed, when it was

    def to_dict(self) -> dict:
        """Plain data for JSON (tuples stay tuples; `json` writes them as lists)."""
        return asdict(self)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class _IndexedDocument:
    ids_by_hash: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    expected: dict[str, int] = field(default_factory=dict)

    def is_complete(self, content_hash: str) -> bool:
        return (set(self.ids_by_hash) == {content_hash}
                and len(self.ids_by_hash[content_hash]) == self.expected.get(content_hash))

    @property
    def all_ids(self) -> list[str]:
        return [i for ids in self.ids_by_hash.values() for i in ids]


class Ingestor:
    """Brings the store in line with the sources folder, touching only what changed."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder, chunker: Chunker) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.chunker = chunker

    def run(self, show_progress: bool = False, on_progress: Callable[[int, int], None] | None = None,
            on_wait: Callable[[str], None] | None = None) -> IngestReport:
        """One ingest, holding the index's inter-process lock (`on_wait` hears whom it waits for, if anyone)."""
        if not self.settings.sources_dir.is_dir():
            raise FileNotFoundError(f"Sources folder not found: {self.settings.sources_dir}")
        # The store is opened first: an index that cannot be opened (its folder is a file, a server is down) is a
        # StoreUnavailableError naming it, before the lock file is made next to it.
        _ = self.store.client
        with ingest_lock(self.settings, on_wait):
            return self._run(show_progress, on_progress)

    def _run(self, show_progress: bool, on_progress: Callable[[int, int], None] | None) -> IngestReport:
        began = time.perf_counter()
        sources_dir = self.settings.sources_dir
        fingerprint = index_fingerprint(self.settings, self.embedder)
        stale = self._stale_reason(fingerprint)
        if stale:  # chunks made another way cannot be mixed with new ones: start over
            self.store.recreate()
        loaded: list[LoadedDocument] = []
        to_index: list[LoadedDocument] = []
        unsplit: list[SkippedFile] = []  # loaded but not split into chunks: reported, previous chunks kept
        arrivals: queue.SimpleQueue[LoadedDocument | None] = queue.SimpleQueue()
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=2) as pool:
            # Files are parsed in the background: while Chroma reads the chunk metadata back (without the GIL), and
            # then while the first changed documents are embedded (the model runs without the GIL too).
            reading = pool.submit(self._indexed_documents)
            loading = pool.submit(self._load_all, sources_dir, arrivals, stop)
            try:
                indexed = reading.result()

                def changed() -> Iterator[LoadedDocument]:
                    for document in iter(arrivals.get, None):
                        loaded.append(document)
                        entry = indexed.get(document.source)
                        if not (entry and entry.is_complete(document.content_hash)):
                            to_index.append(document)
                            yield document

                embedded = self._index_documents(changed(), indexed, unsplit, show_progress, on_progress)
            finally:
                stop.set()
            skipped, refused = loading.result()
        # A file that cannot be read now keeps its chunks (it may be mid-copy); one that leads outside the folder
        # does not (the index must never quote what `source_text` refuses).
        unreadable = {s.source for s in skipped} - refused
        unchanged = [d.source for d in loaded if d not in to_index]
        removed = sorted(s for s in indexed if s not in {d.source for d in loaded} and s not in unreadable)

        skipped += unsplit
        to_index = [d for d in to_index if d.source not in {s.source for s in unsplit}]
        for source in removed:
            self.store.delete(indexed[source].all_ids)
        report = IngestReport(
            added=tuple(d.source for d in to_index if d.source not in indexed),
            updated=tuple(d.source for d in to_index if d.source in indexed),
            removed=tuple(removed), unchanged=tuple(unchanged), skipped=tuple(skipped),
            chunks_embedded=embedded, seconds=time.perf_counter() - began, rebuilt=stale,
        )
        if report.changed or stale or not self.store.revision():
            self.store.bump_revision(fingerprint)
        return report

    def _stale_reason(self, fingerprint: str) -> str:
        """Why the whole index must be rebuilt (its chunks were made another way), or "" when it need not be."""
        if not self.store.exists() or not self.store.count():
            return ""
        built = self.store.fingerprint()
        if built == fingerprint:
            return ""
        return (f"the index was built with other settings ({built or 'unrecorded'}; now {fingerprint}): "
                "every document is re-indexed")

    def _load_all(self, sources_dir: Path, arrivals: queue.SimpleQueue[LoadedDocument | None],
                  stop: threading.Event) -> tuple[list[SkippedFile], set[str]]:
        """Parse every source file into `arrivals` (then None), in order; return the files skipped, with reasons,
        and the names refused for leading outside the folder."""
        skipped: list[SkippedFile] = []
        refused: set[str] = set()
        try:
            for path in list_source_files(sources_dir):
                if stop.is_set():
                    break
                name = path.relative_to(sources_dir).as_posix()
                try:
                    arrivals.put(load_document(path, sources_dir, self.settings.max_file_bytes))
                except DocumentError as error:
                    skipped.append(SkippedFile(name, str(error)))
                    if isinstance(error, OutsideSourcesError):
                        refused.add(name)
                except OSError as error:
                    skipped.append(SkippedFile(name, f"cannot read: {error.strerror}"))
        finally:
            arrivals.put(None)
        return skipped, refused

    def _indexed_documents(self) -> dict[str, _IndexedDocument]:
        indexed: dict[str, _IndexedDocument] = defaultdict(_IndexedDocument)
        for chunk_id, _, meta in self.store.iter_records(include_text=False):
            entry = indexed[str(meta["source"])]
            entry.ids_by_hash[str(meta["doc_hash"])].append(chunk_id)
            entry.expected[str(meta["doc_hash"])] = int(meta["chunk_count"])
        return dict(indexed)

    def _index_documents(  # noqa: C901 - one streaming loop: split, batch, embed, hand to the writer
            self, documents: Iterable[LoadedDocument], indexed: dict[str, _IndexedDocument],
            unsplit: list[SkippedFile], show_progress: bool,
            on_progress: Callable[[int, int], None] | None) -> int:
        """Split, embed and store documents as they arrive; Chroma writes overlap with embedding the next batch.

        Batches are taken in arrival order (a model batch is length-sorted by the embedder itself); a document's
        older chunks are dropped once all of its new ones are stored, so a crash never leaves it empty. A document
        that cannot be split (or splits into nothing, or into more than `max_document_chunks`: no single document
        may cost time out of proportion) goes to `unsplit` with the cause, keeps whatever version of it was indexed
        before, and the others go on.
        """
        batch_size = self.settings.embed_batch_size * 8
        pending: list[_PlannedChunk] = []
        left: dict[str, int] = {}  # chunks of each document not stored yet (counted down by the writer)
        planned = embedded = 0

        def store(batch: list[_PlannedChunk], vectors: np.ndarray) -> None:
            self.store.upsert([p.chunk.id for p in batch], vectors, [p.chunk.text for p in batch],
                              [p.metadata() for p in batch])
            for p in batch:
                left[p.document.source] -= 1
                if not left[p.document.source]:
                    self._drop_older_versions(p.document, indexed)

        with tqdm(total=0, unit="chunk", desc="Embedding", disable=not show_progress) as bar, \
                ThreadPoolExecutor(max_workers=1) as writer:
            writes: list[Future[None]] = []

            def embed(batch: list[_PlannedChunk]) -> None:
                nonlocal embedded
                vectors = self.embedder.embed_batch([p.chunk.embedding_text for p in batch])
                for write in writes:  # a failed write stops the run before more is embedded
                    if write.done():
                        write.result()
                writes.append(writer.submit(store, batch, vectors))
                embedded += len(batch)
                bar.update(len(batch))
                if on_progress:
                    on_progress(embedded, planned)

            for document in documents:
                try:
                    chunks = self.chunker.split(document)
                except Exception as error:  # one bad file never stops the ingest: it is reported with the cause
                    unsplit.append(SkippedFile(document.source, f"cannot be split into chunks: "
                                                                f"{type(error).__name__}: {error}"))
                    continue
                if not chunks:
                    unsplit.append(SkippedFile(document.source, "no text to index after splitting into sentences"))
                    continue
                if len(chunks) > self.settings.max_document_chunks:
                    unsplit.append(SkippedFile(document.source, f"it would make {len(chunks):,} chunks; the limit is "
                                                                f"{self.settings.max_document_chunks:,} per document "
                                                                "(max_document_chunks)"))
                    continue
                left[document.source] = len(chunks)
                pending += [_PlannedChunk(document, chunk, len(chunks)) for chunk in chunks]
                planned += len(chunks)
                bar.total = planned
                while len(pending) >= batch_size:
                    embed(pending[:batch_size])
                    pending = pending[batch_size:]
            if pending:
                embed(pending)
            for write in writes:
                write.result()
        return embedded

    def _drop_older_versions(self, document: LoadedDocument, indexed: dict[str, _IndexedDocument]) -> None:
        """Called once a document's new chunks are all stored, so a crash never leaves it empty."""
        old = indexed.get(document.source)
        if old:
            self.store.delete([i for h, ids in old.ids_by_hash.items() if h != document.content_hash for i in ids])


@dataclass(frozen=True)
class _PlannedChunk:
    document: LoadedDocument
    chunk: Chunk
    chunk_count: int

    def metadata(self) -> dict:
        d = self.document
        c = self.chunk
        return {"source": d.source, "title": d.title, "publication": d.publication, "start": c.start, "end": c.end,
                "section": c.section, "page": c.page if c.page is not None else -1, "sentences": c.sentences_json(),
                "doc_hash": d.content_hash, "chunk_count": self.chunk_count}


def index_fingerprint(settings: Settings, embedder: Embedder) -> str:
    """Everything a stored chunk depends on besides its document: a change means the index is stale."""
    return (f"chunk_tokens={settings.chunk_tokens} overlap={settings.chunk_overlap} embedder={embedder.name} "
            f"loader={LOADER_VERSION} chunker={CHUNKER_VERSION}")
