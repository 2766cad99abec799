"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by reciprocal rank.

The BM25 side is rebuilt from the store's own contents whenever the collection's revision
changes, so a shared Chroma server stays the single source of truth for every process. Only the
first snapshot of a process is built while a question waits; later ones are built in a background
thread while questions keep using the previous snapshot (dense search sees new chunks at once),
so no question ever waits for a rebuild.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .aliases import AliasTable, find_aliases
from .store import ChunkStore, StoredChunk
from .text import introduces_what_follows, terms

RRF_K = 60
GUARANTEED_PER_RETRIEVER = 2  # each retriever's best two are always among the fused hits
FOLLOWING_CHUNKS = 4  # a list introduced at the end of a hit is read on through this many chunks after it
EXACT_SEARCH_CHUNKS = 50_000  # up to this many chunks (75 MB of vectors) dense search is exact, not HNSW
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retrieved:
    """A fused hit: the chunk, its fused score, and its rank in each retriever (None if absent)."""

    chunk: StoredChunk
    score: float
    dense_rank: int | None
    lexical_rank: int | None


@dataclass(frozen=True)
class TermStatistics:
    """How often each stemmed term occurs across the chunks of one snapshot: what answerers weigh terms by."""

    document_frequency: Mapping[str, int]
    chunks: int

    @classmethod
    def of(cls, texts: Iterable[str]) -> TermStatistics:
        frequency: dict[str, int] = {}
        count = 0
        for text in texts:
            count += 1
            for term in set(terms(text)):
                frequency[term] = frequency.get(term, 0) + 1
        return cls(frequency, count)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term over chunks (rarer terms weigh more)."""
        n = max(self.chunks, 1)
        return float(np.log(1 + (n + 1) / (self.document_frequency.get(term, 0) + 0.5)))

    def rarity(self, name: str) -> float:
        """IDF of the rarest corpus word in a name; 0 if the corpus never uses it (it cannot help find anything)."""
        return max((self.idf(t) for t in terms(name) if t in self.document_frequency), default=0.0)


@dataclass(frozen=True)
class Retrieval:
    """What one question retrieved, all from one snapshot: the fused hits, best first, and that snapshot's
    term statistics (so an answerer never needs the snapshot itself)."""

    hits: tuple[Retrieved, ...]
    statistics: TermStatistics
    revision: str = ""
    # The chunks right after a hit that ends by introducing a list ("…the following keys:"), where its items are:
    # read for those items only, never searched or ranked as hits.
    following: tuple[StoredChunk, ...] = ()


class CorpusSnapshot:
    """Everything derived from the whole collection at one revision: BM25 index, texts, aliases, term statistics."""

    def __init__(self, revision: str, records: Sequence[tuple[str, str | None, dict[str, Any]]],
                 vectors: tuple[list[str], np.ndarray] | None = None) -> None:
        import bm25s
        import Stemmer

        self.revision = revision
        self.chunks = [StoredChunk.from_record(i, t or "", m) for i, t, m in complete_documents(records)]
        self.ids = frozenset(c.id for c in self.chunks)
        self.aliases: AliasTable = find_aliases(c.text for c in self.chunks)
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25 = bm25s.BM25()
        if self.chunks:
            tokens = bm25s.tokenize([c.searchable_text for c in self.chunks], stopwords="en", stemmer=self._stemmer,
                                    show_progress=False)
            self._bm25.index(tokens, show_progress=False)
        self.statistics = TermStatistics.of(c.searchable_text for c in self.chunks)
        self._vectors: np.ndarray | None = None  # rows aligned with self.chunks, for an exact dense search
        if vectors is not None:
            row = {chunk_id: i for i, chunk_id in enumerate(vectors[0])}
            if all(c.id in row for c in self.chunks) and len(vectors[0]):
                self._vectors = vectors[1][[row[c.id] for c in self.chunks]]
        self._in_document: dict[tuple[str, str], list[StoredChunk]] = {}  # each document's chunks in reading order
        for chunk in self.chunks:
            self._in_document.setdefault((chunk.source, chunk.doc_hash), []).append(chunk)
        for chunks in self._in_document.values():
            chunks.sort(key=lambda c: c.start)

    def nearest(self, vector: np.ndarray, k: int) -> list[StoredChunk] | None:
        """The k chunks nearest the vector by cosine, searched exactly; None when the snapshot holds no vectors."""
        if self._vectors is None:
            return None
        similarity = self._vectors @ vector
        k = min(k, len(similarity))
        candidates = np.argpartition(-similarity, k - 1)[:k] if k else np.zeros(0, dtype=int)
        best = sorted(candidates.tolist(), key=lambda i: (-similarity[i], i))
        return [replace(self.chunks[i], score=float(similarity[i])) for i in best]

    def after(self, chunk: StoredChunk, n: int) -> list[StoredChunk]:
        """The next `n` chunks of the chunk's document, in reading order."""
        chunks = self._in_document.get((chunk.source, chunk.doc_hash), [])
        first = bisect.bisect_right(chunks, chunk.start, key=lambda c: c.start)
        return chunks[first:first + n]

    def lexical(self, query: str, k: int) -> list[tuple[StoredChunk, float]]:
        """BM25 over the chunks; chunks sharing no term with the query are left out."""
        import bm25s

        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False, return_ids=False)
        if not self.chunks or not tokens or not tokens[0]:
            return []
        ids, scores = self._bm25.retrieve(tokens, k=min(k, len(self.chunks)), show_progress=False)
        return [(self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]



def complete_documents(records: Sequence[tuple[str, str | None, dict[str, Any]]],
                       ) -> list[tuple[str, str | None, dict[str, Any]]]:
    """The records of documents whose every chunk is stored (as many as each chunk's `chunk_count` says).

    An ingest writes a document's chunks in batches and commits nothing atomically, so while it
    runs (or after it was killed) a document can be partly stored: readers leave it out and keep
    answering from the documents that were complete, without waiting for the writer.
    """
    stored = Counter((str(m.get("source")), str(m.get("doc_hash"))) for _, _, m in records)
    return [(i, t, m) for i, t, m in records
            if "chunk_count" not in m
            or stored[(str(m.get("source")), str(m.get("doc_hash")))] == int(m["chunk_count"])]


class HybridRetriever:
    """Dense + BM25, fused with reciprocal rank fusion; the snapshot follows the store's revision."""

    def __init__(self, store: ChunkStore, retrieve_k: int, fused_k: int) -> None:
        self.store = store
        self.retrieve_k = retrieve_k
        self.fused_k = fused_k
        self._snapshot: CorpusSnapshot | None = None
        self._lock = threading.Lock()  # guards _snapshot and _rebuild
        self._build_lock = threading.Lock()  # one build at a time
        self._rebuild: threading.Thread | None = None

    def snapshot(self) -> CorpusSnapshot:
        """The snapshot to answer from (one revision read): the current one, even while a newer revision is built in
        the background. Only a process's first call builds one while the caller waits (nothing older exists).
        """
        revision = self.store.revision()
        with self._lock:
            current = self._snapshot
            if current is not None:
                if current.revision != revision and self._rebuild is None:
                    self._rebuild = threading.Thread(target=self._rebuild_in_background, args=(revision,),
                                                     name="bm25-rebuild", daemon=True)
                    self._rebuild.start()
                return current
        return self.refresh(revision)

    def refresh(self, revision: str | None = None) -> CorpusSnapshot:
        """Build the snapshot of the store's contents now and make it current; questions meanwhile use the old one."""
        with self._build_lock:
            revision = revision or self.store.revision()
            current = self._snapshot
            if current is not None and current.revision == revision:
                return current
            records = list(self.store.iter_records(include_text=True))
            # HNSW is approximate, and a graph rebuilt by another process can miss near neighbours; a small
            # collection is searched exactly instead, from vectors read with the snapshot.
            vectors = self.store.vectors() if len(records) <= EXACT_SEARCH_CHUNKS else None
            fresh = CorpusSnapshot(revision, records, vectors)
            with self._lock:
                self._snapshot = fresh
            return fresh

    def refresh_if_loaded(self) -> None:
        """After an ingest in this process: bring a snapshot already in use up to date, so the next question
        sees the new chunks (a process that never asked builds nothing)."""
        if self._snapshot is not None:
            self.refresh()

    def wait_for_rebuild(self, timeout: float | None = None) -> bool:
        """Block until no background rebuild is running (for tests and benchmarks); False on timeout."""
        with self._lock:
            rebuild = self._rebuild
        if rebuild is not None:
            rebuild.join(timeout)
            return not rebuild.is_alive()
        return True

    def _rebuild_in_background(self, revision: str) -> None:
        try:
            self.refresh(revision)
        except Exception:  # the store went away mid-read: keep the previous snapshot, retry on the next question
            log.warning("rebuilding the keyword index failed; questions keep the previous one", exc_info=True)
        finally:
            with self._lock:
                self._rebuild = None

    def retrieve(self, query: str, query_vector: np.ndarray, snapshot: CorpusSnapshot) -> Retrieval:
        """Fused hits for the query plus the statistics of `snapshot`, the one the caller took for this question
        (required, so one question never reads two revisions)."""
        dense = self._complete(self.store.query(query_vector, self.retrieve_k), snapshot)
        exact = snapshot.nearest(query_vector, self.retrieve_k)
        if exact is not None:  # a small collection: the snapshot's chunks searched exactly, plus any stored since
            newer = [c for c in dense if c.id not in snapshot.ids]
            dense = sorted(exact + newer, key=lambda c: -c.score)[:self.retrieve_k]
        lexical = [chunk for chunk, _ in snapshot.lexical(query, self.retrieve_k)]
        hits = with_each_retrievers_best(reciprocal_rank_fusion(dense, lexical), self.fused_k)
        found = {hit.chunk.id for hit in hits}
        following = {c.id: c for hit in hits if introduces_what_follows(hit.chunk.text)
                     for c in snapshot.after(hit.chunk, FOLLOWING_CHUNKS) if c.id not in found}
        return Retrieval(tuple(hits), snapshot.statistics, snapshot.revision, tuple(following.values()))

    def _complete(self, dense: list[StoredChunk], snapshot: CorpusSnapshot) -> list[StoredChunk]:
        """Dense hits, never from a document an ingest is still writing (or was killed writing): chunks of the
        snapshot are complete; any other (newer than the snapshot, seen at once by dense search) is kept only when
        every chunk of its document version is stored."""
        complete: dict[tuple[str, str], bool] = {}
        kept = []
        for chunk in dense:
            if chunk.id not in snapshot.ids:
                key = (chunk.source, chunk.doc_hash)
                if key not in complete:
                    complete[key] = (not chunk.chunk_count
                                     or self.store.count_version(chunk.source, chunk.doc_hash) == chunk.chunk_count)
                if not complete[key]:
                    continue
            kept.append(chunk)
        return kept


def with_each_retrievers_best(fused: list[Retrieved], k: int) -> list[Retrieved]:
    """The first k fused hits, but never without either retriever's own best `GUARANTEED_PER_RETRIEVER`: when every
    passage shares the question's words (a document about the very thing asked), keyword ranks are noise, and rank
    fusion alone would push out the passage that means the question best because keyword search ranked it low."""
    def guaranteed(hit: Retrieved) -> bool:
        return any(rank is not None and rank <= GUARANTEED_PER_RETRIEVER for rank in (hit.dense_rank, hit.lexical_rank))

    kept = fused[:k]
    for best in (hit for hit in fused[k:] if guaranteed(hit)):
        droppable = [hit for hit in kept if not guaranteed(hit)]
        if not droppable:
            break
        kept.remove(droppable[-1])  # the lowest fused hit that no retriever put first
        kept.append(best)
    return sorted(kept, key=lambda hit: -hit.score)


def reciprocal_rank_fusion(dense: list[StoredChunk], lexical: list[StoredChunk]) -> list[Retrieved]:
    """Fuse two rankings: score = sum over rankings of 1 / (RRF_K + rank)."""
    chunks: dict[str, StoredChunk] = {}
    dense_rank = {c.id: r for r, c in enumerate(dense, 1)}
    lexical_rank = {c.id: r for r, c in enumerate(lexical, 1)}
    for chunk in [*dense, *lexical]:
        chunks.setdefault(chunk.id, chunk)
    fused = [
        Retrieved(chunk, sum(1.0 / (RRF_K + r) for r in (dense_rank.get(i), lexical_rank.get(i)) if r),
                  dense_rank.get(i), lexical_rank.get(i))
        for i, chunk in chunks.items()
    ]
    return sorted(fused, key=lambda hit: -hit.score)
