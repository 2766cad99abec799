"""The eval corpora: `evals/corpora/NAME/` with corpus.toml, gold.jsonl and thresholds.toml.

A corpus's documents are in its `sources/` folder (fetched from a Debian or PyPI package
by `evals/fetch_corpora.py`), or wherever its corpus.toml's `sources` key points (the
bundled articles).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = Path("evals/corpora")


@dataclass(frozen=True)
class Corpus:
    name: str
    description: str
    sources_dir: Path
    gold: Path
    thresholds: Path | None

    @property
    def fetched(self) -> bool:
        return self.sources_dir.is_dir() and any(self.sources_dir.iterdir())


def load_corpus(folder: Path) -> Corpus:
    spec = tomllib.loads((folder / "corpus.toml").read_text(encoding="utf-8"))
    thresholds = folder / "thresholds.toml"
    return Corpus(folder.name, str(spec.get("description", "")), (folder / spec.get("sources", "sources")).resolve(),
                  folder / "gold.jsonl", thresholds if thresholds.is_file() else None)


def discover(root: Path = DEFAULT_ROOT) -> list[Corpus]:
    """Every corpus under `root`, by name."""
    return [load_corpus(spec.parent) for spec in sorted(root.glob("*/corpus.toml"))]


def select(names: tuple[str, ...], root: Path = DEFAULT_ROOT) -> list[Corpus]:
    """The named corpora ("all" for every one); a clear error names the ones that do not exist."""
    known = {c.name: c for c in discover(root)}
    if not names or "all" in names:
        return list(known.values())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"Unknown corpus {', '.join(unknown)} (known: {', '.join(known)})")
    return [known[n] for n in names]
