"""From retrieved chunks to a cited answer: sentence-level evidence selection, composition, refusal.

The default answerer is extractive and needs no LLM: every answer sentence is a verbatim
source sentence followed by its marker, so every claim is checkable at its offsets.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .answer_types import (
    asks_about_an_unset_value,
    can_answer_type,
    is_yes_no_question,
    speaks_of_an_unset_value,
    states_whether,
)
from .answerer import Citation, Draft, Query, cite
from .chunking import Sentence
from .documents import SECTION_SEPARATOR
from .embedding import Embedder
from .markers import marker, strip_markers
from .phrases import DISAGREEMENT_PREFIX, REFUSAL_TEXT, RELATED_HEADER
from .retrieval import Retrieval, Retrieved
from .store import StoredChunk
from .subjects import Subject, near_text, subject_of, unknown_names
from .text import (
    introduces_what_follows,
    is_pointer,
    opens_with_anaphor,
    opens_with_reference,
    sentence_spans,
    terms,
    words,
)

_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\b")
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 0.5
NEAR_DUPLICATE = 0.90
SAME_POINT_SHARED_TERMS = 3  # two sentences sharing this many content words speak of the same thing
# An answer sentence scores at least this share of the best one. Measured on the six eval corpora: 0.70 -> 0.65 gained
# 0.02-0.03 fact recall on two corpora and lost none, for answers ~6% longer (2.90 -> 3.09 quotes); 0.60 gained a
# little more for another 6%.
RELATIVE_CUTOFF = 0.65
RELATED_PASSAGES = 2
ALREADY_SAID_FACTOR = 0.6
ALREADY_SAID_SIMILARITY = 0.8
# A sentence without the preferred kind of answer (a reason; for a yes/no question, a statement of what can, must or
# is not) ranks lower. 0.5 -> 0.8 for reasons: +0.013 pdf, +0.005 news fact recall (0.7-1.0 measured). For yes/no
# questions, 0.8 gained 5.5 facts over the six corpora and lost none (0.85: 4.5, 0.9: 3).
WRONG_ANSWER_TYPE_FACTOR = 0.8
# Reasons are phrased too many ways ("as", "so", a bare clause) for their absence to prove anything: a sentence
# without a reason marker is only demoted. The other types are required (see `answer`).
SOFT_TYPES = frozenset({"reason"})
# Among sentences that match the question equally, the one in the passage retrieval ranked higher (by the whole
# passage, in both retrievers) is more likely the answer: a small bonus, 1 / (1 + rank), breaks such ties.
RETRIEVAL_RANK_WEIGHT = 0.05
SHORT_LIST = 4  # a list this long comes whole after the sentence that introduces it; of a longer one, the best
LONG_LIST_ITEMS = 3
SHORT_CODE_CHARS = 240  # a code block this short (and of fewer lines) comes after the sentence that introduces it
SHORT_CODE_LINES = 4
CONTEXT_TERM_FACTOR = 0.5  # a question term found only in the sentence's section heading counts half
SHORT_SENTENCE_WORDS = 3  # a sentence this short ("Default: 0.") is a label of the sentence before it
# A sentence ranks at least this share of the sentence just before it in its paragraph. 0.8-0.9 gained 1.5-2 facts
# over the six corpora and lost none; 1.0 (a paragraph scored as its best sentence) lost 2.
CONTINUATION_FACTOR = 0.85
SENTENCE_GAP = 3  # at most this many characters (spaces, a line break) lie between two sentences of one paragraph
POINTER_FACTOR = 0.7  # "See the rigging manual." says where an answer is, not what it is: ranked lower
TERM_CHARS = 60  # a heading this short, right above a description, is the term it describes
TERM_PARAGRAPHS = 1  # a description's sentence is quoted with its term across this many paragraphs before it
TERM_REACH_CHARS = 240  # ... when they are this short together


@dataclass(frozen=True)
class Evidence:
    """A candidate answer sentence with its exact place in its source."""

    chunk: StoredChunk
    start: int
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0
    coverage: float = 0.0
    # What the sentence leans on, just before it in its passage: the question the text asks (a FAQ entry), or the
    # sentence an opening "Its founder…" refers to, when that one is in the block before (it is not quoted).
    asked: str = ""
    relevance: float = 0.0  # the score before a preferred answer type reorders candidates: what refusal weighs
    own: str = ""  # the sentence alone, when `text` also quotes the term above it (scored as the sentence)
    block: int = -1  # the document block the sentence is in
    kind: str = ""  # the kind of that block (paragraph, list_item, table_row)


class SentenceEmbeddingCache:
    """Sentence vectors by text; answer-time sentences repeat across questions, so cache them."""

    def __init__(self, embedder: Embedder, capacity: int = 50_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.embed_batch(missing), strict=True):
                self._vectors[text] = vector
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)
        for text in texts:
            self._vectors.move_to_end(text)
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


class ExtractiveAnswerer:
    """Chooses the few source sentences that answer the question and cites each one."""

    def __init__(self, embedder: Embedder, refusal_threshold: float, max_evidence: int) -> None:
        self.embedder = embedder
        self.sentences = SentenceEmbeddingCache(embedder)
        self.refusal_threshold = refusal_threshold
        self.max_evidence = max_evidence

    def answer(self, query: Query, retrieval: Retrieval) -> Draft:
        candidates = self.score(query, retrieval)
        if unknown_names(query.own_words, retrieval):
            return _refusal(_non_overlapping(candidates, RELATED_PASSAGES))
        answer_type = query.answer_type
        if answer_type is None or answer_type in SOFT_TYPES:  # any sentence may answer (reasons are only preferred)
            typed = candidates
        else:
            subject = subject_of(query.own_words, retrieval.statistics)
            typed = [c for c in candidates if _holds(c, answer_type, query.own_words, subject)]
        if asks_about_an_unset_value(query.own_words):  # "…when the timeout is None?": only that case answers
            typed = [c for c in typed if speaks_of_an_unset_value(c.text)]
        if not typed or max(c.relevance for c in typed) < self.refusal_threshold:
            return _refusal(_non_overlapping(candidates, RELATED_PASSAGES))
        # A question that asks for a kind of value (a time, a version, a quantity, a reason) is answered only by
        # sentences that hold one: the closest topical sentence without it does not answer.
        groups = self._select(_continued(typed))
        if any(introduces_what_follows(group[0].text) for group in groups):  # its items may be in later chunks
            candidates = candidates + self.score(query, retrieval,
                                                 [Retrieved(c, 0.0, None, None) for c in retrieval.following])
        return _compose(_with_their_lists(groups, candidates,
                                          [hit.chunk for hit in retrieval.hits] + list(retrieval.following)))

    def score(self, query: Query, retrieval: Retrieval, hits: Sequence[Retrieved] | None = None) -> list[Evidence]:
        """Every sentence of the retrieved chunks (or of `hits`), scored by meaning and by IDF-weighted coverage of
        the question's terms; sentences an earlier reply already gave are demoted, so a follow-up brings news."""
        hits = retrieval.hits if hits is None else hits
        sentences = _unique_sentences(hits)
        if not sentences:
            return []
        vectors = self.sentences.vectors([_in_context(s) for s in sentences])
        similarity = vectors @ query.vector
        repeated = self._already_said(sentences, vectors, query.already_said)
        weights = {t: retrieval.statistics.idf(t) for t in set(terms(query.text))}
        total = sum(weights.values()) or 1.0
        answer_type = query.answer_type
        yes_no = is_yes_no_question(query.own_words)
        scored = []
        rank: dict[str, int] = {}
        for position, hit in enumerate(hits):
            rank.setdefault(hit.chunk.id, position)
        for sentence, sim, said in zip(sentences, similarity, repeated, strict=True):
            own = sentence.own or sentence.text  # a sentence quoted with its term is scored as itself
            present = set(terms(own))
            context = set(terms(sentence.chunk.section)) | set(terms(sentence.asked))
            coverage = sum(w if t in present else w * CONTEXT_TERM_FACTOR if t in context else 0.0
                           for t, w in weights.items()) / total
            score = DENSE_WEIGHT * float(sim) + LEXICAL_WEIGHT * coverage
            if said:
                score *= ALREADY_SAID_FACTOR
            relevance = score
            score += RETRIEVAL_RANK_WEIGHT / (1 + rank[sentence.chunk.id])  # ranking only: refusal ignores it
            if yes_no and not states_whether(own):
                score *= WRONG_ANSWER_TYPE_FACTOR  # a yes/no question prefers a sentence that says what can or is not
            if is_pointer(own):
                score *= POINTER_FACTOR
            if answer_type in SOFT_TYPES and not can_answer_type(sentence.text, answer_type):
                score *= WRONG_ANSWER_TYPE_FACTOR  # a preference only: a reason can be phrased without a connective
            scored.append(Evidence(sentence.chunk, sentence.start, sentence.end, sentence.text, score, float(sim),
                                   coverage, sentence.asked, relevance, sentence.own, sentence.block, sentence.kind))
        return sorted(scored, key=lambda e: -e.score)

    def _already_said(self, sentences: list[Evidence], vectors: np.ndarray, replies: tuple[str, ...]) -> list[bool]:
        """Which candidates repeat (verbatim or in close paraphrase) a sentence of an earlier reply."""
        said = [strip_markers(reply[start:end]).strip() for reply in replies for start, end in sentence_spans(reply)]
        said = [s for s in said if s]
        if not said:
            return [False] * len(sentences)
        closeness = (vectors @ self.sentences.vectors(said).T).max(axis=1)
        return [bool(c >= ALREADY_SAID_SIMILARITY) or any(s.text in reply for reply in replies)
                for s, c in zip(sentences, closeness, strict=True)]

    def _select(self, candidates: list[Evidence]) -> list[list[Evidence]]:
        """Groups of evidence, one group per answer sentence: the sentence plus other sources saying the same."""
        # The absolute bar is the one refusal applies (relevance); the relative one is to the best preferred score.
        eligible = [c for c in candidates if c.relevance >= self.refusal_threshold]
        top = eligible[0].score if eligible else 0.0
        pool = [c for c in eligible if c.score >= top * RELATIVE_CUTOFF]
        vectors = self.sentences.vectors([c.text for c in pool])
        groups: list[list[int]] = []
        for i, candidate in enumerate(pool):
            overlapped = [(g, k) for g in groups for k, j in enumerate(g) if _overlaps(pool[j], candidate)]
            if overlapped:
                for g, k in overlapped:  # the same sentence with the one it leans on ("… It is lifted by crane."):
                    if _contains(candidate, pool[g[k]]):  # the fuller quote takes its place
                        g[k] = i
                continue
            twin = next((g for g in groups if float(vectors[g[0]] @ vectors[i]) >= NEAR_DUPLICATE), None)
            if twin is not None:
                if all(pool[j].chunk.source != candidate.chunk.source for j in twin):
                    twin.append(i)  # the same point in another source: cite both
                continue
            if len(groups) < self.max_evidence:
                groups.append([i])
        return [[pool[i] for i in g] for g in groups]


