"""Plain text (and exported news articles): paragraphs at blank lines, hard-wrapped lines joined.

Within a paragraph a new block starts at a bullet line, or where a line ends a sentence and
the next does not carry on in lower case; a line that was wrapped because it was full carries
on whatever the next line starts with. Lines indented deeper than the document's text (a
command, a configuration line) are a code block, never dropped. A line underlined with
``---`` or ``===`` is a heading. Lines of page furniture (see `furniture`) become no block,
and neither does a short line standing alone without sentence punctuation (a headline, a
related story's title), unless it holds code ("Is now called: --write-devices").
"""

from __future__ import annotations

import re
from collections import Counter

from .furniture import PROSE_MIN_WORDS_UNPUNCTUATED, ends_sentence, is_boilerplate, is_furniture
from .model import LIST_MARKER, Block, BlockKind, ParsedText, continues_line, line_starts, trimmed

_UNDERLINE = re.compile(r"^\s*(?:-{3,}|={3,}|~{3,})\s*$")
# Code in a line of prose: an option ("--backup-dir"), an assignment ("RSYNC_ENABLE=true"), a path, a name_with_
# underscores, a call.
_CODE = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*|\w=\S|(?<!\w)[~.]?/\w|\w_\w|\w\(\)")
_WRAP_PERCENTILE = 0.9  # the width a document is wrapped at: this share of its lines are no longer
_PROSE_TOKENS = 8
_PROSE_WORD_SHARE = 0.7
_NARROWEST_WRAP = 40  # text wrapped narrower than this is a list of short lines, not wrapped prose


def parse_plain_text(text: str) -> ParsedText:  # noqa: C901 - one pass over the lines with its block rules inline
    starts = line_starts(text)
    lines = [(starts[i], starts[i + 1] - 1) for i in range(len(starts) - 1)]
    raw = [text[s:e].expandtabs() for s, e in lines]
    stripped = [line.strip() for line in raw]
    counts = Counter(line for line in stripped if line)
    depth = [len(line) - len(line.lstrip()) for line in raw]
    base = _base_indent(raw)
    width = _wrap_width(raw)
    underlined = {i for i in range(1, len(stripped)) if _UNDERLINE.match(stripped[i]) and stripped[i - 1]
                  and len(stripped[i]) >= len(stripped[i - 1]) // 2 and not _UNDERLINE.match(stripped[i - 1])}
    blocks: list[Block] = []
    current: list[int] = []  # indexes of the lines of the block being built
    code = False  # whether the block being built is code

    def flush(kind: BlockKind = "paragraph") -> None:
        nonlocal code
        if current:
            start, end = lines[current[0]][0], lines[current[-1]][1]
            kind = "code" if code and not reads_as_prose(text[start:end]) else kind
            bullet = LIST_MARKER.match(text[start:end]) if kind == "paragraph" else None
            if bullet:
                start, kind = start + bullet.end(), "list_item"
            start, end = trimmed(text, start, end)
            line = text[start:end]
            headline = kind == "paragraph" and len(current) == 1 and not ends_sentence(line) and \
                len(line.split()) < PROSE_MIN_WORDS_UNPUNCTUATED and not _CODE.search(line)
            if start < end and not headline:
                blocks.append(Block(kind, start, end))
            current.clear()
        code = False

    for i, line in enumerate(stripped):
        if not line or i in underlined:
            flush()
            continue
        if i + 1 in underlined:
            flush()
            current.append(i)
            flush("heading")
            continue
        indented = depth[i] > base and not LIST_MARKER.match(line)
        if indented and (code or not current or stripped[current[-1]].endswith(":")):
            if not code:
                flush()
                code = True
            current.append(i)
            continue
        if code:
            flush()
        continuation = bool(current) and (continues_line(line) or _was_full(raw[current[-1]], line, width))
        if not continuation:
            if is_furniture(line, counts) and not _CODE.search(line) and \
                    not _carries_on(line, stripped[i + 1] if i + 1 < len(stripped) else ""):
                flush()
                continue
            in_item = bool(current) and bool(LIST_MARKER.match(stripped[current[0]]))
            if current and (LIST_MARKER.match(line) or in_item or _block_ended(stripped[current[-1]], line)):
                flush()
        current.append(i)
    flush()
    if not blocks:  # a document of short lines only (a list, a table): keep its non-furniture lines
        blocks = [Block("paragraph", *trimmed(text, s, e)) for (s, e), line in zip(lines, stripped, strict=True)
                  if line and not is_boilerplate(line)]
    return ParsedText(text, tuple(blocks))


def reads_as_prose(text: str) -> bool:
    """Indented text that is still prose (a list item's further paragraph, a quotation): mostly words, and it ends
    a sentence. A command, a configuration line or a table is not."""
    tokens = text.split()
    wordy = sum(1 for t in tokens if re.fullmatch(r"[(\"'‘“«]?[A-Za-z][a-z'’-]*[.,;:!?)\"'’”»]*", t))
    return len(tokens) >= _PROSE_TOKENS and wordy >= _PROSE_WORD_SHARE * len(tokens) and ends_sentence(text)


def _base_indent(lines: list[str]) -> int:
    """The indentation most of the document's text lines have (0 for most documents)."""
    depths = Counter(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return depths.most_common(1)[0][0] if depths else 0


def _wrap_width(lines: list[str]) -> int:
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    return lengths[int(_WRAP_PERCENTILE * (len(lengths) - 1))] if lengths else 0


def _was_full(previous: str, line: str, width: int) -> bool:
    """Whether the previous line was wrapped because the next word would not fit: it does not end a sentence, and
    with the line's first word it would pass the width the document is wrapped at."""
    if ends_sentence(previous) or LIST_MARKER.match(line) or width < _NARROWEST_WRAP:
        return False
    return len(previous.rstrip()) + 1 + len(line.split(maxsplit=1)[0]) > width


def _carries_on(line: str, after: str) -> bool:
    return bool(after) and continues_line(after) and not ends_sentence(line)


def _block_ended(previous: str, line: str) -> bool:
    """A line that does not carry on the previous one starts a new block."""
    if continues_line(line):
        return False
    return ends_sentence(previous) or len(previous.split()) < PROSE_MIN_WORDS_UNPUNCTUATED // 2
