"""Answers written by an LLM, decided and checked in code: the `Answerer` for `Settings.llm != none`.

1. Answerability first: the extractive answerer's evidence scores (it refuses on weak or wrong-typed
   evidence), then the LLM judge over the top passages. Unanswerable -> the refusal and related
   passages; the generator is never called.
2. The model gets the top passages, numbered and delimited, and writes a short answer with [n] markers.
3. Every sentence is verified (`verify.Verifier`) before it is shown: unsupported sentences are removed
   (or flagged, per `Settings.unsupported`), bad markers dropped, citations renumbered, each citation
   a verbatim run of source sentences. Nothing left, or the LLM down or too slow -> the extractive answer.
4. A disagreement the extractive answerer detects in code is stated even if the model drops one side.

`JudgedAnswerer` gives the extractive mode the same judge (`Settings.verify = llm`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace

from .answerer import Citation, Draft, Query, cite
from .answering import RELATED_PASSAGES, Evidence, ExtractiveAnswerer, _non_overlapping, _refusal
from .judge import AnswerabilityJudge, Verdict
from .llm import LLMClient, LLMUnavailableError
from .markers import marker, markers
from .phrases import DISAGREEMENT_PREFIX, LLM_UNAVAILABLE, UNVERIFIED_FLAG
from .prompts import PromptPassage, answer_messages
from .retrieval import Retrieval
from .verify import GivenPassage, Quote, Verification, Verifier

log = logging.getLogger(__name__)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\b")
CONTEXT_SENTENCES = 1  # sentences either side of an evidence sentence that its passage includes


@dataclass(frozen=True)
class Stage:
    """Progress of a streamed answer: `judging`, `drafting` (with the unverified draft so far) or `checking`."""

    name: str
    draft: str = ""


@dataclass(frozen=True)
class Outcome:
    """A finished answer with what happened on the way (the eval counts generated vs shown unsupported)."""

    draft: Draft
    generated: str = ""  # the model's raw answer ("" when it was not called)
    verification: Verification | None = None
    verdict: Verdict | None = None
    notice: str = ""  # shown to the user: why the answer is extractive although an LLM is configured
    shown_unsupported: int = 0  # flagged sentences shown (0 in `remove` mode)


def given_passages(candidates: Sequence[Evidence], limit: int) -> list[GivenPassage]:
    """Passages around the best evidence sentences: each sentence with one neighbour either side in its chunk,
    none overlapping, numbered from 1 in rank order."""
    passages: list[GivenPassage] = []
    for evidence in candidates:
        if len(passages) == limit:
            break
        chunk = evidence.chunk
        inside = [i for i, s in enumerate(chunk.sentences)
                  if chunk.start + s.start < evidence.end and evidence.start < chunk.start + s.end]
        if not inside:
            continue
        first = max(inside[0] - CONTEXT_SENTENCES, 0)
        last = min(inside[-1] + CONTEXT_SENTENCES, len(chunk.sentences) - 1)
        passage = GivenPassage(len(passages) + 1, chunk, first, last)
        if not any(p.chunk.source == chunk.source and p.start < passage.end and passage.start < p.end
                   for p in passages):
            passages.append(passage)
    return passages


def prompt_passages(passages: Sequence[GivenPassage]) -> list[PromptPassage]:
    return [PromptPassage(p.n, p.chunk.title, p.text) for p in passages]


class GenerativeAnswerer:
    """An LLM writes the answer; code decides whether to answer and which of its sentences are shown."""

    def __init__(self, extractive: ExtractiveAnswerer, client: LLMClient, judge: AnswerabilityJudge | None,
                 verifier: Verifier, passages: int = 5, unsupported: str = "remove") -> None:
        self.extractive = extractive
        self.client = client
        self.judge = judge
        self.verifier = verifier
        self.passages = passages
        self.unsupported = unsupported

    def answer(self, query: Query, retrieval: Retrieval) -> Draft:
        return self.run(query, retrieval).draft

    def run(self, query: Query, retrieval: Retrieval) -> Outcome:
        """The whole answer, without streaming."""
        stream = self.stream(query, retrieval)
        while True:
            try:
                next(stream)
            except StopIteration as done:
                return done.value

    def stream(self, query: Query, retrieval: Retrieval) -> Generator[Stage, None, Outcome]:
        """Yields progress (the unverified draft as it grows); returns the verified outcome. The model reads the
        standalone question (`query.text`: a follow-up already condensed)."""
        fallback = self.extractive.answer(query, retrieval)
        if fallback.refused:
            return Outcome(fallback)
        candidates = self.extractive.score(query, retrieval)
        passages = given_passages(candidates, self.passages)
        verdict = None
        try:
            if self.judge is not None:
                yield Stage("judging")
                verdict = self.judge.decide(query.text, [p.text for p in passages])
                if not verdict.answerable:
                    return Outcome(_refusal(_non_overlapping(candidates, RELATED_PASSAGES)), verdict=verdict)
            generated = ""
            for piece in self.client.stream(answer_messages(query.text, prompt_passages(passages))):
                generated += piece
                yield Stage("drafting", generated)
        except LLMUnavailableError as error:
            log.warning("LLM unavailable, answering extractively: %s", error)
            return Outcome(fallback, verdict=verdict, notice=LLM_UNAVAILABLE.format(reason=error))
        yield Stage("checking", generated)
        verification = self.verifier.verify(generated, passages)
        draft, flagged = self._compose(verification)
        if draft is None:
            return Outcome(fallback, generated, verification, verdict)
        return Outcome(_state_disagreement(draft, fallback), generated, verification, verdict,
                       shown_unsupported=flagged)

    def _compose(self, verification: Verification) -> tuple[Draft | None, int]:
        """Kept sentences with renumbered markers (flagged ones too, in `flag` mode); None when nothing is kept."""
        if not verification.kept:
            return None, 0
        cited = _Citations()
        parts: list[str] = []
        flagged = 0
        for sentence in verification.sentences:
            if not sentence.supported:
                if self.unsupported == "flag":
                    parts.append(f"{sentence.text} {UNVERIFIED_FLAG}")
                    flagged += 1
                continue
            parts.append(f"{sentence.text} {markers(dict.fromkeys(cited.number(q) for q in sentence.quotes))}")
        return Draft(" ".join(parts), cited.all(), refused=False), flagged


class _Citations:
    """Citations numbered 1, 2, … in order of first use; a quote cited twice keeps its number."""

    def __init__(self, existing: Sequence[Citation] = ()) -> None:
        self._by_place = {(c.source, c.start, c.end): c for c in existing}

    def number(self, quote: Quote) -> int:
        return self.add(cite(quote.chunk, quote.start, quote.end, quote.text))

    def add(self, citation: Citation) -> int:
        key = (citation.source, citation.start, citation.end)
        if key not in self._by_place:
            self._by_place[key] = replace(citation, n=len(self._by_place) + 1)
        return self._by_place[key].n

    def all(self) -> tuple[Citation, ...]:
        return tuple(self._by_place.values())


def _state_disagreement(draft: Draft, extractive: Draft) -> Draft:
    """When the extractive answer found sources disagreeing, the answer says so and carries every side: cited
    quotes whose numbers the generated answer lacks are added verbatim with their citations."""
    if not extractive.text.startswith(DISAGREEMENT_PREFIX):
        return draft
    said = set(_NUMBER.findall(draft.text))
    cited = _Citations(draft.citations)
    parts = [draft.text]
    for citation in extractive.citations:
        numbers = set(_NUMBER.findall(citation.quote))
        if numbers and not numbers & said:
            parts.append(f"{citation.quote} {marker(cited.add(citation))}")
            said |= numbers
    text = " ".join(parts)
    if not text.startswith(DISAGREEMENT_PREFIX):
        text = f"{DISAGREEMENT_PREFIX} {text}"
    return replace(draft, text=text, citations=cited.all())


class JudgedAnswerer:
    """The extractive answerer with the LLM judge as a second refusal check (`Settings.verify = llm`)."""

    def __init__(self, extractive: ExtractiveAnswerer, judge: AnswerabilityJudge, passages: int = 5) -> None:
        self.extractive = extractive
        self.judge = judge
        self.passages = passages

    def answer(self, query: Query, retrieval: Retrieval) -> Draft:
        draft = self.extractive.answer(query, retrieval)
        if draft.refused:
            return draft
        candidates = self.extractive.score(query, retrieval)
        try:
            verdict = self.judge.decide(query.text, [p.text for p in given_passages(candidates, self.passages)])
        except LLMUnavailableError as error:
            log.warning("LLM judge unavailable, keeping the extractive decision: %s", error)
            return draft
        return draft if verdict.answerable else _refusal(_non_overlapping(candidates, RELATED_PASSAGES))
