"""Saving an uploaded file into the sources folder: a safe name, never over another document, never half-written.

Names are normalised (NFKC), not erased: letters, marks and digits of any script stay, so
`日本.txt` and `中国.txt` remain two documents; everything else becomes "_". A name that is
taken by a different document gets a numbered suffix (`report-2.txt`): nothing is replaced
unless the user deletes the old file themselves. The bytes are written to a hidden file
first and linked into place atomically, so an ingest running meanwhile never reads a partial
upload, and two uploads of one name at once cannot overwrite each other.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .documents import FORMATS, SUPPORTED_SUFFIXES, is_supported

MAX_NAME_BYTES = 200  # below every common file system's 255-byte limit, with room for a "-NN" suffix
_SEPARATORS = re.compile(r"[\\/]")
_RUNS = re.compile(r"_{2,}")
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class SavedUpload:
    """Where an upload went: `name` in the sources folder; `renamed_from` when its own name was taken."""

    name: str
    renamed_from: str = ""
    already_there: bool = False  # the same bytes were already saved under `name`


def upload_name(original_name: str) -> str:
    """A plain file name for an upload (no folders, no hidden files), or ValueError saying why there is none."""
    name = _SEPARATORS.split(unicodedata.normalize("NFKC", original_name).strip())[-1]
    name = _RUNS.sub("_", "".join(ch if _kept(ch) else "_" for ch in name)).lstrip(".")
    stem, suffix = _split_suffix(name)
    if ".." in name or not any(ch.isalnum() for ch in stem):
        raise ValueError("not a usable file name")
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def save_upload(upload: Path, sources_dir: Path, max_bytes: int) -> SavedUpload:
    """Copy one uploaded file into `sources_dir` under a free, safe name; ValueError or OSError says why not."""
    if not is_supported(upload.name):
        raise ValueError(f"unsupported format (use {', '.join(SUPPORTED_SUFFIXES)})")
    size = upload.stat().st_size
    if size > max_bytes:
        raise ValueError(f"file is {size:,} bytes; the limit is {max_bytes:,}")
    name = upload_name(upload.name)
    if name.lower() == "readme.md":
        raise ValueError("README.md files are not indexed; rename the file")
    sources_dir.mkdir(parents=True, exist_ok=True)
    root = sources_dir.resolve()
    staged = _stage(upload, root, max_bytes)
    try:
        stem, suffix = _split_suffix(name)
        for number in range(1, 1000):
            candidate = name if number == 1 else f"{stem}-{number}{suffix}"
            target = root / candidate  # a plain name (no separators, no ".."): always directly inside root
            try:
                os.link(staged, target)  # atomic, and fails if the name exists: nothing is ever replaced
            except FileExistsError:
                if _same_bytes(staged, target):
                    return SavedUpload(candidate, already_there=True)
                continue
            return SavedUpload(candidate, renamed_from=name if candidate != name else "")
        raise ValueError(f"too many documents are already named like {name}")
    finally:
        staged.unlink(missing_ok=True)


def _kept(ch: str) -> bool:
    return ch in "._-" or unicodedata.category(ch)[0] in "LMN"


def _split_suffix(name: str) -> tuple[str, str]:
    lower = name.lower()
    for suffix in sorted((*FORMATS, ".rst.txt"), key=len, reverse=True):
        if lower.endswith(suffix):
            return name[:-len(suffix)], name[-len(suffix):]
    stem, dot, suffix = name.rpartition(".")
    return (stem, dot + suffix) if dot and stem else (name, "")


def _stage(upload: Path, root: Path, max_bytes: int) -> Path:
    """The upload's bytes in a hidden file of the sources folder (hidden files are never indexed)."""
    descriptor, staged = tempfile.mkstemp(prefix=".upload-", dir=root)
    written = 0
    try:
        with os.fdopen(descriptor, "wb") as out, upload.open("rb") as source:
            while block := source.read(_COPY_CHUNK):
                written += len(block)
                if written > max_bytes:
                    raise ValueError(f"file is over the limit of {max_bytes:,} bytes")
                out.write(block)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(staged)
        raise
    return Path(staged)


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size or b.is_symlink():
            return False
        with a.open("rb") as first, b.open("rb") as second:
            while True:
                left, right = first.read(_COPY_CHUNK), second.read(_COPY_CHUNK)
                if left != right:
                    return False
                if not left:
                    return True
    except OSError:
        return False
