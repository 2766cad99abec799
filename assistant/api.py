"""The public Python API: `Assistant` with `ingest`, `ask` and `source_text`; results as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path

from . import phrases
from .aliases import expand_with_aliases
from .answerer import Answerer, Citation, Draft, Query
from .answering import ExtractiveAnswerer
from .chunking import Chunker
from .config import Settings
from .conversation import History, condense
from .documents import DocumentError, load_document
from .embedding import Embedder, make_embedder
from .ingest import Ingestor, IngestReport
from .retrieval import HybridRetriever, Retrieval
from .store import ChunkStore, StoreUnavailableError


class IndexNotFoundError(RuntimeError):
    """Asked a question before anything was ingested."""


# What a user can cause (bad question, no index, server down, missing file): shown as a message, never a traceback.
USER_ERRORS = (ValueError, IndexNotFoundError, StoreUnavailableError, FileNotFoundError, PermissionError)
_TRACE = {"trace": True}  # an `Answer` field that records how it was made, left out of `to_dict`


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
    question: str = field(default="", metadata=_TRACE)
    search_query: str = field(default="", metadata=_TRACE)
    retrieved: tuple[Passage, ...] = field(default=(), repr=False, metadata=_TRACE)  # what the answer was chosen from

    def to_dict(self) -> dict:
        """The JSON contract: {text, refused, citations: [{n, source, title, quote, start, end, …}]}."""
        data = asdict(self)
        return {f.name: data[f.name] for f in fields(self) if not f.metadata.get("trace")}


@dataclass(frozen=True)
class Status:
    """What is indexed: chunks per document, the embedder's name and where the store lives."""

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
        return self._embedder or make_embedder(self.settings)

    @cached_property
    def answerer(self) -> Answerer:
        return self._answerer or ExtractiveAnswerer(self.embedder, self.settings.refusal_threshold,
                                                    self.settings.max_evidence)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.settings.retrieve_k, self.settings.fused_k)

    def ingest(self, show_progress: bool = False,
               on_progress: Callable[[int, int], None] | None = None) -> IngestReport:
        """Bring the index in line with the sources folder; unchanged files embed nothing."""
        chunker = Chunker.for_embedder(self.embedder, self.settings)
        report = Ingestor(self.settings, self.store, self.embedder, chunker).run(show_progress, on_progress)
        if report.changed or report.rebuilt:
            self.retriever.refresh_if_loaded()  # other threads' questions keep the previous snapshot meanwhile
        return report

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer from the indexed sources, or refuse; follow-ups are resolved against `history`."""
        question = self._validate(question)
        if not self.store.exists():
            raise IndexNotFoundError(phrases.NO_INDEX.format(location=self.settings.store_location))
        snapshot = self.retriever.snapshot()  # the one revision read: everything below sees this snapshot
        history = history or ()
        search_text = expand_with_aliases(condense(question, history, snapshot.statistics.rarity), snapshot.aliases)
        query = Query(search_text, self.embedder.embed(search_text), expand_with_aliases(question, snapshot.aliases),
                      tuple(reply for _, reply in history))
        retrieval = self.retriever.retrieve(search_text, query.vector, snapshot)
        return _to_answer(self.answerer.answer(query, retrieval), question, search_text, retrieval)

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

    def _validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise ValueError(phrases.EMPTY_QUESTION)
        question = question.strip()
        if len(question) > self.settings.max_question_chars:
            raise ValueError(phrases.QUESTION_TOO_LONG.format(length=len(question),
                                                               limit=self.settings.max_question_chars))
        return question


def _to_answer(draft: Draft, question: str, query: str, retrieval: Retrieval) -> Answer:
    """The public answer: the draft's citations by their own numbers, and the passages the draft was made from."""
    retrieved = tuple(Passage(h.chunk.source, h.chunk.start, h.chunk.end) for h in retrieval.hits)
    citations = tuple(sorted(draft.citations, key=lambda c: c.n))
    return Answer(draft.text, citations, draft.refused, question, query, retrieved)
