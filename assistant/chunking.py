"""Sentences per document, and chunks of whole sentences within one section.

Sentence boundaries are found once per document, inside each block, with punkt (NLTK's,
with the default parameters llama-index uses; nothing is downloaded). A chunk is a run of whole
sentences from consecutive blocks of one section, up to the embedder's window; the next
chunk repeats the last sentences (up to `overlap` word pieces) for context. A sentence
longer than the window (a long code block, a run-on table row) is cut at line breaks, or
at spaces, into pieces that fit: the only place a chunk boundary falls inside a sentence. Pieces of
prose are embedded and retrieved like any sentence but never quoted (kind "fragment").

Each chunk carries its sentences (offsets relative to the chunk, the block kind and the
block number), so answerers quote exactly the sentences found here and never re-segment.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .config import Settings
from .documents import SECTION_SEPARATOR, Block, LoadedDocument
from .documents.model import LIST_MARKER, trimmed
from .embedding import SPECIAL_TOKENS, Embedder
from .text import sentences_of

# What may lie between two blocks of one chunk: white space and list or quote markup ("* ", "2. ", "> ", "|"),
# never words (a PDF page header, a navigation line) that are not part of the document's prose.
_MARKUP_BETWEEN_BLOCKS = re.compile(r"[\s*+\-•·▪–>|#]*(?:(?:\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|#\.)[\s*+\-•·▪–>|]*)?")

# Bump when segmentation or chunking changes what it produces: it is part of the index fingerprint.
CHUNKER_VERSION = "11"
_CONTEXT_TOKENS = 40  # word pieces kept for the title and section path prefixed to each embedded chunk
# A sentence longer than this (a run-on line, a file without punctuation or spaces) is cut before it is tokenized,
# and texts go to the tokenizer this many at a time: no single file costs memory out of proportion to its size.
MAX_PIECE_CHARS = 10_000  # far above any sentence of the eval corpora, so they chunk exactly as before
MAX_CHUNK_CHARS = MAX_PIECE_CHARS  # far above a normal chunk (~1,000); bounds runs of text the tokenizer calls [UNK]
TOKENIZE_BATCH = 1_024


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a whole heading, list item, table row, or a piece of a code block) of a document."""

    start: int
    end: int
    kind: str
    block: int  # index of its block in the document

    @property
    def is_prose(self) -> bool:
        """Quotable as an answer: a whole sentence of prose (a piece of a cut sentence is not)."""
        return self.kind in ("paragraph", "list_item", "table_row")


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, with exact offsets into its loaded text."""

    id: str
    source: str
    text: str
    start: int
    end: int
    section: str
    page: int | None
    sentences: tuple[Sentence, ...]  # offsets relative to the chunk

    @property
    def embedding_text(self) -> str:
        """What is embedded and keyword-indexed: the chunk under its section path."""
        return under_section(self.section, self.text)

    def sentences_json(self) -> str:
        return encode_sentences(self.sentences)


def under_section(section: str, text: str) -> str:
    """A chunk's text headed by its section path: the one form both the embedder and BM25 see."""
    return f"{section}\n{text}" if section else text


def encode_sentences(sentences: Sequence[Sentence]) -> str:
    return json.dumps([[s.start, s.end, s.kind[0], s.block] for s in sentences], separators=(",", ":"))


# "fragment": a piece of a prose sentence too long for one chunk. It is embedded and retrieved like the rest, but
# never quoted, since a quote is always a whole sentence.
_KIND_BY_INITIAL = {"p": "paragraph", "h": "heading", "l": "list_item", "t": "table_row", "c": "code", "f": "fragment"}


def decode_sentences(encoded: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(int(s), int(e), _KIND_BY_INITIAL.get(k, "paragraph"), int(b))
                 for s, e, k, b in json.loads(encoded or "[]"))


def block_sentences(text: str, block: Block, number: int) -> list[Sentence]:
    """Sentences of one block; headings, list items and table rows stay whole, code splits by line later."""
    if block.kind in ("heading", "code", "table_row"):
        return [Sentence(block.start, block.end, block.kind, number)]
    start = block.start
    if block.kind == "list_item":  # a marker left in the item's text ("1. Reads…", "• Reads…") is no sentence
        marker = LIST_MARKER.match(text[block.start:block.end])
        start += marker.end() if marker and block.start + marker.end() < block.end else 0
    body = text[start:block.end]
    return [Sentence(start + s, start + e, block.kind, number) for s, e in sentences_of(body)]


def document_sentences(document: LoadedDocument) -> list[Sentence]:
    return [s for n, block in enumerate(document.blocks) for s in block_sentences(document.text, block, n)]


