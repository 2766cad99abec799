"""The one document model every format is loaded into: text plus blocks with exact offsets.

A document's *loaded text* is what citations point into (`text[start:end] == quote`).
Each format's parser builds that text itself and records its *blocks*: paragraphs,
headings, list items, table rows and code, each with the section path it sits under and,
for PDFs, its page. Sentences are found inside blocks, so a quote never spans two blocks
and never stops at a line break inside one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

BlockKind = Literal["paragraph", "heading", "list_item", "table_row", "code"]
PROSE_KINDS: frozenset[str] = frozenset({"paragraph", "list_item", "table_row"})
# A list item's marker at the start of a line: a bullet, or a number with a stop or a bracket ("•", "-", "2.", "3)").
LIST_MARKER = re.compile(r"^\s*(?:[•\-*–·▪]|\d+[.)])\s+")
SECTION_SEPARATOR = " › "
_BLANK_LINES = re.compile(r"\A(?:[^\S\n]*\n)+")  # blank lines before a block's first line of text


class DocumentError(Exception):
    """A file that cannot be loaded; the message says why, in plain words."""


class OutsideSourcesError(DocumentError):
    """A path that leads out of the sources folder: never read, and whatever was indexed under it is dropped."""


@dataclass(frozen=True)
class Block:
    """One structural unit of a document, as offsets into its loaded text."""

    kind: BlockKind
    start: int
    end: int
    section: tuple[str, ...] = ()
    page: int | None = None

    @property
    def is_prose(self) -> bool:
        """Prose blocks can be quoted as answers; headings and code only give context."""
        return self.kind in PROSE_KINDS


@dataclass(frozen=True)
class LoadedDocument:
    """One source document as the index sees it."""

    source: str
    title: str
    publication: str
    text: str
    blocks: tuple[Block, ...] = field(repr=False)

    @cached_property
    def content_hash(self) -> str:
        """Changes whenever anything a chunk or citation depends on changes (computed once per document)."""
        digest = hashlib.sha256()
        for part in (self.title, self.publication, self.text, repr(self.blocks)):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()[:32]


@dataclass(frozen=True)
class ParsedText:
    """What a format parser returns: the loaded text, its blocks, and metadata it found (title...)."""

    text: str
    blocks: tuple[Block, ...]
    metadata: dict[str, str] = field(default_factory=dict)


class TextBuilder:
    """Builds a loaded text block by block, so each block's offsets are known exactly.

    Used by parsers that compose their own text (HTML, PDF); parsers that keep the file's
    text as it is (Markdown, reST, plain text) record offsets into it directly.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []

    def add(self, text: str, kind: BlockKind, section: tuple[str, ...] = (), page: int | None = None) -> None:
        """A block of the text, stripped of surrounding whitespace; code keeps its first line's indentation."""
        text = _BLANK_LINES.sub("", text).rstrip() if kind == "code" else text.strip()
        if not text.strip():
            return
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        self.blocks.append(Block(kind, self._length, self._length + len(text), section, page))
        self._parts.append(text)
        self._length += len(text)

    def build(self, metadata: dict[str, str] | None = None) -> ParsedText:
        return ParsedText("".join(self._parts), tuple(self.blocks), metadata or {})


def line_starts(text: str) -> list[int]:
    """Offset of the start of each line, plus one past the end: line i is text[starts[i]:starts[i + 1] - 1]."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def continues_line(line: str) -> bool:
    """Hard-wrapped text: a line that begins in lower case carries on the line before it (the one joining rule)."""
    return line[:1].islower()


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) narrowed so that text[start:end] has no surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
