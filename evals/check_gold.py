#!/usr/bin/env python3
"""Validate the news corpus gold (evals/corpora/news/gold.jsonl) and evals/support_pairs.jsonl against the sources.

Usage (from the repo root):
    python3 evals/check_gold.py SOURCES_DIR [--gold evals/corpora/news/gold.jsonl] [--pairs evals/support_pairs.jsonl]

SOURCES_DIR is required (e.g. sources/). Source files may carry a YAML
front-matter block; quotes are matched as plain substrings of the file text.
Exits non-zero if any error is found. Standard library only.
"""

import argparse
import json
import os
import re
import sys
from collections import Counter

CATEGORIES = {
    "fact",  # the documentation corpora's factual questions
    "company",
    "instrument",
    "person",
    "number_date",
    "reaction",
    "cross_source",
    "disagreement",
    "alias",
    "multi_turn",
    "unanswerable_on_topic",
    "unanswerable_off_topic",
}
REQUIRED_KEYS = {"id", "question", "answerable", "reference", "facts", "evidence", "category"}
PAIR_KEYS = {"sentence", "passage", "supported", "note"}


def load_sources(folder):
    texts = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".txt") and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                texts[name] = f.read()
    return texts


def read_jsonl(path, errors):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"{path}:{n}: blank line")
                continue
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append(f"{path}:{n}: bad JSON: {e}")
    return rows


def words(s):
    return re.findall(r"[a-z0-9]+", s.lower())


def copied_run(question, sources, n=8):
    """Return True if the question shares an n-word run with any source."""
    q = words(question)
    if len(q) < n:
        return False
    src = [" ".join(words(t)) for t in sources.values()]
    for i in range(len(q) - n + 1):
        chunk = " ".join(q[i : i + n])
        if any(chunk in s for s in src):
            return True
    return False


def check_gold(path, sources, errors, warnings):
    rows = read_jsonl(path, errors)
    ids = Counter()
    cats = Counter()
    with_history = 0
    for n, it in rows:
        where = f"{path}:{n}"
        if not isinstance(it, dict):
            errors.append(f"{where}: not an object")
            continue
        missing = REQUIRED_KEYS - it.keys()
        if missing:
            errors.append(f"{where}: missing keys {sorted(missing)}")
            continue
        iid = it["id"]
        where = f"{where} [{iid}]"
        ids[iid] += 1
        cat = it["category"]
        cats[cat] += 1
        if cat not in CATEGORIES:
            errors.append(f"{where}: unknown category {cat!r}")
        for k in ("id", "question", "reference"):
            if not isinstance(it[k], str) or not it[k].strip():
                errors.append(f"{where}: {k} must be a non-empty string")
        if not isinstance(it["answerable"], bool):
            errors.append(f"{where}: answerable must be a bool")
        hist = it.get("history", [])
        if not isinstance(hist, list) or not all(
            isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) and x for x in t) for t in hist
        ):
            errors.append(f"{where}: history must be a list of [user, assistant] string pairs")
        elif hist:
            with_history += 1
        if cat == "multi_turn" and not hist:
            errors.append(f"{where}: multi_turn item without history")
        facts, evidence = it["facts"], it["evidence"]
        if not isinstance(facts, list) or not isinstance(evidence, list):
            errors.append(f"{where}: facts and evidence must be lists")
            continue
        unans_cat = cat.startswith("unanswerable")
        if it["answerable"] == unans_cat:
            errors.append(f"{where}: answerable={it['answerable']} inconsistent with category {cat}")
        if not it["answerable"]:
            if facts or evidence:
                errors.append(f"{where}: unanswerable item must have empty facts and evidence")
            continue
        if not facts:
            errors.append(f"{where}: answerable item without facts")
        if not evidence:
            errors.append(f"{where}: answerable item without evidence")
        if len(facts) > 3:
            warnings.append(f"{where}: {len(facts)} facts (guideline is 1-3)")
        quotes = []
        for e in evidence:
            if not isinstance(e, dict) or set(e) != {"source", "quote"}:
                errors.append(f"{where}: evidence entry must be {{source, quote}}: {e!r}")
                continue
            src, q = e["source"], e["quote"]
            if src not in sources:
                errors.append(f"{where}: unknown source {src!r}")
            elif not q or q not in sources[src]:
                errors.append(f"{where}: quote not found verbatim in {src}: {q[:70]!r}")
            quotes.append(q.lower())
        haystack = [*quotes, it["reference"].lower()]
        qlow = it["question"].lower()
        for fact in facts:
            if not isinstance(fact, list) or not fact or not all(isinstance(p, str) and p for p in fact):
                errors.append(f"{where}: each fact must be a non-empty list of strings: {fact!r}")
                continue
            for p in fact:
                if not any(p.lower() in h for h in haystack):
                    errors.append(f"{where}: fact phrasing {p!r} not in any evidence quote or the reference")
            if all(p.lower() in qlow for p in fact):
                warnings.append(f"{where}: fact {fact!r} is already contained in the question")
        if copied_run(it["question"], sources):
            warnings.append(f"{where}: question shares an 8-word run with a source")
    for iid, c in ids.items():
        if c > 1:
            errors.append(f"{path}: duplicate id {iid!r} ({c}x)")
    return rows, cats, with_history


def check_pairs(path, sources, errors):
    rows = read_jsonl(path, errors)
    labels = Counter()
    for n, p in rows:
        where = f"{path}:{n}"
        if not isinstance(p, dict) or set(p) != PAIR_KEYS:
            errors.append(f"{where}: keys must be exactly {sorted(PAIR_KEYS)}")
            continue
        if not isinstance(p["supported"], bool):
            errors.append(f"{where}: supported must be a bool")
        for k in ("sentence", "passage", "note"):
            if not isinstance(p[k], str) or not p[k].strip():
                errors.append(f"{where}: {k} must be a non-empty string")
        if not any(p["passage"] in t for t in sources.values()):
            errors.append(f"{where}: passage is not verbatim in any source: {p['passage'][:70]!r}")
        labels[p["supported"]] += 1
    return rows, labels


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sources", help="folder holding the source .txt files")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--gold", default=os.path.join(here, "corpora", "news", "gold.jsonl"))
    ap.add_argument("--pairs", default=os.path.join(here, "support_pairs.jsonl"))
    args = ap.parse_args()

    sources = load_sources(args.sources)
    if not sources:
        sys.exit(f"no .txt sources found in {args.sources}")
    errors, warnings = [], []
    rows, cats, with_history = check_gold(args.gold, sources, errors, warnings)
    n_unans = cats["unanswerable_on_topic"] + cats["unanswerable_off_topic"]
    print(f"gold items: {len(rows)}  (with history: {with_history}, unanswerable: {n_unans})")
    for c in sorted(CATEGORIES):
        print(f"  {c:24s} {cats[c]}")
    if len(rows) < 64:
        errors.append(f"only {len(rows)} gold items (need >= 64)")
    if with_history < 8:
        errors.append(f"only {with_history} items with history (need >= 8)")
    if n_unans < 14:
        errors.append(f"only {n_unans} unanswerable items (need >= 14)")

    if os.path.exists(args.pairs):
        prow, labels = check_pairs(args.pairs, sources, errors)
        print(f"support pairs: {len(prow)}  (supported: {labels[True]}, unsupported: {labels[False]})")
        if len(prow) < 40:
            errors.append(f"only {len(prow)} support pairs (need >= 40)")
    else:
        errors.append(f"missing {args.pairs}")

    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
