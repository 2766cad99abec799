"""Load documents of each supported format into the one document model (`model.LoadedDocument`).

One parser per format (`html`, `markdown`, `rst`, `plaintext`, `pdf`); this module owns
which formats exist, the checks every file passes first (size, binary, encoding), YAML
front matter, and the choice of parser.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from .model import PROSE_KINDS, SECTION_SEPARATOR, Block, DocumentError, LoadedDocument, OutsideSourcesError, ParsedText

__all__ = ["FORMATS", "LOADER_VERSION", "PROSE_KINDS", "SECTION_SEPARATOR", "SUPPORTED_SUFFIXES", "Block",
           "DocumentError", "LoadedDocument", "OutsideSourcesError",
           "format_of", "is_supported", "list_source_files", "load_document"]

# Bump when a parser changes what it produces: the index fingerprint includes it, so a change re-indexes.
LOADER_VERSION = "18"
# The one list of accepted formats: file suffix -> parser. Ingest, uploads and the UI's file picker all read it.
FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".rst": "rst", ".html": "html",
           ".htm": "html", ".pdf": "pdf"}
SUPPORTED_SUFFIXES = tuple(FORMATS)
_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.DOTALL)


def is_supported(name: str) -> bool:
    """Whether a file name has a format the assistant reads (uploads and ingest use this one rule)."""
    return Path(name).suffix.lower() in FORMATS


def format_of(name: str) -> str:
    """The parser for a file name ("text", "markdown", "rst", "html", "pdf"); Sphinx's `.rst.txt` sources are reST."""
    lower = name.lower()
    return "rst" if lower.endswith(".rst.txt") else FORMATS[Path(lower).suffix]


def list_source_files(sources_dir: Path) -> list[Path]:
    """Every non-hidden file under the folder, and every symbolic link (which `load_document` then vets), in a
    stable order. Linked folders are listed, not walked: a link never takes the walk outside the folder or round
    a loop."""
    return sorted(
        path for path in sources_dir.rglob("*")
        if (path.is_symlink() or path.is_file())
        and not any(part.startswith(".") for part in path.relative_to(sources_dir).parts)
        and path.name.lower() != "readme.md"
    )


def load_document(path: Path, sources_dir: Path, max_bytes: int) -> LoadedDocument:
    """Read one file; raise DocumentError with the reason when it cannot be used."""
    real = contained_file(path, sources_dir)
    suffix = path.suffix.lower()
    if not is_supported(path.name):
        raise DocumentError(f"unsupported format '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    parsed = parse_bytes(path.name, _read_bytes(real, max_bytes))
    if not parsed.text.strip():
        raise DocumentError("no text in file")
    if not any(block.is_prose for block in parsed.blocks):
        raise DocumentError("no readable text (only page furniture, headings or code)")
    source = path.relative_to(sources_dir).as_posix()
    metadata = parsed.metadata
    title = metadata.get("title") or _first_heading(parsed) or path.stem
    return LoadedDocument(source=source, title=" ".join(title.split()),
                          publication=(metadata.get("publication") or metadata.get("source") or "").strip(),
                          text=parsed.text, blocks=parsed.blocks)


def contained_file(path: Path, sources_dir: Path) -> Path:
    """The real path of a regular file inside `sources_dir`, or DocumentError: links are followed to their end,
    and one that ends outside the folder (or nowhere, or in a loop) is refused."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11 reports a symlink loop this way
        raise DocumentError("broken or looping symbolic link: not indexed") from None
    if not real.is_relative_to(sources_dir.resolve()):
        raise OutsideSourcesError("symbolic link to a place outside the sources folder: not indexed")
    if not real.is_file():
        raise DocumentError("not a regular file (linked folders are not followed)")
    return real


def _read_bytes(real: Path, max_bytes: int) -> bytes:
    """The file's bytes, read without following a link swapped in since it was checked, and never more than
    `max_bytes` (a file that grows while it is read is refused, not read whole)."""
    descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise DocumentError("empty file")
        if size > max_bytes:
            raise DocumentError(f"file is {size:,} bytes; the limit is {max_bytes:,}")
        raw = file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DocumentError(f"file grew past the limit of {max_bytes:,} bytes while it was read")
    return raw


def parse_bytes(name: str, raw: bytes) -> ParsedText:
    """The parsed text of a file's bytes, by the format its name says."""
    from .html import parse_html
    from .markdown import parse_markdown
    from .pdf import parse_pdf
    from .plaintext import parse_plain_text
    from .rst import looks_like_rst, parse_rst

    kind = format_of(name)
    if kind == "pdf":
        return parse_pdf(raw)
    text, metadata = _split_front_matter(_decode_text(raw).replace("\r\n", "\n").replace("\r", "\n"))
    if kind == "html":
        parsed = parse_html(text)
    elif kind == "markdown":
        parsed = parse_markdown(text)
    elif kind == "rst" or looks_like_rst(text):
        parsed = parse_rst(text)
    else:
        parsed = parse_plain_text(text)
    return ParsedText(parsed.text, parsed.blocks, {**parsed.metadata, **metadata})


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


def _first_heading(parsed: ParsedText) -> str:
    heading = next((b for b in parsed.blocks if b.kind == "heading"), None) or next(iter(parsed.blocks), None)
    return parsed.text[heading.start:heading.end][:200] if heading else ""
