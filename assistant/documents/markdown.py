"""Markdown through markdown-it-py (CommonMark + tables): its token line maps give each block.

The file's own text is the loaded text. Headings name sections (by level); paragraphs
inside a list item make one list item block (the bullet left out); fenced and indented
code is code; each table row is a row.
"""

from __future__ import annotations

import re

from .model import Block, BlockKind, ParsedText, line_starts, trimmed

_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")
_SETEXT_UNDERLINE = re.compile(r"\n\s{0,3}[=-]+\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")


def parse_markdown(text: str) -> ParsedText:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    offsets = line_starts(text)

    def span(line_map: list[int]) -> tuple[int, int]:
        return offsets[line_map[0]], min(offsets[line_map[1]] - 1, len(text))

    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    in_list = 0

    def add(kind: BlockKind, start: int, end: int) -> None:
        start, end = trimmed(text, start, end)
        if start < end:
            blocks.append(Block(kind, start, end, tuple(h for _, h in headings)))

    for n, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        if token.map is None:
            continue
        start, end = span(token.map)
        if token.type == "heading_open":
            level = int(token.tag[1])
            title = tokens[n + 1].content.strip()
            headings = [h for h in headings if h[0] < level] + [(level, title)]
            heading = _SETEXT_UNDERLINE.sub("", text[start:end])
            mark = _HEADING_MARK.match(heading)
            add("heading", start + (mark.end() if mark else 0), start + len(heading.rstrip(" #")))
        elif token.type == "paragraph_open":
            quote = _QUOTE_MARK.match(text[start:end])
            start += quote.end() if quote else 0
            if in_list:
                mark = _LIST_MARK.match(text[start:end])
                add("list_item", start + (mark.end() if mark else 0), end)
            else:
                add("paragraph", start, end)
        elif token.type in ("fence", "code_block"):
            add("code", start, end)
        elif token.type == "tr_open":
            row = text[start:end].strip()
            if not re.fullmatch(r"[|:\-\s]+", row):
                add("table_row", start + (len(text[start:end]) - len(text[start:end].lstrip(" |"))), end)
        elif token.type == "html_block":
            continue
    return ParsedText(text, tuple(blocks))
