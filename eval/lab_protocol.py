"""The held-out protocol of eval/ranker_lab.py: splits, inner choices, the pipeline after
reranking simulated on the candidates, and the figures."""

from __future__ import annotations

import numpy as np

K = 10
MAX_FALSE = 1 / 40
INNER = 3


def splits(rows: list[dict]) -> dict[str, list[tuple[list[int], list[int]]]]:
    """Leave one council out (each council tested on a model fitted on the other), and
    5-fold over both (question i in fold i % 5)."""
    sets = sorted({r["set"] for r in rows})
    out = {f"LOCO {s}": [([i for i, r in enumerate(rows) if r["set"] != s],
                          [i for i, r in enumerate(rows) if r["set"] == s])] for s in sets}
    folds = [([i for i in range(len(rows)) if i % 5 != f], [i for i in range(len(rows))
                                                            if i % 5 == f]) for f in range(5)]
    for s in sets:
        out[f"5-fold {s}"] = [(tr, [i for i in te if rows[i]["set"] == s]) for tr, te in folds]
    return out


def pipeline_hits(row: dict, scores: np.ndarray) -> list[float]:
    """The labels of the first K cards rag.ask would show for this order of the top 40:
    passages of a named period first, then one card per paragraph, near-duplicates dropped."""
    order = list(np.argsort(-scores, kind="stable"))
    if row["applies"]:
        inside = row["inside"]
        extra = list(range(len(scores), len(scores) + len(row["extra"])))
        order = ([i for i in order if inside[i]] + extra + [i for i in order if not inside[i]])
    pool = order[: max(K * 4, 20)]
    same, dup, y = row["same"], row["dup"], row["y"]
    hits: list[list[int]] = []
    for c in pool:
        kin = next((h for h in hits if same[h[0]][c]), None) if len(hits) < K else None
        if kin is not None:
            kin.append(c)
            continue
        if any(dup[m][c] for h in hits for m in h):
            continue
        if len(hits) < K:
            hits.append([c])
    return [float(max(y[m] for m in h)) for h in hits]


def first_rank(labels) -> int | None:
    found = np.flatnonzero(np.asarray(labels)[:K])
    return int(found[0]) + 1 if len(found) else None


def figures(rows: list[dict], scores: list[np.ndarray], probs: list[float] | None,
            threshold: float | None) -> dict:
    kinds: dict[str, list] = {}
    ranks, raw, negatives, abstained, false = [], [], 0, 0, 0
    for row, s, p in zip(rows, scores, probs or [None] * len(rows)):
        abstains = p is not None and threshold is not None and p < threshold
        if row["kind"] == "negative":
            negatives += 1
            abstained += abstains
            continue
        false += abstains
        rank = first_rank(pipeline_hits(row, s))
        ranks.append(rank)
        kinds.setdefault(row["kind"], []).append(rank)
        raw.append(first_rank(row["y"][: len(s)][np.argsort(-s, kind="stable")]))
    n = max(len(ranks), 1)
    return {"R@1": at(1, ranks), "R@5": at(5, ranks),
            "MRR@10": round(sum(1 / r for r in ranks if r) / n, 3),
            "kind R@5": min(at(5, v) for v in kinds.values()),
            "raw MRR": round(sum(1 / r for r in raw if r) / n, 3),
            "neg abst": f"{abstained}/{negatives}" if probs else "–",
            "false abst": f"{false}/{len(ranks)}" if probs else "–",
            "per kind R@5": {k: at(5, v) for k, v in sorted(kinds.items())}}


def at(k: int, ranks: list) -> float:
    return round(sum(r is not None and r <= k for r in ranks) / max(len(ranks), 1), 3)


def mrr(rows: list[dict], scores: list[np.ndarray]) -> float:
    ranks = [first_rank(r["y"][: len(s)][np.argsort(-s, kind="stable")])
             for r, s in zip(rows, scores) if r["kind"] != "negative"]
    return sum(1 / r for r in ranks if r) / max(len(ranks), 1)


def choose_threshold(rows: list[dict], probs: list[float]) -> float:
    """The highest threshold that wrongly abstains on at most 1 answerable question in 40."""
    tops = sorted(p for r, p in zip(rows, probs) if r["kind"] != "negative")
    allowed = int(len(tops) * MAX_FALSE)
    return tops[allowed] - 1e-9 if tops else 0.5


def inner_scores(rows: list[dict], variant: dict, params: dict) -> list[np.ndarray]:
    """Out-of-fold ranking scores inside a training part (INNER folds)."""
    out: list = [None] * len(rows)
    for f in range(INNER):
        model = variant["fit"]([r for i, r in enumerate(rows) if i % INNER != f], params)
        for i in range(f, len(rows), INNER):
            out[i] = model(rows[i])
    return out


def fit_split(train: list[dict], variant: dict, abstainer):
    """Hyperparameters by inner MRR, the ranker on the whole training part, and the
    abstention fitted (with its threshold) on inner out-of-fold ranking scores."""
    tried = [(mrr(train, s), i, p, s) for i, p in enumerate(variant["grid"])
             for s in [inner_scores(train, variant, p)]]
    _, _, params, oof = max(tried, key=lambda t: (t[0], -t[1]))
    model = variant["fit"](train, params)
    calibrate = abstainer(train, oof) if abstainer else None
    threshold = (choose_threshold(train, [calibrate(r, s) for r, s in zip(train, oof)])
                 if calibrate else None)
    return model, calibrate, threshold, params


def evaluate(rows: list[dict], new: list[str], variant: dict, abstainer) -> dict:
    out = {}
    for name, parts in splits(rows).items():
        tested, scores, probs = [], [], []
        for train_ids, test_ids in parts:
            model, calibrate, threshold, _ = fit_split([rows[i] for i in train_ids], variant,
                                                       abstainer)
            for i in test_ids:
                s = model(rows[i])
                tested.append(rows[i])
                scores.append(s)
                p = calibrate(rows[i], s) if calibrate else None
                probs.append(None if p is None else (p, threshold))
        flat = [p[0] - p[1] if p else None for p in probs]
        out[name] = figures(tested, scores, flat if calibrate else None,
                            0.0 if calibrate else None)
    return out


def hand_row(rows: list[dict]) -> dict:
    """The hand weights on the same candidates (no fitting; abstention: see rag eval)."""
    out = {}
    for s in sorted({r["set"] for r in rows}):
        mine = [r for r in rows if r["set"] == s]
        out[f"all {s}"] = figures(mine, [r["hand"] for r in mine], None, None)
    return out
