"""Retrieval metrics under the gold set's relevance rule, as pure functions."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from pathlib import Path

KS = (1, 3, 5, 10)


def norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def answers(passage: str, evidence: list[str]) -> bool:
    """The gold rule: a span (or, for spans of 12+ words, either half) is in the passage."""
    text = norm(passage)
    for span in evidence:
        words = norm(span).split()
        if not words:
            continue
        if " ".join(words) in text:
            return True
        if len(words) >= 12:
            half = math.ceil(len(words) / 2)
            if " ".join(words[:half]) in text or " ".join(words[-half:]) in text:
                return True
    return False


def first_relevant_rank(passages: list[str], evidence: list[str]) -> int | None:
    for rank, passage in enumerate(passages, start=1):
        if answers(passage, evidence):
            return rank
    return None


def load_questions(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
    return rows


def question_scores(passages: list[str], evidence: list[str], k: int = 10) -> dict:
    rank = first_relevant_rank(passages[:k], evidence)
    relevant = [answers(p, evidence) for p in passages[:k]]
    dcg = sum(1 / math.log2(i + 2) for i, rel in enumerate(relevant) if rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(max(sum(relevant), 1 if rank else 0)))
    scores = {f"recall@{n}": float(rank is not None and rank <= n) for n in KS}
    scores["mrr@10"] = 1 / rank if rank and rank <= 10 else 0.0
    scores["ndcg@10"] = dcg / ideal if ideal else 0.0
    return {"rank": rank, **scores}


def summarise(rows: list[dict]) -> dict:
    """Overall and per-kind means over answerable questions; abstentions over all."""
    answerable = [r for r in rows if r["kind"] != "negative"]
    negatives = [r for r in rows if r["kind"] == "negative"]
    by_kind = defaultdict(list)
    for row in answerable:
        by_kind[row["kind"]].append(row)
    return {
        "overall": means(answerable),
        "per_kind": {kind: means(group) for kind, group in sorted(by_kind.items())},
        "negatives": len(negatives),
        "negatives_abstained": sum(r["abstain"] for r in negatives),
        "answerable": len(answerable),
        "false_abstentions": sum(r["abstain"] for r in answerable),
    }


def means(rows: list[dict]) -> dict:
    keys = [f"recall@{n}" for n in KS] + ["mrr@10", "ndcg@10"]
    out = {key: round(sum(r[key] for r in rows) / len(rows), 4) if rows else 0.0 for key in keys}
    out["n"] = len(rows)
    return out