class Chunker:
    """Packs a document's sentences into chunks that fit the window, counted with the embedder's tokenizer."""

    def __init__(self, count_tokens: Callable[[list[str]], list[int]], chunk_tokens: int, overlap: int) -> None:
        self.count_tokens = count_tokens
        self.budget = max(chunk_tokens - SPECIAL_TOKENS - _CONTEXT_TOKENS, 16)
        self.overlap = min(overlap, self.budget // 2)

    @classmethod
    def for_embedder(cls, embedder: Embedder, settings: Settings) -> Chunker:
        """The chunker an index is built with: the settings' sizes, counted by the embedder's own tokenizer."""
        return cls(embedder.count_tokens_batch, settings.chunk_tokens, settings.chunk_overlap)

    def split(self, document: LoadedDocument) -> list[Chunk]:
        text = document.text
        sentences, sizes = self._fitting(text, document_sentences(document))
        chunks: list[Chunk] = []
        run: list[int] = []  # indexes into sentences
        total = 0  # word pieces in the run

        for i, sentence in enumerate(sentences):
            previous = sentences[run[-1]] if run else None
            same_section = previous is not None and \
                document.blocks[previous.block].section == document.blocks[sentence.block].section
            # Text left out between two blocks (page furniture) never ends up inside a chunk; list markup may.
            gap = previous is not None and not _MARKUP_BETWEEN_BLOCKS.fullmatch(text[previous.end:sentence.start])
            too_long = run and sentence.end - sentences[run[0]].start > MAX_CHUNK_CHARS
            if run and (not same_section or gap or total + sizes[i] > self.budget or too_long):
                chunks.append(self._chunk(document, [sentences[j] for j in run]))
                run = self._overlap(run, sizes) if same_section and not gap else []
                total = sum(sizes[j] for j in run)
            run.append(i)
            total += sizes[i]
        if run:
            chunks.append(self._chunk(document, [sentences[j] for j in run]))
        return chunks

    def _overlap(self, run: list[int], sizes: list[int]) -> list[int]:
        kept: list[int] = []
        total = 0
        for j in reversed(run[1:]):
            if total + sizes[j] > self.overlap:
                break
            kept.insert(0, j)
            total += sizes[j]
        return kept

    def _fitting(self, text: str, sentences: list[Sentence]) -> tuple[list[Sentence], list[int]]:
        """Sentences longer than the budget cut into pieces that fit (at line breaks, else at spaces), with the
        word pieces of each: every text is tokenized once."""
        sentences = [piece for sentence in sentences for piece in _bounded(text, sentence)]
        sizes = self._count([text[s.start:s.end] for s in sentences])
        fitted: list[Sentence] = []
        fitted_sizes: list[int] = []
        for sentence, size in zip(sentences, sizes, strict=True):
            if size <= self.budget:
                fitted.append(sentence)
                fitted_sizes.append(size)
            else:
                for piece, piece_size in self._pieces(text, sentence):
                    fitted.append(piece)
                    fitted_sizes.append(piece_size)
        return fitted, fitted_sizes

    def _pieces(self, text: str, sentence: Sentence) -> list[tuple[Sentence, int]]:
        """Consecutive runs of the sentence's lines (or words) within the budget; a single line beyond it is left
        to the embedder's truncation."""
        body = text[sentence.start:sentence.end]
        separator = "\n" if "\n" in body else " "
        parts = body.split(separator)
        pieces: list[tuple[int, int, int]] = []  # (start, end, word pieces) relative to the sentence
        begin, position, total = 0, 0, 0
        for part, tokens in zip(parts, self._count(parts), strict=True):
            if total and total + tokens > self.budget:
                pieces.append((begin, position - 1, total))
                begin, total = position, 0
            total += tokens + 1
            position += len(part) + 1
        pieces.append((begin, len(body), total))
        kind = _piece_kind(sentence) if len(pieces) > 1 else sentence.kind
        result = []
        for begin, end, tokens in pieces:
            start, stop = trimmed(text, sentence.start + begin, sentence.start + end)
            if start < stop:
                result.append((Sentence(start, stop, kind, sentence.block), tokens))
        return result

    def _count(self, texts: list[str]) -> list[int]:
        """Word pieces of each text, asked of the tokenizer in bounded batches."""
        sizes: list[int] = []
        for begin in range(0, len(texts), TOKENIZE_BATCH):
            sizes += self.count_tokens(texts[begin:begin + TOKENIZE_BATCH])
        return sizes

    def _chunk(self, document: LoadedDocument, sentences: list[Sentence]) -> Chunk:
        start, end = sentences[0].start, sentences[-1].end
        first_block = document.blocks[sentences[0].block]
        section = SECTION_SEPARATOR.join(first_block.section)
        relative = tuple(Sentence(s.start - start, s.end - start, s.kind, s.block) for s in sentences)
        return Chunk(chunk_id(document.source, document.content_hash, start, end), document.source,
                     document.text[start:end], start, end, section, first_block.page, relative)


def _bounded(text: str, sentence: Sentence) -> list[Sentence]:
    """The sentence, or consecutive pieces of it of at most MAX_PIECE_CHARS, cut at the last line break before the
    limit, else the last space (mid-word only when there is neither)."""
    if sentence.end - sentence.start <= MAX_PIECE_CHARS:
        return [sentence]
    pieces = []
    position = sentence.start
    while position < sentence.end:
        limit = min(position + MAX_PIECE_CHARS, sentence.end)
        cut = limit
        if limit < sentence.end:
            space = text.rfind("\n", position + 1, limit)
            space = space if space > position else text.rfind(" ", position + 1, limit)
            cut = space if space > position else limit
        start, stop = trimmed(text, position, cut)
        if start < stop:
            pieces.append(Sentence(start, stop, _piece_kind(sentence), sentence.block))
        position = cut
    return pieces


def _piece_kind(sentence: Sentence) -> str:
    """What a piece of a cut sentence is: still code if it was code, else a fragment that is never quoted."""
    return "fragment" if sentence.is_prose else sentence.kind


def chunk_id(source: str, content_hash: str, start: int, end: int) -> str:
    key = f"{source}\0{content_hash}\0{start}\0{end}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
