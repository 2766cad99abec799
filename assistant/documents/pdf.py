"""PDF: text per page (pypdf), reflowed into paragraphs, without running headers and footers.

A line that recurs at the top or bottom of many pages (digits ignored, so "Page 3 of 40"
matches "Page 4 of 40") and bare page numbers are furniture. A word split by a hyphen at a
line end is rejoined; lines of one paragraph are joined with a space; a paragraph ends where
a line ends a sentence well short of the page's usual line length. A short line with no
end punctuation before a capitalised line is a heading, unless the PDF has an outline
(bookmarks): then the outline's titles, found in the page text, are the headings, at their
depth, and the table of contents pages are left out. Each block keeps its page, so a
citation can say "p. 4". A paragraph broken by a page break is continued on the next page.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any

from .furniture import ends_sentence
from .model import LIST_MARKER, DocumentError, ParsedText, TextBuilder, continues_line

_EDGE_LINES = 3
_RECURRING_SHARE = 0.4
_MIN_PAGES_FOR_RECURRING = 3
_SHORT_LINE = 0.8  # of the median line length: a sentence ending here likely ends its paragraph
_HEADING_MAX_WORDS = 10
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[\divxlc]+(?:\s*(?:/|of)\s*\d+)?\s*$", re.IGNORECASE)
_HYPHENATED = re.compile(r"[A-Za-z]-$")
_SECTION_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)+)\.?\s+")
_CONTENTS_TITLE = re.compile(r"^\s*(?:table of )?contents\s*$", re.IGNORECASE)
_ENDS_WITH_PAGE = re.compile(r"\s[\divxlc]+\s*$", re.IGNORECASE)
_HEADING_LINES = 3  # a long heading may wrap over this many lines
_LOOKAHEAD = 4  # outline entries tried at each line (a heading the text lacks must not stop the others)


@dataclass(frozen=True)
class _Heading:
    depth: int
    title: str
    page: int  # 1-based


class _Outline:
    """The PDF's bookmarks in reading order, matched one by one against the page lines."""

    def __init__(self, headings: list[_Heading]) -> None:
        self.headings = headings
        # Section numbers are compared on neither side: a bookmark may carry one ("1.2. Scope") the line lacks, or
        # the other way round.
        self.wanted = [_comparable(_SECTION_NUMBER.sub("", h.title)) for h in headings]
        self.next = 0
        self.path: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.headings)

    def match(self, lines: list[str], i: int, page: int) -> int:
        """How many lines from `i` make the next outline title (0 if they do not); the section path moves on."""
        keys = [_comparable(_SECTION_NUMBER.sub("", lines[i]))] + [_comparable(line)
                                                                   for line in lines[i + 1:i + _HEADING_LINES]]
        for k in range(self.next, min(self.next + _LOOKAHEAD, len(self.headings))):
            heading, wanted = self.headings[k], self.wanted[k]
            if heading.page > page + 1:
                break
            text = ""
            for n, key in enumerate(keys):
                text += key
                if text == wanted:
                    self.next = k + 1
                    self.path = [*self.path[:heading.depth], heading.title]
                    return n + 1
                if not wanted.startswith(text):
                    break
        return 0


# Typographic ligatures as their letters: "ﬁle" is searched, stemmed and quoted as "file".
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


_STRETCH_PAGES = 3  # a line at the edge of 3 of 6 consecutive pages (left and right pages differ) is a running head
_STRETCH_WINDOW = 6
_PAGE_NUMBERED = re.compile(r"^#+\s+\S.*\S|\S.*\S\s+#+$")  # a running head's words with its page number