def _continued(scored: list[Evidence]) -> list[Evidence]:
    """A sentence goes on with the point of the one just before it in its paragraph ("The kiln is fired at 900
    degrees. Glazed ware then cools overnight."), so it ranks, and is relevant, at least CONTINUATION_FACTOR as
    much. Applied once the question is found answerable: whether to refuse weighs each sentence on its own.
    Sorted by score, as `_select` takes them."""
    order = sorted(range(len(scored)), key=lambda i: (scored[i].chunk.source, scored[i].start))
    continued = list(scored)
    for before, after in itertools.pairwise(order):
        previous, sentence = scored[before], scored[after]
        carried = previous.score * CONTINUATION_FACTOR
        if previous.chunk.source == sentence.chunk.source and previous.block == sentence.block and \
                0 <= sentence.start - previous.end <= SENTENCE_GAP and sentence.score < carried:
            continued[after] = replace(sentence, score=carried,
                                       relevance=max(sentence.relevance, previous.relevance * CONTINUATION_FACTOR))
    return sorted(continued, key=lambda e: -e.score)


def _holds(evidence: Evidence, answer_type: str, question: str, subject: Subject | None) -> bool:
    """Whether the sentence gives the kind of value asked for, and gives it of the question's subject."""
    near = near_text(evidence.chunk, evidence.block)
    return can_answer_type(evidence.text, answer_type, question, near) and (subject is None or subject.shown_in(near))


