"""The benchmark corpus: Debian's `python3.11-doc` reStructuredText sources, sampled into a temp folder.

The docs are installed by apt on first use (never downloaded by the benchmark itself) and
copied as `.txt`, which the loader supports; the corpus is never written into the repository.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

DOCS_ROOT = Path("/usr/share/doc/python3.11/html/_sources")
PACKAGE = "python3.11-doc"
SEED = 20240611


class CorpusUnavailableError(RuntimeError):
    """The Python docs are not installed and could not be installed."""


def ensure_docs_installed() -> Path:
    """Install `python3.11-doc` with apt if its sources are missing; return the folder."""
    if _doc_files():
        return DOCS_ROOT
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", PACKAGE], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as error:
        raise CorpusUnavailableError(f"cannot install {PACKAGE} with apt-get: {error}") from error
    if not _doc_files():
        raise CorpusUnavailableError(f"{PACKAGE} is installed but {DOCS_ROOT} has no *.rst.txt files")
    return DOCS_ROOT


def _doc_files() -> list[Path]:
    if not DOCS_ROOT.is_dir():
        return []
    return sorted(p for p in DOCS_ROOT.rglob("*.rst.txt") if p.is_file() and p.stat().st_size > 0)


def available_docs() -> int:
    return len(_doc_files())


def sample_sources(target: Path, n_docs: int, seed: int = SEED, unwrap: bool = False) -> list[Path]:
    """Copy a reproducible sample of `n_docs` docs into `target` (renamed *.rst.txt -> *.txt).

    Samples are nested: the first k docs of a larger sample are the k-doc sample. With
    `unwrap`, hard-wrapped prose paragraphs are joined into one line each (see `unwrap_paragraphs`).
    """
    ensure_docs_installed()
    files = _doc_files()
    order = files[:]
    random.Random(seed).shuffle(order)
    chosen = order[: max(0, min(n_docs, len(order)))]
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in chosen:
        relative = path.relative_to(DOCS_ROOT)
        destination = target / relative.parent / relative.name.removesuffix(".rst.txt")
        destination = destination.with_name(destination.name + ".txt")
        destination.parent.mkdir(parents=True, exist_ok=True)
        if unwrap:
            destination.write_text(unwrap_paragraphs(path.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copyfile(path, destination)
        copied.append(destination)
    return copied


_MARKUP_LINE = re.compile(r"^(\s|\.\.|>>>|[-*+] |\d+\. |[=\-~^*#\"'`:+]{3,}\s*$)")


def unwrap_paragraphs(text: str) -> str:
    """Join each plain prose paragraph's lines into one line (code, directives, lists and headings stay).

    The loader keeps a line as prose only if it ends a sentence or has 20+ words, so hard-wrapped
    reStructuredText loses most of its prose and yields tiny chunks; this gives the pipeline
    paragraph-per-line text, as in the bundled sources, to measure it on full-size chunks.
    """
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.split("\n")
        if len(lines) > 1 and not any(_MARKUP_LINE.match(line) for line in lines if line):
            out.append(" ".join(line.strip() for line in lines))
        else:
            out.append(paragraph)
    return "\n\n".join(out)
