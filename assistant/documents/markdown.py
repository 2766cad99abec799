"""Markdown through markdown-it-py (CommonMark + tables, with the common extensions of documentation sites
from mdit-py-plugins): its token line maps give each block.

The file's own text is the loaded text. Headings name sections (by level); paragraphs
inside a list item make one list item block (the bullet left out); fenced and indented
code is code; each table row is a row. Admonitions (`!!! note`) hold prose, not code; a
definition list's term (`term` / `:   definition`) names the section of its definition,
as an API reference's entries do; leading `key: value` metadata lines are not prose.
"""

from __future__ import annotations

import re
from typing import Any

from .furniture import only_link_glue
from .model import Block, BlockKind, ParsedText, line_starts, trimmed

_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$")
_SETEXT_UNDERLINE = re.compile(r"\n\s{0,3}[=-]+\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
_DEFINITION_MARK = re.compile(r"^\s*:\s+")
# An option list's item opens with its name ("**`base_url`**: String to append…"): the name is the context of
# the item's nested details ("Default: `'/'`").
_ITEM_LEAD = re.compile(r"^\W*([\w.-]+(?: [\w.-]+){0,3})\W*:\s")
# Attribute lists (`{: #id .class }`, `{#id}`) decorate headings and terms; they are not part of a name.
_ATTRIBUTE_LIST = re.compile(r"\s*\{:?\s*[#.][^{}]*\}\s*")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
# MultiMarkdown / Python-Markdown metadata: `key: value` lines opening the file, up to the first blank line.
_METADATA = re.compile(r"(?:[A-Za-z][\w-]*:[^\n]*\n(?:[ \t]{4,}[^\n]*\n)*)+")


def parse_markdown(text: str) -> ParsedText:  # noqa: C901 - one pass over the token stream, a branch per block kind
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.deflist import deflist_plugin

    tokens = MarkdownIt("commonmark").enable("table").use(admon_plugin).use(deflist_plugin).parse(text)
    metadata = _METADATA.match(text + "\n")
    metadata_end = metadata.end() if metadata and text[metadata.end():metadata.end() + 1] in ("\n", "") else 0
    offsets = line_starts(text)

    def span(line_map: list[int]) -> tuple[int, int]:
        return offsets[line_map[0]], min(offsets[line_map[1]] - 1, len(text))

    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    in_list = 0
    terms: list[str] = []  # the definition-list terms the current block is defined under
    leads: list[str | None] = []  # the names opening the list items the current block is nested in

    def add(kind: BlockKind, start: int, end: int) -> None:
        start, end = trimmed(text, start, end)
        if start < end and start >= metadata_end:
            context = tuple(h for _, h in headings) + tuple(t for t in terms if t) + tuple(t for t in leads if t)
            blocks.append(Block(kind, start, end, context))

    for n, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif token.type == "list_item_open":
            leads.append(None)
        elif token.type == "list_item_close":
            leads.pop()
        elif token.type == "dl_open":
            terms.append("")
        elif token.type == "dl_close":
            terms.pop()
        if token.map is None:
            continue  # the open/close pairs above carry no lines
        start, end = span(token.map)
        if token.type == "dt_open":
            terms[-1] = ""
            add("heading", *span([token.map[0], token.map[0] + 1]))
            terms[-1] = _plain_name(tokens[n + 1].content)
        elif token.type == "admonition_title_open":
            continue
        elif token.type == "heading_open":
            level = int(token.tag[1])
            title = _plain_name(tokens[n + 1].content)
            headings = [h for h in headings if h[0] < level] + [(level, title)]
            heading = _SETEXT_UNDERLINE.sub("", text[start:end])
            mark = _HEADING_MARK.match(heading)
            add("heading", start + (mark.end() if mark else 0), start + len(heading.rstrip(" #")))
        elif token.type == "paragraph_open":
            if _only_links(tokens[n + 1]):  # badges, a contents list, "[English](…) • [中文](…)": navigation
                continue
            quote = _QUOTE_MARK.match(text[start:end])
            start += quote.end() if quote else 0
            if in_list:
                mark = _LIST_MARK.match(text[start:end])
                add("list_item", start + (mark.end() if mark else 0), end)
                if leads and leads[-1] is None:
                    lead = _ITEM_LEAD.match(_plain_name(tokens[n + 1].content))
                    leads[-1] = lead.group(1) if lead else ""
            else:
                mark = _DEFINITION_MARK.match(text[start:end]) if terms else None
                add("paragraph", start + (mark.end() if mark else 0), end)
        elif token.type in ("fence", "code_block"):
            add("code", start, end)
        elif token.type == "tr_open":
            row = text[start:end].strip()
            if not re.fullmatch(r"[|:\-\s]+", row):
                add("table_row", start + (len(text[start:end]) - len(text[start:end].lstrip(" |"))), end)
        elif token.type == "html_block":
            continue
    return ParsedText(text, tuple(blocks))


def _only_links(inline: Any) -> bool:
    """Whether a paragraph is links and images only, with nothing said outside them but separators."""
    depth, linked, outside = 0, False, []
    for child in inline.children or ():
        if child.type == "link_open":
            depth, linked = depth + 1, True
        elif child.type == "link_close":
            depth -= 1
        elif child.type == "image":
            linked = True
        elif depth == 0 and child.type in ("text", "code_inline"):
            outside.append(child.content)
    return linked and only_link_glue(" ".join(outside))


def _plain_name(markup: str) -> str:
    """A heading's or term's text as a section name: attribute lists and emphasis marks left out."""
    return _EMPHASIS.sub("", _ATTRIBUTE_LIST.sub(" ", markup)).strip().rstrip(":").strip()
