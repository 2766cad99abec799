"""The public Python API: `Assistant` with `ingest`, `ask` and `source_text`; results as frozen dataclasses."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import phrases
from .aliases import expand_with_aliases
from .answerer import Answerer, Citation, Draft, Query
from .answering import ExtractiveAnswerer
from .chunking import Chunker
from .config import Settings
from .conversation import History, condense
from .documents import DocumentError, load_document
from .embedding import Embedder, make_embedder
from .index_lock import IndexBusyError
from .ingest import Ingestor, IngestReport, index_fingerprint
from .llm import LLMUnavailableError
from .retrieval import CorpusSnapshot, HybridRetriever, Retrieval
from .store import ChunkStore, StoreUnavailableError
from .validation import valid_history, valid_question

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from .answering_llm import Outcome, Stage
    from .llm import LLMClient


# An LLM's standalone rewrite of a follow-up is used only when its length is plausible (not empty, not an essay).
MIN_CONDENSED_CHARS = 3
CONDENSED_GROWTH = 4
CONDENSED_EXTRA_CHARS = 200


class IndexNotFoundError(RuntimeError):
    """Asked a question before anything was ingested."""


class StaleIndexError(RuntimeError):
    """The index was built with other settings (embedder, chunking, loader): its answers would not be this
    configuration's, so questions wait for `ingest` instead of being answered silently from it."""


class LLMSettingsError(ValueError):
    """The LLM settings cannot work together (e.g. `verify = llm` without an LLM)."""


# What a user can cause (bad question, no index, server down, missing file): shown as a message, never a traceback.
USER_ERRORS = (ValueError, IndexNotFoundError, StaleIndexError, StoreUnavailableError, IndexBusyError,
               FileNotFoundError, PermissionError, LLMUnavailableError)
_TRACE = {"trace": True}  # an `Answer` field that records how it was made, left out of `to_dict`
_IF_SET = {"if_set": True}  # an `Answer` field that `to_dict` includes only when it is not empty


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
    notice: str = field(default="", metadata=_IF_SET)  # e.g. the LLM was unavailable, so the answer is extractive
    generation: Generation | None = field(default=None, repr=False, metadata=_TRACE)  # what an LLM wrote, checked

    def to_dict(self) -> dict:
        """The JSON contract: {text, refused, citations: [{n, source, title, quote, start, end, …}]}, plus
        `notice` when there is one."""
        data = asdict(self)
        return {f.name: data[f.name] for f in fields(self)
                if not f.metadata.get("trace") and (data[f.name] or not f.metadata.get("if_set"))}