def parse_pdf(raw: bytes) -> ParsedText:  # noqa: C901 - opening (pypdf raises many error types) and one pass over pages
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as error:
                raise DocumentError("encrypted PDF (it needs a password)") from error
        pages = [(page.extract_text() or "").translate(_LIGATURES) for page in reader.pages]
        info: Mapping[str, Any] = reader.metadata or {}
        outline = _Outline(_outline_headings(reader))
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
    in_contents = False
    for number, lines in enumerate(page_lines, 1):
        lines = [line for line in lines if _shape(line) not in recurring and not _PAGE_NUMBER.match(line)]
        lines, in_contents = _without_contents(lines, in_contents, bool(outline))
        width = median(len(line) for line in lines) if lines else 0
        paragraph: list[str] = []
        skip = 0
        for i, line in enumerate(lines):
            if skip:
                skip -= 1
                continue
            following = lines[i + 1] if i + 1 < len(lines) else ""
            heading_lines = outline.match(lines, i, number) if outline else 0
            if heading_lines:
                if paragraph or pending is not None:
                    _emit(builder, paragraph, pending, section, number)
                    paragraph, pending = [], None
                section = tuple(outline.path)
                builder.add(_join(lines[i:i + heading_lines]), "heading", section, number)
                skip = heading_lines - 1
                continue
            if not outline and not paragraph and pending is None and _is_heading(line, following):
                section = (line,)
                builder.add(line, "heading", section, number)
                continue
            if paragraph and LIST_MARKER.match(line):
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
    return "list_item" if LIST_MARKER.match(text) else "paragraph"


def _join(lines: list[str]) -> str:
    """Lines of one paragraph as one line, rejoining words hyphenated at a line end."""
    text = ""
    for line in lines:
        if text and _HYPHENATED.search(text) and continues_line(line):
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text


def _outline_headings(reader) -> list[_Heading]:
    """The bookmarks, depth first, with their pages; none when the PDF has no usable outline."""
    headings: list[_Heading] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif getattr(item, "title", None):
                page = reader.get_destination_page_number(item)
                if page is not None and page >= 0:
                    headings.append(_Heading(depth, str(item.title).strip(), page + 1))

    try:
        walk(reader.outline, 0)
    except Exception:  # a malformed outline only costs the headings, never the text
        return []
    return headings


def _comparable(text: str) -> str:
    """Letters and digits only, lower case: a bookmark title and its line in the text differ in quotes, ellipses
    ("…" vs ". . .") and spacing."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def _without_contents(lines: list[str], in_contents: bool, has_outline: bool) -> tuple[list[str], bool]:
    """A page's lines without its table of contents (from a "Contents" title until the entries end), and whether
    the contents go on over the page. Only for PDFs with an outline: their headings come from it instead."""
    if not has_outline:
        return lines, False
    start = next((i for i, line in enumerate(lines) if _CONTENTS_TITLE.match(line)), None)
    if start is None and not in_contents:
        return lines, False
    start = start if start is not None else 0
    entries = lines[start + 1:] if not in_contents or start else lines
    listed = sum(1 for line in entries if _ENDS_WITH_PAGE.search(line))
    if entries and listed < len(entries) / 2:
        return lines, False  # not a contents page after all
    return lines[:start] if start else [], True


def _is_heading(line: str, following: str) -> bool:
    words = len(line.split())
    return (0 < words <= _HEADING_MAX_WORDS and not ends_sentence(line) and line[:1].isupper()
            and not LIST_MARKER.match(line) and bool(following) and following[:1].isupper())


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _recurring_edge_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits ignored) found among the first or last lines of many pages, or of most pages of a stretch
    (a chapter's running head, "Chapter 3: Basic Features 17"): running heads and feet."""
    if len(pages) < _MIN_PAGES_FOR_RECURRING:
        return set()
    counts: Counter[str] = Counter()
    where: dict[str, list[int]] = {}
    for number, lines in enumerate(pages):
        shapes = {_shape(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]}
        counts.update(shapes)
        for shape in shapes:
            where.setdefault(shape, []).append(number)
    recurring = {shape for shape, n in counts.items() if n >= max(2, _RECURRING_SHARE * len(pages))}
    paged = {shape for shape in where if _PAGE_NUMBERED.search(shape)}  # "Chapter 3: Basic Features 17"
    return recurring | {shape for shape in paged if _in_a_stretch(where[shape])}


def _in_a_stretch(numbers: list[int]) -> bool:
    """Whether the pages (in order) hold STRETCH_PAGES of any STRETCH_WINDOW consecutive pages."""
    return any(numbers[i + _STRETCH_PAGES - 1] - numbers[i] < _STRETCH_WINDOW
               for i in range(len(numbers) - _STRETCH_PAGES + 1))