def _with_their_lists(groups: list[list[Evidence]], candidates: list[Evidence],
                      chunks: Sequence[StoredChunk] = ()) -> list[list[Evidence]]:
    """A chosen sentence that introduces a list ("…has the following parts:") says nothing without it: the
    items follow it, each an answer sentence of its own (all of a short list, the best-scored of a long one).
    One list per answer, the best-scored lead's, so an answer stays within max_evidence + SHORT_LIST quotes.
    A lead followed by a short code block instead ("…add this line to the config file:") brings the code."""
    chosen = {(e.chunk.source, e.start) for group in groups for e in group}
    result: list[list[Evidence]] = []
    expanded = False
    for group in groups:
        result.append(group)
        lead = group[0]
        if expanded or not introduces_what_follows(lead.text):
            continue
        items = [i for i in _items_after(lead, candidates) or _code_after(lead, chunks)
                 if (i.chunk.source, i.start) not in chosen]
        if len(items) > SHORT_LIST:
            best = {id(i) for i in sorted(items, key=lambda e: -e.score)[:LONG_LIST_ITEMS]}
            items = [i for i in items if id(i) in best]
        chosen.update((i.chunk.source, i.start) for i in items)
        result.extend([item] for item in items)
        expanded = bool(items)
    return result


def _items_after(lead: Evidence, candidates: list[Evidence]) -> list[Evidence]:
    """The first sentence of each item right after `lead`, in reading order (as retrieved): list items, or the
    descriptions of a list of terms (each quoted with its term, the block above it)."""
    first_of_block: dict[int, Evidence] = {}
    for c in candidates:
        if c.chunk.source == lead.chunk.source and c.block > lead.block and (c.kind == "list_item" or c.own) and \
                (c.block not in first_of_block or c.start < first_of_block[c.block].start):
            first_of_block[c.block] = c
    items = []
    block = lead.block + 1
    while True:
        if block in first_of_block and first_of_block[block].kind == "list_item":
            items.append(first_of_block[block])
            block += 1
        elif block + 1 in first_of_block and first_of_block[block + 1].own:  # a term, then its description
            items.append(first_of_block[block + 1])
            block += 2
        else:
            return items


