"""`rag eval`: run the gold questions through several configurations side by side."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rag.ask import search
from rag.cite import answer_json
from rag.index import Index
from rag.retrieve import SearchSettings

from .metrics import KS, question_scores, summarise

FULL = SearchSettings()
CONFIGURATIONS = {  # each adds one part, so the table shows what every part contributes
    "bm25": replace(FULL, dense=False, boosts=False, rerank=False, collapse=False),
    "dense": replace(FULL, lexical=False, boosts=False, rerank=False, collapse=False),
    "hybrid-linear": replace(FULL, fusion="linear", dense_weight=0.6, boosts=False, rerank=False,
                             collapse=False),
    "hybrid": replace(FULL, boosts=False, rerank=False, collapse=False),
    "+reading": replace(FULL, rerank=False, collapse=False),
    "+rerank": replace(FULL, collapse=False),
    "full": FULL,  # the default: hand-weighted reranking, repeats collapsed
    "+learned": replace(FULL, ranker="learned"),  # the fitted ranker and its abstention
}


def run_configuration(index: Index, encoder, questions: list[dict], settings: SearchSettings,
                      k: int = 10, progress: Callable[[int], None] | None = None) -> list[dict]:
    rows = []
    for number, item in enumerate(questions, start=1):
        answer = search(index, encoder, item["question"], k=k, settings=settings)
        result = answer_json(answer)
        passages = [p["text"] for p in result["passages"]]
        rows.append({"id": item["id"], "kind": item["kind"], "question": item["question"],
                     "reading": result["reading"], "abstain": result["abstain"],
                     "confidence": result["confidence"], "passages": result["passages"],
                     **question_scores(passages, item.get("evidence", []), k)})
        if progress:
            progress(number)
    return rows


def evaluate(index: Index, encoder, questions: list[dict], names: list[str], k: int = 10,
             progress: Callable[[str, int], None] | None = None) -> dict[str, dict]:
    """Metrics and per-question rows for each named configuration."""
    out = {}
    for name in names:
        rows = run_configuration(index, encoder, questions, CONFIGURATIONS[name], k,
                                 (lambda n, name=name: progress(name, n)) if progress else None)
        out[name] = {"summary": summarise(rows), "rows": rows}
    return out


def write_results(path: Path, rows: list[dict]) -> None:
    """One line a question, passages as `ask --json` prints them, for any other scorer."""
    with open(path, "w") as handle:
        handle.writelines(json.dumps({"id": row["id"], "abstain": row["abstain"],
                                     "passages": row["passages"]}) + "\n" for row in rows)


def write_diagnostics(path: Path, rows: list[dict]) -> None:
    """Worst first: misses, then answers found late; each with its reading and top passages."""
    def badness(row):
        if row["kind"] == "negative":
            return (0 if not row["abstain"] else 2, 0)
        return (0 if row["rank"] is None else 1, -(row["rank"] or 0))

    with open(path, "w") as handle:
        handle.writelines(json.dumps({
                "id": row["id"], "kind": row["kind"], "question": row["question"],
                "reading": row["reading"], "rank": row["rank"], "abstain": row["abstain"],
                "confidence": row["confidence"],
                "top": [{"rank": p["rank"], "citation": p["citation"], "text": p["text"][:300]}
                        for p in row["passages"][:3]]}) + "\n" for row in sorted(rows, key=badness))


def plot_recall(path: Path, results: dict[str, dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, result in results.items():
        overall = result["summary"]["overall"]
        ax.plot(KS, [overall[f"recall@{k}"] for k in KS], marker="o", label=name)
    ax.set_xlabel("k")
    ax.set_ylabel("Recall@k")
    ax.set_xticks(KS)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Recall@k on the dev questions")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
