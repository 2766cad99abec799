"""Load documents of each supported format into the one document model (`model.LoadedDocument`).

One parser per format (`html`, `markdown`, `rst`, `plaintext`, `pdf`); this module owns
which formats exist, the checks every file passes first (size, binary, encoding), YAML
front matter, and the choice of parser.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .model import PROSE_KINDS, SECTION_SEPARATOR, Block, DocumentError, LoadedDocument, ParsedText

__all__ = ["FORMATS", "LOADER_VERSION", "PROSE_KINDS", "SECTION_SEPARATOR", "SUPPORTED_SUFFIXES", "Block",
           "DocumentError", "LoadedDocument",
           "format_of", "is_supported", "list_source_files", "load_document"]

# Bump when a parser changes what it produces: the index fingerprint includes it, so a change re-indexes.
LOADER_VERSION = "4"
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
    """Every regular, non-hidden file under the folder, in a stable order."""
    return sorted(
        path for path in sources_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(sources_dir).parts)
        and path.name.lower() != "readme.md"
    )


def load_document(path: Path, sources_dir: Path, max_bytes: int) -> LoadedDocument:
    """Read one file; raise DocumentError with the reason when it cannot be used."""
    suffix = path.suffix.lower()
    if not is_supported(path.name):
        raise DocumentError(f"unsupported format '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError("empty file")
    if size > max_bytes:
        raise DocumentError(f"file is {size:,} bytes; the limit is {max_bytes:,}")
    parsed = parse_bytes(path.name, path.read_bytes())
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
