"""Gold questions: the JSONL format (see evals/check_gold.py) and locating a gold quote in a document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GoldItem:
    """One gold question: see evals/check_gold.py for the format."""

    id: str
    question: str
    history: tuple[tuple[str, str], ...]
    answerable: bool
    reference: str
    facts: tuple[tuple[str, ...], ...]
    evidence: tuple[tuple[str, str], ...]
    category: str


def find_collapsed(text: str, quote: str) -> tuple[int, int]:
    """(start, end) of `quote` in `text` when runs of whitespace are ignored; (-1, -1) when absent.

    Gold quotes are copied from documents as a reader sees them (whitespace collapsed), while
    the loaded text keeps the file's line breaks and indentation.
    """
    words = quote.split()
    if not words:
        return -1, -1
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (match.start(), match.end()) if match else (-1, -1)


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_gold(path: Path | str) -> list[GoldItem]:
    """Read a gold JSONL file (one item per line)."""
    return [GoldItem(row["id"], row["question"], tuple((u, a) for u, a in row.get("history", [])),
                     bool(row["answerable"]), row.get("reference", ""), tuple(tuple(f) for f in row.get("facts", [])),
                     tuple((e["source"], e["quote"]) for e in row.get("evidence", [])), row.get("category", "other"))
            for row in read_jsonl(path)]