def _code_after(lead: Evidence, chunks: Sequence[StoredChunk]) -> list[Evidence]:
    """The code block right after `lead` (in its chunk or the next ones), whole, when it is short enough to quote: a
    command or a configuration line the lead introduces."""
    for chunk in (lead.chunk, *chunks):
        if chunk.source != lead.chunk.source:
            continue
        for sentence in chunk.sentences:
            if sentence.block == lead.block + 1:
                code = chunk.text[sentence.start:sentence.end]
                if sentence.kind != "code" or len(code) > SHORT_CODE_CHARS or code.count("\n") >= SHORT_CODE_LINES:
                    return []
                return [Evidence(chunk, chunk.start + sentence.start, chunk.start + sentence.end, code, lead.score,
                                 block=sentence.block, kind="code")]
    return []


def _in_context(evidence: Evidence) -> str:
    """A sentence as it is embedded for scoring: under the innermost heading of its section and the question the
    text asked just before it, if any."""
    heading = evidence.chunk.section.rsplit(SECTION_SEPARATOR, 1)[-1]
    return "\n".join(part for part in (heading, evidence.asked, evidence.own or evidence.text) if part)


def _non_overlapping(candidates: list[Evidence], limit: int) -> list[Evidence]:
    chosen: list[Evidence] = []
    for candidate in candidates:
        if len(chosen) == limit:
            break
        if not any(_overlaps(candidate, c) for c in chosen):
            chosen.append(candidate)
    return chosen


