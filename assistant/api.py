"""The public Python API: `Assistant` with `ingest`, `ask` and `source_text`; results as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from . import phrases
from .aliases import expand_with_aliases
from .answering import Answerer, Draft, ExtractiveAnswerer, Query
from .chunking import Chunker
from .config import Settings
from .conversation import History, condense
from .documents import DocumentError, load_document
from .embedding import Embedder, MiniLMEmbedder
from .index_lock import IndexBusyError
from .ingest import Ingestor, IngestReport
from .retrieval import HybridRetriever, Retrieved
from .store import ChunkStore, StoreUnavailableError
from .validation import valid_history, valid_question


class IndexNotFoundError(RuntimeError):
    """Asked a question before anything was ingested."""


# What a user can cause (bad question, no index, server down, missing file): shown as a message, never a traceback.
USER_ERRORS = (ValueError, IndexNotFoundError, StoreUnavailableError, IndexBusyError, FileNotFoundError,
               PermissionError)


@dataclass(frozen=True)
class Citation:
    """One numbered marker's source passage: `source_text(source)[start:end] == quote`."""

    n: int
    source: str
    title: str
    quote: str
    start: int
    end: int
    publication: str = ""
    section: str = ""  # the heading path the quote sits under ("collections › deque objects")
    page: int | None = None  # 1-based page of a PDF quote


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, by place: what the answer was chosen from (the eval scores retrieval on it)."""

    source: str
    start: int
    end: int


@dataclass(frozen=True)
class Answer:
    """Prose with inline markers [1], [2]…, one citation per marker; `refused` when the sources don't say."""

    text: str
    citations: tuple[Citation, ...]
    refused: bool
    question: str = ""
    search_query: str = ""
    retrieved: tuple[Passage, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict:
        return {"text": self.text, "refused": self.refused, "citations": [asdict(c) for c in self.citations]}


@dataclass(frozen=True)
class Status:
    documents: dict[str, int]
    chunks: int
    embedder: str
    store: str


class Assistant:
    """Answers questions about a folder of documents, citing exact passages. Cheap to construct."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None,
                 answerer: Answerer | None = None) -> None:
        self.settings = settings or Settings()
        self.store = ChunkStore(self.settings)
        self._embedder = embedder
        self._answerer = answerer

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or MiniLMEmbedder(self.settings.embed_batch_size)

    @cached_property
    def answerer(self) -> Answerer:
        return self._answerer or ExtractiveAnswerer(self.embedder, self.settings.refusal_threshold,
                                                    self.settings.max_evidence)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.settings.retrieve_k, self.settings.fused_k)

    def ingest(self, show_progress: bool = False, on_progress: Callable[[int, int], None] | None = None,
               on_wait: Callable[[str], None] | None = None) -> IngestReport:
        """Bring the index in line with the sources folder; unchanged files embed nothing. One ingest runs at a
        time per index (across processes); `on_wait` hears whom this one waits for."""
        chunker = Chunker.for_embedder(self.embedder, self.settings)
        return Ingestor(self.settings, self.store, self.embedder, chunker).run(show_progress, on_progress, on_wait)

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer from the indexed sources, or refuse; follow-ups are resolved against `history`."""
        question = valid_question(question, self.settings.max_question_chars)
        history = valid_history(history, self.settings.max_history_turns, self.settings.max_history_chars)
        if not self.store.exists():
            raise IndexNotFoundError(phrases.NO_INDEX.format(location=self.settings.store_location))
        snapshot = self.retriever.snapshot()
        search_text = expand_with_aliases(condense(question, history, snapshot.rarity), snapshot.aliases)
        query = Query(search_text, self.embedder.embed(search_text), expand_with_aliases(question, snapshot.aliases),
                      tuple(reply for _, reply in history))
        hits = self.retriever.retrieve(search_text, query.vector, snapshot)
        draft = self.answerer.answer(query, hits, snapshot)
        return _to_answer(draft, question, search_text, hits)

    def source_text(self, source: str) -> str:
        """A document's loaded text: what citation offsets index into."""
        path = (self.settings.sources_dir / source).resolve()
        if not path.is_relative_to(self.settings.sources_dir.resolve()) or not path.is_file():
            raise FileNotFoundError(f"No such source: {source}")
        return self._load(path).text

    def status(self) -> Status:
        documents: dict[str, int] = {}
        if self.store.exists():
            for _, _, meta in self.store.iter_records(include_text=False):
                documents[str(meta["source"])] = documents.get(str(meta["source"]), 0) + 1
        return Status(dict(sorted(documents.items())), sum(documents.values()), self.embedder.name,
                      self.settings.store_location)

    def _load(self, path: Path):
        try:
            return load_document(path, self.settings.sources_dir.resolve(), self.settings.max_file_bytes)
        except DocumentError as error:
            raise FileNotFoundError(f"Source {path.name} cannot be loaded: {error}") from error


def _to_answer(draft: Draft, question: str, query: str, hits: list[Retrieved]) -> Answer:
    citations = tuple(Citation(n, c.source, c.title, c.quote, c.start, c.end, c.publication, c.section, c.page)
                      for n, c in enumerate(draft.citations, 1))
    retrieved = tuple(Passage(h.chunk.source, h.chunk.start, h.chunk.end) for h in hits)
    return Answer(draft.text, citations, draft.refused, question, query, retrieved)
