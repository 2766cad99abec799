"""`python -m bench.segmenters`: the project's punkt against pysbd and syntok, inside the loaded blocks.

Issue #10 asks for sentence boundaries found once per document, within blocks, by a maintained segmenter. Each
candidate runs exactly where the chunker runs punkt (`assistant.chunking.block_sentences`): inside every paragraph
and list-item block of the loaded document; headings, code and table rows stay whole whatever the segmenter.

Candidates: `punkt` (the project's: NLTK's PunktSentenceTokenizer with default parameters and no trained model,
as llama-index builds it), `punkt, English model` (the same class with NLTK's trained English parameters, read from
the copy llama-index-core ships, so nothing is downloaded; skipped when absent), `pysbd` (English, clean=False,
char_span=True) and `syntok`.

Metrics:

- gold integrity: every gold evidence quote of the five eval corpora is located in its loaded document (whitespace
  normalised); it is intact when it starts on a sentence start and ends on a sentence end of that segmenter, i.e.
  it is exactly a run of whole sentences, which is what a citation must be;
- tricky cases: hand-written sentences from unrelated domains (`TRICKY`) with the expected segmentation; a case
  fails when the segmenter's sentences differ from it;
- speed: sentences per second (its own sentences) over the prose blocks of the `python-rst` corpus, best of
  `REPEATS` passes.

Output: a markdown table on stdout and in `bench/results/segmenters.md`, with each failed tricky case listed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.documents import DocumentError, LoadedDocument, list_source_files, load_document

from .common import RESULTS

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO / "evals" / "corpora"
MAX_BYTES = 20_000_000  # Settings.max_file_bytes
REPEATS = 3
SEGMENTED_KINDS = ("paragraph", "list_item")  # as in assistant.chunking.block_sentences
Spans = list[tuple[int, int]]

# (domain, text, expected sentences). Each text is one block as a loader yields it; list items carry no final stop.
TRICKY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("cooking", "Preheat the oven to 180 °C, i.e. 350 °F. Grease the tin.",
     ("Preheat the oven to 180 °C, i.e. 350 °F.", "Grease the tin.")),
    ("cooking", "Add flour, sugar, eggs, etc. Stir until smooth.",
     ("Add flour, sugar, eggs, etc.", "Stir until smooth.")),
    ("cooking", "Use a wide pan (e.g. a 30 cm skillet) and heat the oil.",
     ("Use a wide pan (e.g. a 30 cm skillet) and heat the oil.",)),
    ("cooking", "Simmer for 1.5 hours. Then season to taste.", ("Simmer for 1.5 hours.", "Then season to taste.")),
    ("cooking", "The recipe needs salt, pepper, garlic... and patience.",
     ("The recipe needs salt, pepper, garlic... and patience.",)),
    ("cooking", "Bake at 200 °C for 12.5 min. Serve warm.", ("Bake at 200 °C for 12.5 min.", "Serve warm.")),
    ("cooking", "Remove from the heat and let it rest", ("Remove from the heat and let it rest",)),
    ("shipping", "The vessel left Berth No. 5 at 06:30. It reached Rotterdam on Tuesday.",
     ("The vessel left Berth No. 5 at 06:30.", "It reached Rotterdam on Tuesday.")),
    ("shipping", "Cargo was insured by Harbour Mutual Ltd. for $1.2 million.",
     ("Cargo was insured by Harbour Mutual Ltd. for $1.2 million.",)),
    ("shipping", "Contact Capt. J. Smith at the harbour office. He signs the bill of lading.",
     ("Contact Capt. J. Smith at the harbour office.", "He signs the bill of lading.")),
    ("shipping", "Arrival is approx. 14:00 UTC on 3 Jan. 2024, weather permitting.",
     ("Arrival is approx. 14:00 UTC on 3 Jan. 2024, weather permitting.",)),
    ("shipping", "The U.S. Coast Guard inspected the hull. No defects were found.",
     ("The U.S. Coast Guard inspected the hull.", "No defects were found.")),
    ("shipping", "Deliver to No. 5 Harbour Road", ("Deliver to No. 5 Harbour Road",)),
    ("software", "Python 3.11 adds exception groups. Upgrade from 3.10 first.",
     ("Python 3.11 adds exception groups.", "Upgrade from 3.10 first.")),
    ("software", "Install v2.0.1 or later, then restart the service.",
     ("Install v2.0.1 or later, then restart the service.",)),
    ("software", "Edit config.yaml and set debug to true. Then run the tests.",
     ("Edit config.yaml and set debug to true.", "Then run the tests.")),
    ("software", "The function returns None, e.g. when the key is missing.",
     ("The function returns None, e.g. when the key is missing.",)),
    ("software", "See os.path.join() for details. It handles separators.",
     ("See os.path.join() for details.", "It handles separators.")),
    ("software", "Wait... did the build pass? Yes, it did.", ("Wait... did the build pass?", "Yes, it did.")),
    ("software", "Run pip install -r requirements.txt", ("Run pip install -r requirements.txt",)),
    ("law", "See Smith v. Jones, 123 F.3d 456 (9th Cir. 1999). The court disagreed.",
     ("See Smith v. Jones, 123 F.3d 456 (9th Cir. 1999).", "The court disagreed.")),
    ("law", "Under Art. 5 para. 2 of the Regulation, the controller is liable.",
     ("Under Art. 5 para. 2 of the Regulation, the controller is liable.",)),
    ("law", "The witness, Dr. Alice Brown, testified on Monday. Her testimony lasted three hours.",
     ("The witness, Dr. Alice Brown, testified on Monday.", "Her testimony lasted three hours.")),
    ("law", 'The judge said, "The motion is denied." Counsel objected.',
     ('The judge said, "The motion is denied."', "Counsel objected.")),
    ("law", '"Is this binding?" asked the clerk.', ('"Is this binding?" asked the clerk.',)),
    ("law", "Under s. 12(3)(b) the tenant must give notice, i.e. in writing.",
     ("Under s. 12(3)(b) the tenant must give notice, i.e. in writing.",)),
    ("law", "Sec. 2 Definitions and interpretation", ("Sec. 2 Definitions and interpretation",)),
    ("finance", "Shares closed at $12.50. Volume was light.", ("Shares closed at $12.50.", "Volume was light.")),
    ("finance", '"Sell now!" the broker shouted. Nobody moved.', ('"Sell now!" the broker shouted.', "Nobody moved.")),
)


def _trimmed(text: str, spans: Spans) -> Spans:
    """Spans without surrounding whitespace, empty ones dropped (pysbd's spans carry the following spaces)."""
    result = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            result.append((start, end))
    return result


def _punkt() -> Callable[[str], Spans]:
    from assistant.text import sentences_of

    return sentences_of


def _punkt_defaults() -> Callable[[str], Spans]:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    tokenizer = PunktSentenceTokenizer()
    return lambda text: list(tokenizer.span_tokenize(text))


def english_punkt_dir() -> Path | None:
    """NLTK's trained English punkt parameters as llama-index-core ships them, if installed."""
    try:
        import llama_index.core
    except ImportError:
        return None
    folder = Path(llama_index.core.__file__).parent / "_static" / "nltk_cache" / "tokenizers" / "punkt_tab" / "english"
    return folder if folder.is_dir() else None


def _punkt_english() -> Callable[[str], Spans]:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    folder = english_punkt_dir()
    if folder is None:
        raise RuntimeError("llama-index-core's bundled punkt_tab is not installed")
    params = PunktParameters()
    params.abbrev_types = set((folder / "abbrev_types.txt").read_text(encoding="utf-8").split())
    params.sent_starters = set((folder / "sent_starters.txt").read_text(encoding="utf-8").split())
    params.collocations = {tuple(line.split("\t")) for line in
                           (folder / "collocations.tab").read_text(encoding="utf-8").splitlines() if line}
    for line in (folder / "ortho_context.tab").read_text(encoding="utf-8").splitlines():
        if line:
            word, flags = line.split("\t")
            params.ortho_context[word] = int(flags)
    tokenizer = PunktSentenceTokenizer(params)
    return lambda text: list(tokenizer.span_tokenize(text))


def _pysbd() -> Callable[[str], Spans]:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: _trimmed(text, [(span.start, span.end) for span in segmenter.segment(text)])


def _syntok() -> Callable[[str], Spans]:
    from syntok import segmenter

    def spans(text: str) -> Spans:
        return [(sentence[0].offset, sentence[-1].offset + len(sentence[-1].value))
                for paragraph in segmenter.analyze(text) for sentence in paragraph if sentence]
    return spans


def _pysbd_joined() -> Callable[[str], Spans]:
    """pysbd with each line break read as a space (same length, so offsets hold): with clean=False it ends a
    sentence at every line break, which cuts the hard-wrapped sentences of reST, Markdown and plain text."""
    segment = _pysbd()
    return lambda text: segment(text.replace("\n", " "))


SEGMENTERS: dict[str, Callable[[], Callable[[str], Spans]]] = {
    "punkt (ours: default parameters + common abbreviations)": _punkt,
    "punkt, default parameters": _punkt_defaults,
    "punkt, English model": _punkt_english,
    "pysbd 0.3.4": _pysbd,
    "pysbd, line breaks as spaces": _pysbd_joined,
    "syntok 1.4.4": _syntok,
}


def document_spans(document: LoadedDocument, segment: Callable[[str], Spans]) -> Spans:
    """Sentence spans of a document as the chunker makes them, with `segment` in punkt's place."""
    spans: Spans = []
    for block in document.blocks:
        if block.kind not in SEGMENTED_KINDS:
            spans.append((block.start, block.end))
            continue
        body = document.text[block.start:block.end]
        spans.extend((block.start + s, block.start + e) for s, e in _trimmed(body, segment(body)))
    return spans


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """(start, end) of the quote in the text, whitespace runs matching any whitespace run."""
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (match.start(), match.end()) if match else None


def corpus_sources(name: str) -> Path:
    """The sources folder of an eval corpus (its corpus.toml may point elsewhere, as `news` does)."""
    config = tomllib.loads((CORPORA / name / "corpus.toml").read_text(encoding="utf-8"))
    return (CORPORA / name / config.get("sources", "sources")).resolve()


def load_corpus(name: str) -> dict[str, LoadedDocument]:
    root = corpus_sources(name)
    documents = {}
    for path in list_source_files(root):
        try:
            document = load_document(path, root, MAX_BYTES)
        except DocumentError:
            continue
        documents[document.source] = document
    return documents


_ENDS_SENTENCE = re.compile(r"[.!?:][\"”’')\]]*$")  # a quote may end with the colon that introduces a list
_AFTER_SENTENCE = re.compile(r"[.!?][\"”’')\]]*$")  # but "Note: The ..." does not begin a sentence


@dataclass
class Integrity:
    """Gold quotes of one corpus under one segmenter."""

    total: int = 0
    located: int = 0
    shaped: int = 0  # located quotes shaped like whole sentences (see `sentence_shaped`)
    intact: int = 0  # of those, exactly a run of the segmenter's sentences
    cut: int = 0  # located quotes with a boundary inside a block that follows no sentence punctuation


def sentence_shaped(document: LoadedDocument, start: int, end: int, block_starts: set[int]) -> bool:
    """A quote that a correct segmenter must reproduce: it begins a block or follows sentence punctuation, and it
    ends with sentence punctuation. Many gold quotes are clauses cut from a longer sentence; no segmenter can
    make those whole, so they are left out of 'intact'."""
    before = document.text[:start].rstrip()
    begins = start in block_starts or not before or bool(_AFTER_SENTENCE.search(before))
    return begins and bool(_ENDS_SENTENCE.search(document.text[start:end]))


def gold_integrity(corpora: dict[str, dict[str, LoadedDocument]],
                   segment: Callable[[str], Spans]) -> dict[str, Integrity]:
    """Per corpus: gold quotes located in their loaded document, the sentence-shaped ones that are runs of whole
    sentences, and the quotes a boundary cuts mid-sentence."""
    results = {}
    for name, documents in corpora.items():
        tally = Integrity()
        cache: dict[str, tuple[set[int], set[int], set[int]]] = {}
        for line in (CORPORA / name / "gold.jsonl").read_text(encoding="utf-8").splitlines():
            for evidence in json.loads(line).get("evidence", []) if line.strip() else []:
                tally.total += 1
                document = documents.get(evidence["source"])
                where = locate(document.text, evidence["quote"]) if document else None
                if document is None or where is None:
                    continue
                tally.located += 1
                if document.source not in cache:
                    spans = document_spans(document, segment)
                    cache[document.source] = ({s for s, _ in spans}, {e for _, e in spans},
                                              {b.start for b in document.blocks})
                starts, ends, block_starts = cache[document.source]
                if sentence_shaped(document, *where, block_starts):
                    tally.shaped += 1
                    tally.intact += where[0] in starts and where[1] in ends
                tally.cut += any(where[0] < s < where[1] and s not in block_starts
                                 and not _ENDS_SENTENCE.search(document.text[:s].rstrip()) for s in starts)
        results[name] = tally
    return results


def tricky_failures(segment: Callable[[str], Spans]) -> list[str]:
    """The tricky cases this segmenter gets wrong, each shown as its sentences."""
    failures = []
    for domain, text, expected in TRICKY:
        got = tuple(text[s:e] for s, e in _trimmed(text, segment(text)))
        if got != expected:
            failures.append(f"{domain}: " + " ‖ ".join(got))
    return failures


def speed(documents: dict[str, LoadedDocument], segment: Callable[[str], Spans]) -> tuple[int, float]:
    """(sentences, best seconds) over the prose blocks of the documents."""
    bodies = [d.text[b.start:b.end] for d in documents.values() for b in d.blocks if b.kind in SEGMENTED_KINDS]
    best, count = float("inf"), 0
    for _ in range(REPEATS):
        began = time.perf_counter()
        count = sum(len(segment(body)) for body in bodies)
        best = min(best, time.perf_counter() - began)
    return count, best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.segmenters", description=__doc__.split("\n")[0])
    parser.add_argument("--no-write", action="store_true", help="Print only; leave bench/results alone.")
    args = parser.parse_args(argv)
    names = sorted(p.name for p in CORPORA.iterdir() if (p / "gold.jsonl").is_file() and (p / "corpus.toml").is_file())
    corpora = {name: load_corpus(name) for name in names}
    header = ("| segmenter | " + " | ".join(f"{n} intact" for n in names) + " | all intact | quotes cut mid-sentence |"
              " tricky failed | python-rst sentences | sentences/s |")
    lines = [header, "|---" * (header.count("|") - 1) + "|"]
    details = []
    for label, build in SEGMENTERS.items():
        try:
            segment = build()
        except (ImportError, RuntimeError) as error:
            details.append(f"- {label}: skipped ({error})")
            continue
        segment("Warm up. Twice.")
        integrity = gold_integrity(corpora, segment)
        located = sum(t.located for t in integrity.values())
        shaped = sum(t.shaped for t in integrity.values())
        intact = sum(t.intact for t in integrity.values())
        cut = sum(t.cut for t in integrity.values())
        failures = tricky_failures(segment)
        count, seconds = speed(corpora.get("python-rst", {}), segment)
        cells = [f"{t.intact}/{t.shaped}" for t in integrity.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {intact}/{shaped} ({intact / max(shaped, 1):.3f}) | "
                     f"{cut}/{located} | {len(failures)}/{len(TRICKY)} | {count} | {count / seconds:,.0f} |")
        details.append(f"- {label}: " + ("; ".join(f"`{f}`" for f in failures) or "none failed"))
    total = {n: sum(len(json.loads(x).get("evidence", [])) for x in (CORPORA / n / "gold.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()) for n in names}
    load = os.getloadavg()
    table = "\n".join([*lines, "",
                       "Intact: sentence-shaped gold quotes (they begin a block or follow . ! or ?, and end with "
                       "sentence punctuation) that are exactly a run of the segmenter's whole sentences / all "
                       "sentence-shaped ones. "
                       "Cut: located gold quotes with a boundary inside a block that follows no sentence punctuation. "
                       "Gold quotes per corpus: " + ", ".join(f"{n} {v}" for n, v in total.items()) + ".",
                       f"Measured {time.strftime('%Y-%m-%d %H:%M')}, load average {load[0]:.2f} / {load[1]:.2f} / "
                       f"{load[2]:.2f} on {os.cpu_count()} cores.", "", "Tricky cases failed (sentences split by ‖):",
                       *details])
    print(table)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        title = "# Sentence segmenters (`python -m bench.segmenters`)\n\n"
        (RESULTS / "segmenters.md").write_text(title + table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