def _contains(a: Evidence, b: Evidence) -> bool:
    """Whether `a` quotes all of `b` and more."""
    same_place = a.chunk.source == b.chunk.source
    return same_place and a.start <= b.start and b.end <= a.end and (a.start, a.end) != (b.start, b.end)


def _overlaps(a: Evidence, b: Evidence) -> bool:
    return a.chunk.source == b.chunk.source and a.start < b.end and b.start < a.end


def _unique_sentences(hits: Sequence[Retrieved]) -> list[Evidence]:
    """Prose sentences of the hits in reading order, each once (chunks overlap), with anaphors joined to their
    antecedent in the same block. The sentences are the ones found at ingest, so a quote is always whole.
    A question in the text (a FAQ entry, a rhetorical heading) never answers: it is the context of the sentence
    after it."""
    seen: dict[tuple[str, int], Evidence] = {}
    for hit in hits:
        chunk = hit.chunk
        for n, sentence in enumerate(chunk.sentences):
            if not sentence.is_prose or _is_question(chunk.text[sentence.start:sentence.end]):
                continue
            begin = sentence.start
            own = ""
            previous = chunk.sentences[n - 1] if n > 0 else None
            if previous is not None and previous.block == sentence.block and \
                    _leans_on_previous(chunk.text[sentence.start:sentence.end]):
                begin = previous.start  # keep the sentence that names what "it" / "the tool" refers to
            elif (term := _term_above(chunk, n)) is not None:
                # "-f, --fast" + "This option skips the hull check.": quoted with its term, scored as itself (the
                # term is its section heading, which scoring reads anyway)
                begin, own = term.start, chunk.text[sentence.start:sentence.end]
            key = (chunk.source, chunk.start + sentence.end)
            if key not in seen or seen[key].start > chunk.start + begin:
                asked = _leaned_on(chunk, n) if begin == sentence.start else ""
                seen[key] = Evidence(chunk, chunk.start + begin, chunk.start + sentence.end,
                                     chunk.text[begin:sentence.end], asked=asked, own=own, block=sentence.block,
                                     kind=sentence.kind)
    return list(seen.values())


# A term is written as code or as a lower-case word ("--lock", "launch", "crane.lift(load)", "MAX_LOAD"); a section
# title ("DESCRIPTION", "Launch rules", "1. Introduction", "(Optional) Settings") is capitalised or numbered prose.
_TERM = re.compile(r"[a-z_\-<\[`'\"]|\S*(?:[_()<>=`]|--)\S*$")
_CODE_CHARACTER = re.compile(r"[_()<>=`\[\]|.]|(?:^|\s)-")
TITLE_WORDS = 3  # a lower-case heading of this many words, with no code in it, is a title, not a term


def _term_above(chunk: StoredChunk, n: int) -> Sentence | None:
    """The short term (a defined word, an option, a key, a signature) whose description sentence `n` opens: the
    heading right above its block, or above a short paragraph of the same description before it ("-a, --all" /
    "Valid for push only." / "All files are stashed."). The description reads as the term's, so it is quoted with
    it."""
    sentence = chunk.sentences[n]
    if n == 0 or chunk.sentences[n - 1].block == sentence.block:
        return None
    for back in range(n - 1, -1, -1):
        heading = chunk.sentences[back]
        if heading.kind == "heading":
            label = chunk.text[heading.start:heading.end]
            described = chunk.sentences[back + 1:n]
            between = sum(s.end - s.start for s in described)
            gaps = zip([heading, *described], [*described, sentence], strict=True)
            if sentence.block - heading.block > 1 + TERM_PARAGRAPHS or between > TERM_REACH_CHARS or \
                    any(chunk.text[a.end:b.start].strip() for a, b in gaps) or not _is_term(label):
                return None
            return heading
        if not heading.is_prose:
            return None
    return None


