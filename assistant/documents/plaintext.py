"""Plain text (and exported news articles): paragraphs at blank lines, hard-wrapped lines joined.

Within a paragraph a new block starts at a bullet line, or where a line ends a sentence and
the next does not carry on in lower case. Lines of page furniture (see `furniture`) become
no block, and neither does a short line standing alone without sentence punctuation (a
headline, a related story's title). Plain text has no reliable section markup, so its
blocks carry no section path.
"""

from __future__ import annotations

import re
from collections import Counter

from .furniture import PROSE_MIN_WORDS_UNPUNCTUATED, ends_sentence, is_boilerplate, is_furniture
from .model import Block, BlockKind, ParsedText, continues_line, line_starts, trimmed

BULLET = re.compile(r"^\s*(?:[•\-*–·▪]|\d+[.)])\s+")


def parse_plain_text(text: str) -> ParsedText:  # noqa: C901 - one pass over the lines with its block rules inline
    starts = line_starts(text)
    lines = [(starts[i], starts[i + 1] - 1) for i in range(len(starts) - 1)]
    stripped = [text[s:e].strip() for s, e in lines]
    counts = Counter(line for line in stripped if line)
    blocks: list[Block] = []
    current: list[int] = []  # indexes of the lines of the block being built

    def flush(kind: BlockKind = "paragraph") -> None:
        if current:
            start, end = lines[current[0]][0], lines[current[-1]][1]
            bullet = BULLET.match(text[start:end])
            if bullet:
                start, kind = start + bullet.end(), "list_item"
            start, end = trimmed(text, start, end)
            line = text[start:end]
            headline = kind == "paragraph" and len(current) == 1 and not ends_sentence(line) and \
                len(line.split()) < PROSE_MIN_WORDS_UNPUNCTUATED
            if start < end and not headline:
                blocks.append(Block(kind, start, end))
            current.clear()

    for i, line in enumerate(stripped):
        if not line:
            flush()
            continue
        continuation = bool(current) and continues_line(line)
        if not continuation:
            if is_furniture(line, counts) and not _carries_on(line, stripped[i + 1] if i + 1 < len(stripped) else ""):
                flush()
                continue
            in_item = bool(current) and bool(BULLET.match(stripped[current[0]]))
            if current and (BULLET.match(line) or in_item or _block_ended(stripped[current[-1]], line)):
                flush()
        current.append(i)
    flush()
    if not blocks:  # a document of short lines only (a list, a table): keep its non-furniture lines
        blocks = [Block("paragraph", *trimmed(text, s, e)) for (s, e), line in zip(lines, stripped, strict=True)
                  if line and not is_boilerplate(line)]
    return ParsedText(text, tuple(blocks))


def _carries_on(line: str, after: str) -> bool:
    return bool(after) and continues_line(after) and not ends_sentence(line)


def _block_ended(previous: str, line: str) -> bool:
    """A line that does not carry on the previous one starts a new block."""
    if continues_line(line):
        return False
    return ends_sentence(previous) or len(previous.split()) < PROSE_MIN_WORDS_UNPUNCTUATED // 2
