"""Fit the answerability judge's threshold on labelled (question, passages) pairs from the development corpora.

    python evals/fit_judge.py collect            # pairs from every corpus's gold set -> evals/judge/pairs.jsonl
    python evals/fit_judge.py score --llm local  # P(yes) of every passage -> evals/judge/scores.jsonl (resumable)
    python evals/fit_judge.py fit                # threshold, AUC, leave-one-corpus-out check -> evals/judge/fit.json

A pair is a gold question without history and the passages the answerer would give the judge
(`Settings.judge_passages` of them), among the questions the extractive evidence scores do not refuse
already (the only ones the judge is asked about). Its label: answerable when the gold says so AND a gold evidence
quote lies inside one of those passages (the judge can only see what retrieval found); unanswerable
when the gold says so. Answerable questions whose evidence was not retrieved are left out: their
label at the pair level is unknown. The question's score is its best passage's P(yes), as the judge
decides (answerable when any passage reaches the threshold). The threshold maximises Youden's J
(true-positive rate minus false-positive rate, positive = answerable).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

OUT = REPO / "evals" / "judge"
PAIRS = OUT / "pairs.jsonl"
SCORES = OUT / "scores.jsonl"
FIT = OUT / "fit.json"


def collect(corpora: list[str]) -> None:
    from assistant import Assistant, Settings
    from assistant.answering_llm import given_passages
    from assistant.corpora import select
    from assistant.evaluation import find_collapsed, load_gold

    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for corpus in select(tuple(corpora)):
        bot = Assistant(Settings(sources_dir=corpus.sources_dir, index_dir=REPO / "index" / "evals" / corpus.name))
        bot.ingest()
        extractive = bot.answerer
        for item in load_gold(corpus.gold):
            if item.history:
                continue
            query, retrieval = bot.prepare(item.question)
            candidates = extractive.score(query, retrieval)
            passages = given_passages(candidates, bot.settings.judge_passages)
            spans = [(s, *find_collapsed(bot.source_text(s), q)) for s, q in item.evidence]
            holds = [any(p.chunk.source == s and a >= 0 and p.start < b and a < p.end for s, a, b in spans)
                     for p in passages]
            label = None if item.answerable and not any(holds) else item.answerable
            rows.append({"corpus": corpus.name, "id": item.id, "question": query.text, "label": label,
                         "extractive_refused": extractive.answer(query, retrieval).refused,
                         "passages": [p.text for p in passages], "evidence_in": holds})
        print(f"{corpus.name}: {sum(r['corpus'] == corpus.name for r in rows)} questions", file=sys.stderr)
    PAIRS.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions, {sum(r['label'] is not None for r in rows)} labelled -> {PAIRS}")


def label(row: dict, passages: int) -> bool | None:
    """Answerable only if the evidence is in the first `passages` passages the judge reads; None if unknown."""
    if row["label"] is False:
        return False
    return True if any(row["evidence_in"][:passages]) else None


def score(llm: str, answerable_per_corpus: int | None, passages: int, threads: int) -> None:
    from assistant import Settings
    from assistant.judge import AnswerabilityJudge
    from assistant.llm import LLMClient, make_llm

    settings = Settings(llm=llm, llm_threads=threads, llm_timeout=300)
    judge = AnswerabilityJudge(LLMClient(lambda: make_llm(settings), settings.llm_timeout), 1.0, 99)
    done = {(r["corpus"], r["id"]) for r in _read(SCORES)}
    from assistant.evaluation.generation import spread_sample

    # The judge only sees questions the extractive evidence scores did not already refuse: fit on those.
    labelled = [{**r, "label": label(r, passages)} for r in _read(PAIRS) if not r["extractive_refused"]]
    labelled = [r for r in labelled if r["label"] is not None]
    chosen = []
    for corpus in dict.fromkeys(r["corpus"] for r in labelled):
        rows_of = [r for r in labelled if r["corpus"] == corpus]
        chosen += [r for r in rows_of if not r["label"]]  # every unanswerable question: the rarer class
        chosen += spread_sample([r for r in rows_of if r["label"]], answerable_per_corpus)
    rows = [r for r in chosen if (r["corpus"], r["id"]) not in done]
    with SCORES.open("a", encoding="utf-8") as out:
        for n, row in enumerate(rows, 1):
            p_yes = [round(judge.p_yes(row["question"], passage), 4) for passage in row["passages"][:passages]]
            out.write(json.dumps({"corpus": row["corpus"], "id": row["id"], "label": row["label"], "p_yes": p_yes,
                                  "extractive_refused": row["extractive_refused"]}) + "\n")
            out.flush()
            print(f"{n}/{len(rows)} {row['corpus']}/{row['id']} {row['label']} {p_yes}", file=sys.stderr)


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def auc(scores: list[float], labels: list[bool]) -> float | None:
    """Probability that a random answerable question outscores a random unanswerable one (ties count half)."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not positives or not negatives:
        return None
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in positives for q in negatives)
    return wins / (len(positives) * len(negatives))


