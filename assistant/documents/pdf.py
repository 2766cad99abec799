"""PDF: text per page (pypdf), reflowed into paragraphs, without running headers and footers.

A line that recurs at the top or bottom of many pages (digits ignored, so "Page 3 of 40"
matches "Page 4 of 40") and bare page numbers are furniture. A word split by a hyphen at a
line end is rejoined; lines of one paragraph are joined with a space; a paragraph ends where
a line ends a sentence well short of the page's usual line length. A short line with no
end punctuation before a capitalised line is a heading. Each block keeps its page, so a
citation can say "p. 4". A paragraph broken by a page break is continued on the next page.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from statistics import median

from .furniture import ends_sentence
from .model import DocumentError, ParsedText, TextBuilder
from .plaintext import BULLET as _BULLET

_EDGE_LINES = 3
_RECURRING_SHARE = 0.4
_MIN_PAGES_FOR_RECURRING = 3
_SHORT_LINE = 0.8  # of the median line length: a sentence ending here likely ends its paragraph
_HEADING_MAX_WORDS = 10
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[\divxlc]+(?:\s*(?:/|of)\s*\d+)?\s*$", re.IGNORECASE)
_HYPHENATED = re.compile(r"[A-Za-z]-$")


def parse_pdf(raw: bytes) -> ParsedText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as error:
                raise DocumentError("encrypted PDF (it needs a password)") from error
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except FileNotDecryptedError:
        raise DocumentError("encrypted PDF (it needs a password)") from None
    except DependencyError:  # AES without the `cryptography` package: still an encrypted file, not a corrupt one
        raise DocumentError("encrypted PDF (its encryption cannot be opened here; save an unencrypted copy)") from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError) as error:
        raise DocumentError(f"corrupt PDF ({error})") from None
    metadata = {"title": str(info.get("/Title"))} if info.get("/Title") else {}
    page_lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    recurring = _recurring_edge_lines(page_lines)
    builder = TextBuilder()
    section: tuple[str, ...] = ()
    pending: tuple[str, int] | None = None  # a paragraph cut by a page break: (text so far, its page)
    for number, lines in enumerate(page_lines, 1):
        lines = [line for line in lines if _shape(line) not in recurring and not _PAGE_NUMBER.match(line)]
        width = median(len(line) for line in lines) if lines else 0
        paragraph: list[str] = []
        for i, line in enumerate(lines):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if not paragraph and pending is None and _is_heading(line, following):
                section = (line,)
                builder.add(line, "heading", section, number)
                continue
            if paragraph and _BULLET.match(line):
                _emit(builder, paragraph, pending, section, number)
                paragraph, pending = [], None
            paragraph.append(line)
            if ends_sentence(line) and len(line) < width * _SHORT_LINE:
                _emit(builder, paragraph, pending, section, number)
                paragraph, pending = [], None
        if paragraph:  # the page ends: a paragraph that has not ended its sentence goes on over the page
            text, page = _continued(paragraph, pending, number)
            pending = None if ends_sentence(text) else (text, page)
            if pending is None:
                builder.add(text, _kind(text), section, page)
    if pending is not None:
        builder.add(pending[0], _kind(pending[0]), section, pending[1])
    return builder.build(metadata)


def _emit(builder: TextBuilder, paragraph: list[str], pending: tuple[str, int] | None, section: tuple[str, ...],
          page: int) -> None:
    """Add a finished paragraph, prefixed by the part of it that ended the previous page."""
    text, page = _continued(paragraph, pending, page)
    builder.add(text, _kind(text), section, page)


def _continued(paragraph: list[str], pending: tuple[str, int] | None, page: int) -> tuple[str, int]:
    """A paragraph's text and first page, joined to its start on the previous page when there is one."""
    text = _join(paragraph)
    return (f"{pending[0]} {text}", pending[1]) if pending is not None else (text, page)


def _kind(text: str):
    return "list_item" if _BULLET.match(text) else "paragraph"


def _join(lines: list[str]) -> str:
    """Lines of one paragraph as one line, rejoining words hyphenated at a line end."""
    text = ""
    for line in lines:
        if text and _HYPHENATED.search(text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text


def _is_heading(line: str, following: str) -> bool:
    words = len(line.split())
    return (0 < words <= _HEADING_MAX_WORDS and not ends_sentence(line) and line[:1].isupper()
            and not _BULLET.match(line) and bool(following) and following[:1].isupper())


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _recurring_edge_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits ignored) found among the first or last lines of many pages: running heads and feet."""
    if len(pages) < _MIN_PAGES_FOR_RECURRING:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_shape(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]})
    return {shape for shape, n in counts.items() if n >= max(2, _RECURRING_SHARE * len(pages))}
