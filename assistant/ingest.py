"""Incremental, idempotent ingestion: load -> find prose -> split -> hash -> embed -> upsert / delete.

Chunk ids derive from the document's source name, content hash and offsets, so re-running
over unchanged files embeds nothing, a changed file replaces exactly its own chunks, and an
ingest killed half-way is repaired by the next run (a document counts as indexed only when
all of its chunks carry its current hash and their number matches the recorded count).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from tqdm import tqdm

from .chunking import CHUNKER_VERSION, Chunk, Chunker
from .config import Settings
from .documents import LOADER_VERSION, DocumentError, LoadedDocument, list_source_files, load_document
from .embedding import Embedder
from .store import ChunkStore

_GROUP_BATCHES = 64  # documents are embedded in groups of about this many model batches


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

    def run(self, show_progress: bool = False, on_progress: Callable[[int, int], None] | None = None) -> IngestReport:
        began = time.perf_counter()
        sources_dir = self.settings.sources_dir
        if not sources_dir.is_dir():
            raise FileNotFoundError(f"Sources folder not found: {sources_dir}")
        fingerprint = index_fingerprint(self.settings, self.embedder)
        stale = self._stale_reason(fingerprint)
        if stale:  # chunks made another way cannot be mixed with new ones: start over
            self.store.delete([chunk_id for chunk_id, _, _ in self.store.iter_records(include_text=False)])
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Chroma reads the chunk metadata without holding the GIL, so it overlaps with parsing the files.
            reading = pool.submit(self._indexed_documents)
            loaded, skipped = self._load_all(sources_dir)
            indexed = reading.result()
        unreadable = {s.source for s in skipped}

        to_index = [d for d in loaded if not (d.source in indexed and indexed[d.source].is_complete(d.content_hash))]
        unchanged = [d.source for d in loaded if d not in to_index]
        removed = sorted(s for s in indexed if s not in {d.source for d in loaded} and s not in unreadable)

        embedded = self._index_documents(to_index, indexed, show_progress, on_progress)
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

    def _load_all(self, sources_dir) -> tuple[list[LoadedDocument], list[SkippedFile]]:
        loaded, skipped = [], []
        for path in list_source_files(sources_dir):
            try:
                loaded.append(load_document(path, sources_dir, self.settings.max_file_bytes))
            except DocumentError as error:
                skipped.append(SkippedFile(path.relative_to(sources_dir).as_posix(), str(error)))
            except OSError as error:
                skipped.append(SkippedFile(path.relative_to(sources_dir).as_posix(), f"cannot read: {error.strerror}"))
        return loaded, skipped

    def _indexed_documents(self) -> dict[str, _IndexedDocument]:
        indexed: dict[str, _IndexedDocument] = defaultdict(_IndexedDocument)
        for chunk_id, _, meta in self.store.iter_records(include_text=False):
            entry = indexed[str(meta["source"])]
            entry.ids_by_hash[str(meta["doc_hash"])].append(chunk_id)
            entry.expected[str(meta["doc_hash"])] = int(meta["chunk_count"])
        return dict(indexed)

    def _index_documents(self, documents: list[LoadedDocument], indexed: dict[str, _IndexedDocument],
                         show_progress: bool, on_progress: Callable[[int, int], None] | None) -> int:
        planned = [_PlannedChunk(d, c, len(chunks), i == len(chunks) - 1)
                   for d in documents for chunks in [self.chunker.split(d)] for i, c in enumerate(chunks)]
        embedded = 0
        if on_progress:
            on_progress(0, len(planned))
        batch_size = self.settings.embed_batch_size * 8
        with tqdm(total=len(planned), unit="chunk", desc="Embedding", disable=not show_progress) as bar:
            for group in _document_groups(planned, self.settings.embed_batch_size * _GROUP_BATCHES):
                # Length-sorted within a group of whole documents, so each model batch pads little.
                group = sorted(group, key=lambda p: -len(p.chunk.text))
                for begin in range(0, len(group), batch_size):
                    batch = group[begin:begin + batch_size]
                    vectors = self.embedder.embed_batch([p.chunk.embedding_text for p in batch])
                    self.store.upsert([p.chunk.id for p in batch], vectors, [p.chunk.text for p in batch],
                                      [p.metadata() for p in batch])
                    embedded += len(batch)
                    bar.update(len(batch))
                    if on_progress:
                        on_progress(embedded, len(planned))
                for done in (p for p in group if p.is_last):
                    self._drop_older_versions(done.document, indexed)
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
    is_last: bool

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


def _document_groups(planned: list[_PlannedChunk], size: int) -> Iterator[list[_PlannedChunk]]:
    """Consecutive whole documents, about `size` chunks a group (a crash leaves at most one group partial)."""
    group: list[_PlannedChunk] = []
    for chunk in planned:
        group.append(chunk)
        if chunk.is_last and len(group) >= size:
            yield group
            group = []
    if group:
        yield group