def best_threshold(scores: list[float], labels: list[bool]) -> tuple[float, float]:
    """(threshold, Youden's J) maximising TPR - FPR; answerable when score >= threshold."""
    positives, negatives = sum(labels), len(labels) - sum(labels)
    best = (1.0, -1.0)
    for threshold in sorted(set(scores)):
        tpr = sum(1 for s, y in zip(scores, labels, strict=True) if y and s >= threshold) / max(positives, 1)
        fpr = sum(1 for s, y in zip(scores, labels, strict=True) if not y and s >= threshold) / max(negatives, 1)
        if tpr - fpr > best[1]:
            best = (threshold, tpr - fpr)
    return best


def rates(scores: list[float], labels: list[bool], threshold: float) -> dict[str, float | int]:
    answered = [s >= threshold for s in scores]
    positives, negatives = sum(labels), len(labels) - sum(labels)
    refused_right = sum(1 for a, y in zip(answered, labels, strict=True) if not y and not a)
    refused_wrong = sum(1 for a, y in zip(answered, labels, strict=True) if y and not a)
    return {"n": len(labels), "answerable": positives, "unanswerable": negatives,
            "refusal_recall": refused_right / max(negatives, 1), "false_refusals": refused_wrong / max(positives, 1)}


def fit(passages: int) -> None:
    rows = [r for r in _read(SCORES) if len(r["p_yes"]) >= passages]
    if not rows:
        raise SystemExit(f"no scores in {SCORES}: run `collect` and `score` first")
    scores = [max(r["p_yes"][:passages], default=0.0) for r in rows]
    labels = [bool(r["label"]) for r in rows]
    threshold, youden = best_threshold(scores, labels)
    report: dict = {"passages": passages, "threshold": round(threshold, 4), "youden_j": round(youden, 4),
                    "auc": auc(scores, labels), "all": rates(scores, labels, threshold), "corpora": {}}
    for corpus in sorted({r["corpus"] for r in rows}):
        inside = [i for i, r in enumerate(rows) if r["corpus"] == corpus]
        outside = [i for i, r in enumerate(rows) if r["corpus"] != corpus]
        held_out, _ = best_threshold([scores[i] for i in outside], [labels[i] for i in outside])
        report["corpora"][corpus] = {
            "auc": auc([scores[i] for i in inside], [labels[i] for i in inside]),
            "at_fitted": rates([scores[i] for i in inside], [labels[i] for i in inside], threshold),
            "fitted_without_it": round(held_out, 4),
            "at_fitted_without_it": rates([scores[i] for i in inside], [labels[i] for i in inside], held_out)}
    FIT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--corpus", action="append", default=[])
    s = sub.add_parser("score")
    s.add_argument("--llm", default="local", choices=["local", "openai", "ollama"])
    s.add_argument("--answerable-per-corpus", type=int, default=None,
                   help="score only this many answerable questions per corpus (all unanswerable ones are scored)")
    s.add_argument("--passages", type=int, default=2, help="top passages the judge reads")
    s.add_argument("--threads", type=int, default=2, help="CPU threads of the local model")
    f = sub.add_parser("fit")
    f.add_argument("--passages", type=int, default=2, help="top passages the judge reads")
    args = parser.parse_args()
    if args.step == "collect":
        collect(args.corpus)
    elif args.step == "score":
        score(args.llm, args.answerable_per_corpus, args.passages, args.threads)
    else:
        fit(args.passages)


if __name__ == "__main__":
    main()
