"""Page furniture: the labels, captions, timestamps and repeated lines that surround prose on
web pages and in exported articles ("Advertisement", "Photo: AFP", "00:59", "Read more").

Furniture stays in the loaded text, so offsets stay exact, but never becomes a block.
"""

from __future__ import annotations

import re
from collections import Counter

_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*\s*$|[\"”’]\s*$")
_CAPTION = re.compile(r"\b(?:Photo|Image|Picture|Video|Credit|Illustration)s?:\s*\S[^.]*\.?\s*$")
_TIMESTAMP_OR_NUMBER = re.compile(r"^\s*[\d:.,/\s]+\s*$")
# Generic web-page furniture: labels that appear on news and blog pages across sites.
_BOILERPLATE = {
    "advertisement", "sponsored", "sponsored content", "learn more", "read more", "more about",
    "send us news", "share", "share this article", "other stories you might like",
    "related", "related articles", "related stories", "recommended", "most popular",
    "subscribe", "sign up", "sign in", "log in", "comments", "skip to content", "menu",
    "copy", "copy to clipboard", "table of contents", "contents", "previous topic", "next topic",
    "this page", "navigation", "show source", "report a bug", "quick search",
}
PROSE_MIN_WORDS_UNPUNCTUATED = 20
_FURNITURE_MAX_WORDS = 4


# What may stand between the links of a list of links: punctuation, separators, "and", "or".
_LINK_GLUE = re.compile(r"[\W_]+|\b(?:and|or)\b", re.IGNORECASE)


def only_link_glue(text: str) -> bool:
    """Whether the text found outside a block's links says nothing: separators, "and", "or" ("a(1), b(5) and c(1)",
    "[English](…) • [中文](…)"). A block of links only is navigation."""
    return not _LINK_GLUE.sub("", text)


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def is_boilerplate(line: str) -> bool:
    """A generic page label or a bare number / duration / caption, whatever its context."""
    return (line.lower().strip().rstrip(".:!") in _BOILERPLATE or bool(_TIMESTAMP_OR_NUMBER.match(line))
            or bool(_CAPTION.search(line)))


def is_furniture(line: str, counts: Counter[str]) -> bool:
    """A label, number, caption, a short line repeated verbatim, or a short unpunctuated line."""
    return (
        is_boilerplate(line)
        or (counts[line] > 1 and len(line.split()) < PROSE_MIN_WORDS_UNPUNCTUATED)
        or (len(line.split()) <= _FURNITURE_MAX_WORDS and not ends_sentence(line))
    )