def _is_term(label: str) -> bool:
    """A short label written as code or as a lower-case word or two, not a title ("rsync for Debian")."""
    if len(label) > TERM_CHARS or "\n" in label or _TERM.match(label) is None:
        return False
    return len(label.split()) < TITLE_WORDS or _CODE_CHARACTER.search(label) is not None


def _leans_on_previous(sentence: str) -> bool:
    """An anaphoric opening, or a label too short to stand alone ("Default: 0.", "Returns: None."): the value
    belongs to whatever the sentence before it describes."""
    return opens_with_anaphor(sentence) or len(words(sentence)) <= SHORT_SENTENCE_WORDS


def _leaned_on(chunk: StoredChunk, n: int) -> str:
    """The sentence before sentence `n` of the chunk that it cannot be read without (its context, not quoted): the
    question the text asks just before it (a FAQ entry), or the sentence an opening "Its founder…" refers to."""
    if n == 0:
        return ""
    sentence, previous = chunk.sentences[n], chunk.sentences[n - 1]
    text = chunk.text[previous.start:previous.end]
    if _is_question(text) or (previous.is_prose and opens_with_reference(chunk.text[sentence.start:sentence.end])):
        return text
    return ""


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?")


def _compose(groups: list[list[Evidence]]) -> Draft:
    numbers: dict[tuple[str, int, int], int] = {}  # a quote cited twice keeps its first number
    citations: list[Citation] = []
    parts: list[str] = []
    for group in groups:
        markers = []
        for evidence in group:
            key = (evidence.chunk.source, evidence.start, evidence.end)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(_citation(evidence, numbers[key]))
            markers.append(marker(numbers[key]))
        parts.append(f"{_flowing(group[0].text)} {''.join(markers)}")
    text = " ".join(parts)
    if _sources_disagree(groups):
        text = f"{DISAGREEMENT_PREFIX} {text}"
    return Draft(text, tuple(citations), refused=False)


def _flowing(quote: str) -> str:
    """A quote as the answer reads it: its words as they stand, with the source's line breaks and indentation (hard
    wraps, a term above its description) made single spaces. The citation keeps the exact text and offsets."""
    return " ".join(quote.split())


def _sources_disagree(groups: list[list[Evidence]]) -> bool:
    """Two answer sentences from different sources, on the same point, with different numbers."""
    leads = [g[0] for g in groups]
    for i, a in enumerate(leads):
        for b in leads[i + 1:]:
            numbers_a, numbers_b = set(_NUMBER.findall(a.text)), set(_NUMBER.findall(b.text))
            same_point = len(_word_terms(a.text) & _word_terms(b.text)) >= SAME_POINT_SHARED_TERMS
            if a.chunk.source != b.chunk.source and numbers_a and numbers_b and numbers_a != numbers_b and same_point:
                return True
    return False


def _word_terms(text: str) -> set[str]:
    """Content terms that are words, not numbers (the numbers are what the sentences may disagree on)."""
    return {t for t in terms(text) if not t.isdigit()}


def _refusal(related: list[Evidence]) -> Draft:
    """A refusal offers the closest passages as related reading, never as an answer."""
    if not related:
        return Draft(REFUSAL_TEXT, (), refused=True)
    citations = tuple(_citation(e, n) for n, e in enumerate(related, 1))
    lines = "\n".join(f"- {_flowing(e.text)} {marker(n)}" for n, e in enumerate(related, 1))
    return Draft(f"{REFUSAL_TEXT}\n\n{RELATED_HEADER}\n{lines}", citations, refused=True)


def _citation(evidence: Evidence, n: int) -> Citation:
    return cite(evidence.chunk, evidence.start, evidence.end, evidence.text, n)
