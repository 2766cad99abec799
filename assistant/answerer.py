"""The answerer seam: what an answerer is given (`Query`, `Retrieval`) and what it returns (`Draft`).

A new answerer (an LLM one, say) is one module with a class that implements `Answerer` and is
passed to `Assistant(answerer=...)`. `Assistant.ask` owns everything around it: validation,
follow-up condensation, the one snapshot and retrieval before, the public `Answer` after.

The contract an answerer keeps:

* `Draft.text` carries markers made by `markers.marker(n)`; each marker number has exactly one
  `Citation` with that `n`, numbered 1, 2, … in order of first use.
* Each citation's `quote` is verbatim source text: `source_text(source)[start:end] == quote`
  (quote whole sentences of the retrieved chunks: `StoredChunk.sentences` holds their offsets).
* A refusal starts with `phrases.REFUSAL_TEXT` and sets `refused`; its citations, if any, are
  offered as related reading, not as an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from .answer_types import expected_answer_type
from .retrieval import Retrieval
from .store import StoredChunk


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


def cite(chunk: StoredChunk, start: int, end: int, quote: str, n: int = 0) -> Citation:
    """The citation of `quote`, found at [start, end) of the chunk's document: the one way answerers make one."""
    return Citation(n=n, source=chunk.source, title=chunk.title, quote=quote, start=start, end=end,
                    publication=chunk.publication, section=chunk.section, page=chunk.page)


@dataclass(frozen=True)
class Query:
    """A question as the answerer sees it."""

    text: str  # the standalone search text: follow-up context and aliases added
    vector: np.ndarray
    asked: str = ""  # the user's own words (with aliases); they weigh more than added context
    already_said: tuple[str, ...] = ()  # earlier replies in the conversation, not worth repeating

    @property
    def own_words(self) -> str:
        return self.asked or self.text

    @cached_property
    def answer_type(self) -> str | None:
        """The kind of value the user's own words ask for (see `answer_types`)."""
        return expected_answer_type(self.own_words)


@dataclass(frozen=True)
class Draft:
    """An answerer's result: text with [n] markers, the citation for each marker, and whether it refused."""

    text: str
    citations: tuple[Citation, ...]
    refused: bool


class Answerer(Protocol):
    """Turns a question and what was retrieved for it into a cited draft (see the module docstring)."""

    def answer(self, query: Query, retrieval: Retrieval) -> Draft:
        """Answer `query` from `retrieval.hits` (best first), weighing terms by `retrieval.statistics` if useful."""
        ...