@dataclass(frozen=True)
class Generation:
    """What the LLM wrote before verification, and what the checks made of it (for evals and debugging)."""

    text: str
    sentences: int
    unsupported: int  # sentences the verifier did not keep (or flagged)
    shown_unsupported: int  # flagged sentences shown (always 0 with `unsupported = remove`)
    judge_p_yes: tuple[float, ...] = ()
    removed: tuple[str, ...] = ()  # "sentence — reason" for each unsupported sentence


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
                 answerer: Answerer | None = None, llm: LLM | None = None) -> None:
        """`llm`: any llama-index LLM to answer with, instead of the one `settings.llm` names."""
        self.settings = settings or Settings()
        self.store = ChunkStore(self.settings)
        self._embedder = embedder
        self._answerer = answerer
        self._llm = llm
        self._checked_revision: str | None = None  # the index revision last found built with these settings
        # An ingest and an LLM answer never run at once in one process: both cores go to one of them.
        self._busy = threading.RLock()
        if self.settings.verify == "llm" and self.settings.llm == "none" and llm is None:
            raise LLMSettingsError("verify=llm needs an LLM: set llm to local, openai or ollama")

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or make_embedder(self.settings)

    @property
    def generative(self) -> bool:
        """True when an LLM writes the answers. With `verify = llm` the LLM only judges extractive answers."""
        return (self._llm is not None or self.settings.llm != "none") and self.settings.verify != "llm"

    @cached_property
    def llm_client(self) -> LLMClient | None:
        """The LLM the settings name (or the one given), made on first use; None without one."""
        if self._llm is None and self.settings.llm == "none":
            return None
        from .llm import LLMClient, make_llm

        source = self._llm if self._llm is not None else (lambda: make_llm(self.settings))
        return LLMClient(source, self.settings.llm_timeout, self.settings.llm_max_tokens)

    def check_llm(self) -> None:
        """Make the configured LLM ready now (a local server starts): raises `LLMUnavailableError` with the install
        command or the reason, so an app can refuse to start instead of answering every question with a notice."""
        if self.llm_client is not None:
            self.llm_client.llm  # noqa: B018 - building it is the check

    @cached_property
    def answerer(self) -> Answerer:
        if self._answerer is not None:
            return self._answerer
        extractive = ExtractiveAnswerer(self.embedder, self.settings.refusal_threshold, self.settings.max_evidence)
        client = self.llm_client
        if client is None:
            return extractive
        from .answering_llm import GenerativeAnswerer, JudgedAnswerer
        from .judge import AnswerabilityJudge
        from .support import SupportChecker
        from .verify import Verifier

        judge = AnswerabilityJudge(client, self.settings.judge_threshold, self.settings.judge_passages)
        if not self.generative:
            return JudgedAnswerer(extractive, judge, self.settings.llm_passages)
        return GenerativeAnswerer(extractive, client, judge, Verifier(SupportChecker(self.embedder)),
                                  self.settings.llm_passages, self.settings.unsupported)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.settings.retrieve_k, self.settings.fused_k)

    def ingest(self, show_progress: bool = False, on_progress: Callable[[int, int], None] | None = None,
               on_wait: Callable[[str], None] | None = None) -> IngestReport:
        """Bring the index in line with the sources folder; unchanged files embed nothing. One ingest runs at a
        time per index (across processes); `on_wait` hears whom this one waits for."""
        chunker = Chunker.for_embedder(self.embedder, self.settings)
        with self._busy:
            report = Ingestor(self.settings, self.store, self.embedder, chunker).run(show_progress, on_progress,
                                                                                     on_wait)
        if report.changed or report.rebuilt:
            self.retriever.refresh_if_loaded()  # other threads' questions keep the previous snapshot meanwhile
        return report

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer from the indexed sources, or refuse; follow-ups are resolved against `history`."""
        for event in self.ask_stream(question, history):
            if isinstance(event, Answer):
                return event
        raise AssertionError("ask_stream ended without an answer")

    def ask_stream(self, question: str, history: History | None = None) -> Iterator[Stage | Answer]:
        """Like `ask`, yielding progress first when an LLM writes the answer: `Stage("judging")`, then
        `Stage("drafting", draft)` as the unverified draft grows, `Stage("checking")`; the last item is the
        verified `Answer`, which replaces the draft."""
        question = valid_question(question, self.settings.max_question_chars)
        query, retrieval = self._prepare(question, history)
        search_text = query.text
        answerer = self.answerer
        if not hasattr(answerer, "stream"):
            with self._busy if self.llm_client is not None else nullcontext():
                yield _to_answer(answerer.answer(query, retrieval), question, search_text, retrieval)
            return
        with self._busy:
            outcome = yield from answerer.stream(query, retrieval)
        answer = _to_answer(outcome.draft, question, search_text, retrieval)
        yield _with_generation(answer, outcome)

    def prepare(self, question: str, history: History | None = None) -> tuple[Query, Retrieval]:
        """The question as answerers see it (follow-up made standalone, aliases added) and what it retrieves."""
        return self._prepare(valid_question(question, self.settings.max_question_chars), history)

    def _prepare(self, question: str, history: History | None) -> tuple[Query, Retrieval]:
        """`prepare` for a question already checked by `valid_question`."""
        history = valid_history(history, self.settings.max_history_turns, self.settings.max_history_chars)
        if not self.store.exists():
            raise IndexNotFoundError(phrases.NO_INDEX.format(location=self.settings.store_location))
        snapshot = self.retriever.snapshot()  # the one revision read: everything below sees this snapshot
        self._check_built_alike(snapshot.revision)
        search_text = expand_with_aliases(self._condense(question, history, snapshot), snapshot.aliases)
        query = Query(search_text, self.embedder.embed(search_text), expand_with_aliases(question, snapshot.aliases),
                      tuple(reply for _, reply in history))
        return query, self.retriever.retrieve(search_text, query.vector, snapshot)

    def _check_built_alike(self, revision: str) -> None:
        """Refuse to answer from an index built with other settings (once per revision: an ingest re-stamps it)."""
        if revision == self._checked_revision:
            return
        built = self.store.fingerprint()
        expected = index_fingerprint(self.settings, self.embedder)
        if built and built != expected:  # an index from before fingerprints were recorded is taken as it is
            raise StaleIndexError(phrases.STALE_INDEX.format(location=self.settings.store_location, built=built,
                                                             expected=expected))
        self._checked_revision = revision

    def _condense(self, question: str, history: History, snapshot: CorpusSnapshot) -> str:
        """The follow-up made standalone: by the LLM when one is configured, else (or if it fails) by rules."""
        by_rules = condense(question, history, snapshot.statistics.rarity)
        client = self.llm_client
        if client is None or by_rules == question or not self.generative:
            return by_rules
        from .prompts import condense_messages

        try:
            with self._busy:
                rewritten = client.complete(condense_messages(question, list(history)[-2:]), max_tokens=64)
        except LLMUnavailableError:
            return by_rules
        rewritten = rewritten.strip().splitlines()[0].strip() if rewritten.strip() else ""
        plausible = MIN_CONDENSED_CHARS <= len(rewritten) <= CONDENSED_GROWTH * len(question) + CONDENSED_EXTRA_CHARS
        return rewritten if plausible else by_rules

    def retrieve(self, query: str) -> Retrieval:
        """What a standalone query retrieves (no follow-up handling): the fused hits `ask` answers from."""
        query = valid_question(query, self.settings.max_question_chars)
        if not self.store.exists():
            raise IndexNotFoundError(phrases.NO_INDEX.format(location=self.settings.store_location))
        snapshot = self.retriever.snapshot()
        search_text = expand_with_aliases(query, snapshot.aliases)
        return self.retriever.retrieve(search_text, self.embedder.embed(search_text), snapshot)

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


def _with_generation(answer: Answer, outcome: Outcome) -> Answer:
    """The answer with the outcome's notice and, when the LLM wrote a draft, what the checks made of it."""
    generation = None
    if outcome.verification is not None:
        unsupported = outcome.verification.unsupported
        generation = Generation(outcome.generated, len(outcome.verification.sentences), len(unsupported),
                                outcome.shown_unsupported, outcome.verdict.p_yes if outcome.verdict else (),
                                tuple(f"{s.text} — {s.reason}" for s in unsupported))
    elif outcome.verdict is not None:
        generation = Generation("", 0, 0, 0, outcome.verdict.p_yes)
    return replace(answer, notice=outcome.notice, generation=generation)


def _to_answer(draft: Draft, question: str, query: str, retrieval: Retrieval) -> Answer:
    """The public answer: the draft's citations by their own numbers, and the passages the draft was made from."""
    retrieved = tuple(Passage(h.chunk.source, h.chunk.start, h.chunk.end) for h in retrieval.hits)
    citations = tuple(sorted(draft.citations, key=lambda c: c.n))
    return Answer(draft.text, citations, draft.refused, question, query, retrieved)
