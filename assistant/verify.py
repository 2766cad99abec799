"""Check a generated answer sentence by sentence against the passages it was given, before anyone sees it.

A sentence is kept only if it carries at least one marker that names a given passage and the
cited passages support it by the eval's rule (`support.SupportChecker`: contained verbatim, or every
name and number present, most content words covered and the meaning close). Each kept sentence is
cited to the smallest run of whole source sentences (one, two or three) of each cited passage that
supports it, so a citation's quote is verbatim source text with exact offsets. Markers that name no
given passage are dropped; a sentence left with none is unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .markers import MARKER_GROUP, numbers, strip_markers
from .store import StoredChunk
from .support import Judgement, SupportChecker
from .text import sentence_spans, terms

_MARKERS_ONLY = re.compile(rf"^{MARKER_GROUP.pattern}\s*[.!?]?\s*$")
_LEADING_MARKERS = re.compile(rf"^{MARKER_GROUP.pattern}")
MAX_WINDOW = 3


@dataclass(frozen=True)
class GivenPassage:
    """Passage number `n` as given to the model: sentences `first`..`last` (inclusive) of one chunk."""

    n: int
    chunk: StoredChunk
    first: int
    last: int

    @property
    def start(self) -> int:
        return self.chunk.start + self.chunk.sentences[self.first].start

    @property
    def end(self) -> int:
        return self.chunk.start + self.chunk.sentences[self.last].end

    @cached_property
    def text(self) -> str:
        return self.chunk.text[self.start - self.chunk.start:self.end - self.chunk.start]

    def windows(self, size: int) -> list[Quote]:
        """Every run of `size` consecutive sentences of the passage, as quotes with source offsets."""
        sentences = self.chunk.sentences
        runs = []
        for i in range(self.first, self.last - size + 2):
            start, end = sentences[i].start, sentences[i + size - 1].end
            runs.append(Quote(self.chunk, self.chunk.start + start, self.chunk.start + end, self.chunk.text[start:end]))
        return runs


@dataclass(frozen=True)
class Quote:
    """Verbatim source text: `source_text(chunk.source)[start:end] == text`."""

    chunk: StoredChunk
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CheckedSentence:
    """One generated sentence (markers taken out), what supports it, and why it was kept or not."""

    text: str
    markers: tuple[int, ...]
    quotes: tuple[Quote, ...]
    supported: bool
    reason: str


@dataclass(frozen=True)
class Verification:
    sentences: tuple[CheckedSentence, ...]

    @property
    def kept(self) -> tuple[CheckedSentence, ...]:
        return tuple(s for s in self.sentences if s.supported)

    @property
    def unsupported(self) -> tuple[CheckedSentence, ...]:
        return tuple(s for s in self.sentences if not s.supported)


def split_generated(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(sentence without markers, its marker numbers) for each sentence of a generated answer.

    Markers follow their sentence, as the prompt asks: those written after the full stop
    ("... list. [2]") or at the start of the next sentence belong to the sentence before them.
    An answer that opens with a marker ("[1] A. [2] B.") puts each marker before its sentence
    instead, and is read that way throughout.
    """
    markers_first = bool(_LEADING_MARKERS.match(text.lstrip()))
    pieces: list[list] = []
    carried: list[int] = []  # markers-first: markers read before the sentence they belong to
    for start, end in sentence_spans(text):
        piece = text[start:end]
        if _MARKERS_ONLY.match(piece):
            if markers_first:
                carried.extend(numbers(piece))
            elif pieces:
                pieces[-1][1].extend(numbers(piece))
            continue
        leading = _LEADING_MARKERS.match(piece)
        if pieces and leading and not markers_first:
            pieces[-1][1].extend(numbers(leading.group(0)))
            piece = piece[leading.end():]
        pieces.append([piece, carried + numbers(piece)])
        carried = []
    result = []
    for piece, markers in pieces:
        clean = re.sub(r"\s+([.,;:!?])", r"\1", strip_markers(piece))
        clean = re.sub(r"\s{2,}", " ", clean).strip()
        if terms(clean):
            result.append((clean, tuple(dict.fromkeys(markers))))
    return result


class Verifier:
    """Judges generated sentences against the numbered passages they cite."""

    def __init__(self, checker: SupportChecker) -> None:
        self.checker = checker

    def verify(self, generated: str, passages: Sequence[GivenPassage]) -> Verification:
        by_number = {p.n: p for p in passages}
        sentences = split_generated(generated)
        self.checker.prime([s for s, _ in sentences] + [q.text for p in passages for size in range(1, MAX_WINDOW + 1)
                                                        for q in p.windows(size)])
        return Verification(tuple(self._check(text, markers, by_number) for text, markers in sentences))

    def _check(self, text: str, markers: tuple[int, ...], passages: dict[int, GivenPassage]) -> CheckedSentence:
        valid = tuple(n for n in markers if n in passages)
        if not markers:
            return CheckedSentence(text, (), (), False, "no marker")
        if not valid:
            return CheckedSentence(text, (), (), False, f"marker {markers[0]} names no given passage")
        quotes: list[Quote] = []
        for n in valid:
            quote = self._supporting_run(text, passages[n])
            if quote is not None:
                quotes.append(quote)
        if quotes:
            return CheckedSentence(text, valid, tuple(quotes), True, "supported")
        # No cited passage supports it alone: read the closest sentence of each together.
        closest = [self._closest(text, passages[n]) for n in valid]
        judgement = self.checker.judge(text, [q.text for q in closest])
        if judgement.supported:
            return CheckedSentence(text, valid, tuple(closest), True, "supported by its passages together")
        return CheckedSentence(text, valid, (), False, f"not supported: {judgement.explain()}")

    def _supporting_run(self, text: str, passage: GivenPassage) -> Quote | None:
        """The best-supporting shortest run of whole sentences of the passage, or None."""
        for size in range(1, MAX_WINDOW + 1):
            judged = [(q, self.checker.judge(text, [q.text])) for q in passage.windows(size)]
            supported = [(q, j) for q, j in judged if j.supported]
            if supported:
                return max(supported, key=lambda pair: _strength(pair[1]))[0]
        return None

    def _closest(self, text: str, passage: GivenPassage) -> Quote:
        return max(passage.windows(1), key=lambda q: _strength(self.checker.judge(text, [q.text])))


def _strength(judgement: Judgement) -> tuple[bool, float]:
    return judgement.rule == "contained", judgement.coverage + judgement.cosine
