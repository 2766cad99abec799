"""Load documents of each supported format into plain text plus metadata, and find their prose.

A document's *loaded text* is what citations point into: `text[start:end] == quote`.
Page furniture (ads, video lengths, related-story headlines, share prompts) stays in the
loaded text, so offsets stay exact, but is left out of `prose_spans`, which is all that
gets chunked.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")

_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.DOTALL)
_BULLET = re.compile(r"^\s*(?:[•\-*–·▪]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*\s*$|[\"”’]\s*$")
_CAPTION = re.compile(r"\b(?:Photo|Image|Picture|Video|Credit|Illustration)s?:\s*\S[^.]*\.?\s*$")
_TIMESTAMP_OR_NUMBER = re.compile(r"^\s*[\d:.,/\s]+\s*$")
# Generic web-page furniture: labels that appear on news and blog pages across sites.
_BOILERPLATE = {
    "advertisement", "sponsored", "sponsored content", "learn more", "read more", "more about",
    "send us news", "share", "share this article", "other stories you might like",
    "related", "related articles", "related stories", "recommended", "most popular",
    "subscribe", "sign up", "sign in", "log in", "comments", "skip to content", "menu",
}
_PROSE_MIN_WORDS_UNPUNCTUATED = 20
_FURNITURE_MAX_WORDS = 4


class DocumentError(Exception):
    """A file that cannot be loaded; the message says why, in plain words."""


@dataclass(frozen=True)
class LoadedDocument:
    """One source document as the index sees it."""

    source: str
    title: str
    publication: str
    text: str
    prose_spans: tuple[tuple[int, int], ...] = field(repr=False)

    @cached_property
    def content_hash(self) -> str:
        """Changes whenever anything a chunk or citation depends on changes (computed once per document)."""
        digest = hashlib.sha256()
        for part in (self.title, self.publication, self.text):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()[:32]


def list_source_files(sources_dir: Path) -> list[Path]:
    """Every regular, non-hidden file under the folder, in a stable order."""
    return sorted(
        path for path in sources_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(sources_dir).parts)
        and path.name.lower() != "readme.md"
    )


def load_document(path: Path, sources_dir: Path, max_bytes: int) -> LoadedDocument:
    """Read one file; raise DocumentError with the reason when it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported format '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError("empty file")
    if size > max_bytes:
        raise DocumentError(f"file is {size:,} bytes; the limit is {max_bytes:,}")
    raw = path.read_bytes()
    metadata: dict[str, str] = {}
    if suffix == ".pdf":
        text, metadata = _pdf_text(raw)
    else:
        decoded = _decode_text(raw)
        decoded, metadata = _split_front_matter(decoded)
        text = _html_text(decoded, metadata) if suffix in (".html", ".htm") else decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError("no text in file")
    prose_spans = tuple(find_prose_spans(text))
    if not prose_spans:
        raise DocumentError("no readable text (only page furniture)")
    source = path.relative_to(sources_dir).as_posix()
    title = metadata.get("title") or _first_line(text) or path.stem
    return LoadedDocument(
        source=source,
        title=title.strip(),
        publication=(metadata.get("publication") or metadata.get("source") or "").strip(),
        text=text,
        prose_spans=prose_spans,
    )


def _decode_text(raw: bytes) -> str:
    if b"\0" in raw[:8192]:
        raise DocumentError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None


def _split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise DocumentError(f"invalid front matter: {error}") from None
    if not isinstance(data, dict):
        raise DocumentError("front matter is not a mapping of keys to values")
    return text[match.end():], {str(k).lower(): str(v) for k, v in data.items() if v is not None}


def _html_text(html: str, metadata: dict[str, str]) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    if "title" not in metadata and soup.title and soup.title.string:
        metadata["title"] = soup.title.string.strip()
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg", "head"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(raw: bytes) -> tuple[str, dict[str, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(f"corrupt PDF ({error})") from None
    metadata = {"title": str(info.get("/Title") or "")} if info.get("/Title") else {}
    return "\n\n".join(page.strip() for page in pages if page.strip()), metadata


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


def find_prose_spans(text: str) -> list[tuple[int, int]]:
    """Maximal runs of prose lines, as (start, end) offsets into `text`.

    A line is furniture when it is a known page label, a bare number or duration, a photo
    caption, a line repeated verbatim, or a short heading-like line with no sentence
    punctuation. Lines of a hard-wrapped paragraph (the next line carries on the sentence in
    lower case) are prose whatever their length. Runs of prose lines separated only by blank
    lines are merged.
    """
    lines = _line_spans(text)
    stripped = [text[s:e].strip() for s, e in lines]
    counts = Counter(line for line in stripped if line)
    wrapped = _hard_wrapped(stripped, counts)
    prose = [(s, e) for (s, e), line, cont in zip(lines, stripped, wrapped, strict=True)
             if line and (cont or _is_prose(line, counts))]
    if not prose:  # a document of only short lines (a list, a table): keep its non-furniture lines
        prose = [(s, e) for s, e in lines if text[s:e].strip() and not _is_furniture(text[s:e].strip(), counts)]
    spans: list[tuple[int, int]] = []
    for start, end in prose:
        start += len(text[start:end]) - len(text[start:end].lstrip())
        end -= len(text[start:end]) - len(text[start:end].rstrip())
        if spans and not text[spans[-1][1]:start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _hard_wrapped(lines: list[str], counts: Counter[str]) -> list[bool]:
    """Which lines belong to a paragraph wrapped mid-sentence: a line followed directly by one that
    starts in lower case, and that following line itself."""
    wrapped = [False] * len(lines)
    for i in range(len(lines) - 1):
        here, after = lines[i], lines[i + 1]
        if here and after[:1].islower() and not _is_furniture(here, counts) and not _SENTENCE_END.search(here):
            wrapped[i] = wrapped[i + 1] = True
    return wrapped


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for line in text.split("\n"):
        spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans


def _is_furniture(line: str, counts: Counter[str]) -> bool:
    return (
        line.lower().rstrip(".:!") in _BOILERPLATE
        or bool(_TIMESTAMP_OR_NUMBER.match(line))
        or bool(_CAPTION.search(line))
        or (counts[line] > 1 and len(line.split()) < _PROSE_MIN_WORDS_UNPUNCTUATED)
        or (len(line.split()) <= _FURNITURE_MAX_WORDS and not _SENTENCE_END.search(line))
    )


def _is_prose(line: str, counts: Counter[str]) -> bool:
    if _is_furniture(line, counts):
        return False
    words = len(line.split())
    return bool(_SENTENCE_END.search(line)) or bool(_BULLET.match(line)) or words >= _PROSE_MIN_WORDS_UNPUNCTUATED
