"""Does a cited quote support an answer statement? A checker that needs no LLM.

The eval scores citations in the sense of ALCE (Gao et al. 2023), which asks an NLI model
whether the cited passages entail each statement. Offline and without an LLM we use a
transparent proxy instead, fixed up front (not fitted to the labelled pairs):

1. **Containment.** After normalisation (case, curly quotes, dashes, whitespace, end
   punctuation) the statement appears verbatim in the cited quote(s): supported. This is
   how an extractive answer's sentences are checked, and it is exact.
2. **Entailment proxy**, otherwise. Supported only if all three hold:
   * every number and every name in the statement occurs in the quote (a claim with a
     number or an entity the evidence does not mention is the classic hallucination;
     cf. entity-level factual consistency, Nan et al. 2021);
   * coverage >= 0.7: at least 70% of the statement's distinct content terms (stemmed,
     stopwords dropped: `text.terms`) occur in the quote;
   * cosine >= 0.5 between the MiniLM embeddings of statement and quote (same meaning,
     not merely the same words).

Known blind spots: negation and role swaps that keep the words ("A said it opposes"
when the quote says B did), and paraphrases using other words ("sell abroad" for
"export"). `validate` measures the checker on hand-labelled pairs so these costs are visible.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .embedding import Embedder
from .markers import MARKER_GROUP, numbers
from .phrases import DISAGREEMENT_PREFIX
from .text import terms

MIN_COVERAGE = 0.7
MIN_COSINE = 0.5

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b(?:[A-Z][\w\-]*[A-Z][\w\-]*|[A-Z][a-z][\w\-]*)")
_TRANSLATE = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-",
                            "‐": "-", "‑": "-", "−": "-", "\u00a0": " "})
_FRAMING = (DISAGREEMENT_PREFIX,)


def normalise(text: str) -> str:
    """Case-folded text with straight quotes, plain hyphens and single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Statement:
    """One answer statement: the text before a marker group, and the citation numbers in that group."""

    text: str
    markers: tuple[int, ...]


def split_statements(answer_text: str, cited: Collection[int] | None = None) -> list[Statement]:
    """Split an answer into statements at each marker group ("A [1] B [2][3]" -> A:(1,), B:(2, 3)).

    Trailing text without markers is an uncited statement. Fixed framing phrases (the
    disagreement prefix) and list bullets are not claims and are removed; statements with
    no content words at all ("So it was.") are dropped. Given the answer's citation numbers
    (`cited`), a bracketed number that names none of them is quoted text ("use heap[0]"), not a marker.
    """
    statements: list[Statement] = []
    position = 0
    for match in MARKER_GROUP.finditer(answer_text):
        markers = tuple(numbers(match.group()))
        if cited is not None and not set(markers) <= set(cited):
            continue
        statements.append(Statement(_clean(answer_text[position:match.start()]), markers))
        position = match.end()
    statements.append(Statement(_clean(answer_text[position:]), ()))
    return [s for s in statements if terms(s.text)]


def _clean(text: str) -> str:
    text = text.strip().lstrip(".,;:!? ").strip()
    for phrase in _FRAMING:
        if text.startswith(phrase):
            text = text[len(phrase):].strip()
    return re.sub(r"^(?:[-•*]\s+)", "", text)


@dataclass(frozen=True)
class Judgement:
    """Whether the quotes support the statement, by which rule, and the proxy's measurements."""

    supported: bool
    rule: str
    coverage: float = 0.0
    cosine: float = 0.0
    missing: tuple[str, ...] = ()

    def explain(self) -> str:
        if self.rule == "contained":
            return "contained in the quote"
        detail = f"coverage {self.coverage:.2f}, cosine {self.cosine:.2f}"
        if self.missing:
            detail += f", not in quote: {', '.join(self.missing)}"
        return detail


class SupportChecker:
    """Judges statement-vs-quote support with the rule in this module's docstring; caches embeddings."""

    def __init__(self, embedder: Embedder, min_coverage: float = MIN_COVERAGE, min_cosine: float = MIN_COSINE) -> None:
        self.embedder = embedder
        self.min_coverage = min_coverage
        self.min_cosine = min_cosine
        self._vectors: dict[str, np.ndarray] = {}

    def judge(self, statement: str, quotes: Sequence[str]) -> Judgement:
        """Do the quotes, read together, support the statement?"""
        if not quotes:
            return Judgement(False, "no quote")
        evidence = "\n".join(quotes)
        claim = normalise(statement).rstrip(" .!?;:")
        if claim and claim in normalise(evidence):
            return Judgement(True, "contained", 1.0, 1.0)
        missing = tuple(_missing_anchors(statement, evidence))
        wanted = set(terms(statement))
        coverage = len(wanted & set(terms(evidence))) / len(wanted) if wanted else 0.0
        cosine = float(self._vector(statement) @ self._vector(evidence))
        supported = not missing and coverage >= self.min_coverage and cosine >= self.min_cosine
        return Judgement(supported, "proxy", coverage, cosine, missing)

    def prime(self, texts: Iterable[str]) -> None:
        """Embed many texts in one batch ahead of `judge` (one batch is far cheaper than many single calls)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed_batch(missing), strict=True))

    def _vector(self, text: str) -> np.ndarray:
        if text not in self._vectors:
            self._vectors[text] = self.embedder.embed(text)
        return self._vectors[text]


def _missing_anchors(statement: str, evidence: str) -> Iterable[str]:
    """Numbers and names of the statement that the evidence never mentions."""
    haystack = normalise(evidence)
    numbers = {n.replace(",", "") for n in _NUMBER.findall(haystack)}
    for number in dict.fromkeys(n.replace(",", "") for n in _NUMBER.findall(statement)):
        if number not in numbers:
            yield number
    first = re.match(r"\W*(\w+)", statement)
    for match in _NAME.finditer(statement):
        name = match.group().removesuffix("'s").removesuffix("’s")
        is_opening = first is not None and match.start() == first.start(1) and not name.isupper()
        if not is_opening and not re.search(rf"(?<!\w){re.escape(normalise(name))}", haystack):
            yield name


@dataclass(frozen=True)
class CheckerValidation:
    """The checker against hand labels: supported is the positive class."""

    n: int
    accuracy: float
    precision: float
    recall: float
    true_positive: int
    false_positive: int
    true_negative: int
    false_negative: int
    errors: tuple[dict, ...]

    def to_dict(self) -> dict:
        return asdict(self)


def validate(checker: SupportChecker, pairs: Sequence[dict]) -> CheckerValidation:
    """Accuracy, precision and recall of `checker` on {sentence, passage, supported, note} pairs."""
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    errors = []
    checker.prime(text for pair in pairs for text in (pair["sentence"], pair["passage"]))
    for pair in pairs:
        judgement = checker.judge(pair["sentence"], [pair["passage"]])
        key = ("t" if judgement.supported == pair["supported"] else "f") + ("p" if judgement.supported else "n")
        counts[key] += 1
        if judgement.supported != pair["supported"]:
            errors.append({"sentence": pair["sentence"], "labelled": pair["supported"], "note": pair.get("note", ""),
                           "checker": judgement.explain()})
    n = len(pairs)
    predicted, actual = counts["tp"] + counts["fp"], counts["tp"] + counts["fn"]
    return CheckerValidation(n, (counts["tp"] + counts["tn"]) / n if n else 0.0,
                             counts["tp"] / predicted if predicted else 0.0, counts["tp"] / actual if actual else 0.0,
                             counts["tp"], counts["fp"], counts["tn"], counts["fn"], tuple(errors))
