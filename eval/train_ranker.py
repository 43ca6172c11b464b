"""Fit the learned ranker (rag/ranker.json) on both councils' gold questions, and say how
well it does on questions it never saw.

    .venv/bin/python eval/train_ranker.py [OTHER_COUNCILS_FOLDER]

For every question, the top candidates of the fused search get the reranker's FEATURES
and a label from the gold relevance rule (does the passage answer?). A logistic model
is fitted to them. It is judged held out: leave one council out (fit on one, test on the
other) and 5-fold over all questions, beside the in-sample fit and the hand weights on
the same candidates. The abstention threshold is the highest probability that keeps
false abstentions within 1 in 40 answerable questions on out-of-fold predictions. The
same splits are then asked through the whole ask path (rag.ask.search, with each held-out
model and the threshold chosen on its training questions), as `rag eval` asks them.
Figures go to eval/ranker_report.json; eval/README.md quotes them.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from eval.compare import run_configuration
from eval.metrics import answers, summarise
from eval.sets import HF, QuestionSet, set_index
from rag.ask import open_session
from rag.rerank import (
    FEATURES,
    RANKER_FILE,
    Ranker,
    calibration_input,
    candidate_features,
    hand_scores,
    term_weights,
)
from rag.retrieve import SearchSettings, rank, read

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "eval" / "results"
L2 = 1.0
MAX_FALSE_ABSTENTIONS = 1 / 40
# The sign each ranking weight must have, whatever council the questions come from: these
# features are evidence that a passage answers ("earlier" that it does not). Fitted on one
# council's few questions, a weight can otherwise come out the wrong way by chance (trained
# on the other councils alone, "role" and "in_period" did, and ranked H&F's answers lower).
SIGNS = np.array([{"earlier": -1, "length": 0, "absent": 0}.get(f, 1) for f in FEATURES])


def question_rows(qset: QuestionSet, encoder) -> list[dict]:
    """Each question's candidates: features, labels, and the hand-weighted order."""
    index, _, _ = open_session(set_index(qset, OUT, encoder), None)
    settings = SearchSettings()
    out = []
    for item in qset.rows():
        query = read(index, item["question"])
        vector = encoder.embed([item["question"]])[0]
        ranked = rank(index, query, vector, index.filter(), settings)
        chunks = index.chunks(ranked.ids[:settings.rerank_depth].tolist())
        weights = term_weights(index, item["question"])
        features = candidate_features(index, ranked, query, weights,
                                      ranked.ids[:settings.rerank_depth])
        hand = hand_scores(features, settings)
        labels = np.array([answers(c.text, item.get("evidence", [])) for c in chunks], float)
        out.append({"set": qset.name, "id": item["id"], "kind": item["kind"], "x": features,
                    "y": labels, "hand": hand})
    return out


def fit(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, float]:
    """The ranking weights (pairwise: each answering passage against each other candidate of
    its question, held to their SIGNS), then the calibration of the first passage's
    probability of answering."""
    pairs = [r["x"][i] - r["x"][j] for r in rows for i in np.flatnonzero(r["y"])
             for j in np.flatnonzero(r["y"] == 0)]
    x = np.vstack(pairs + [-d for d in pairs])
    y = np.r_[np.ones(len(pairs)), np.zeros(len(pairs))]
    ranking = signed_logistic(x, y)
    tops = [calibration_input(r["x"], r["x"] @ ranking) for r in rows if len(r["y"])]
    labels = np.array([r["y"][np.argmax(r["x"] @ ranking)] for r in rows if len(r["y"])])
    calibration, bias = logistic(np.vstack(tops), labels)
    return ranking, calibration, bias


def logistic(x: np.ndarray, y: np.ndarray, intercept: bool = True) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method."""
    design = np.hstack([x, np.ones((len(x), 1 if intercept else 0))])
    w = np.zeros(design.shape[1])
    penalty = np.diag([L2] * x.shape[1] + [0.0] * intercept)
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return (w[:-1], float(w[-1])) if intercept else (w, 0.0)


def signed_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """logistic() without an intercept, each weight held to its SIGNS: a feature whose
    weight comes out the wrong way is left out and the rest refitted, until none does."""
    kept = np.ones(x.shape[1], dtype=bool)
    while True:
        w = np.zeros(x.shape[1])
        w[kept], _ = logistic(x[:, kept], y, intercept=False)
        wrong = kept & (w * SIGNS < 0)
        if not wrong.any():
            return w
        kept &= ~wrong


def predict(rows: list[dict], model) -> list[np.ndarray]:
    """Per question: the ranking scores, shifted so the first passage's is its calibrated
    probability of answering (the order is the ranking's), as rag.rerank.Ranker scores."""
    ranking, calibration, bias = model
    ranker = Ranker(FEATURES, tuple(ranking), tuple(calibration), bias, 0.0)
    return [ranker.scores(r["x"]) if len(r["x"]) else r["x"] @ ranking for r in rows]


def scores(rows: list[dict], predicted: list[np.ndarray], threshold: float) -> dict:
    """Recall@1/5, MRR@10, per-kind Recall@5 and abstention, ranking each question's
    candidates by `predicted`."""
    answerable, kinds, abstained, false = [], {}, 0, 0
    for row, p in zip(rows, predicted):
        order = np.argsort(-p, kind="stable")
        top = float(p[order[0]]) if len(p) else 0.0
        if row["kind"] == "negative":
            abstained += top < threshold
            continue
        false += top < threshold
        hits = np.flatnonzero(row["y"][order][:10])
        first = int(hits[0]) + 1 if len(hits) else None
        answerable.append(first)
        kinds.setdefault(row["kind"], []).append(first)
    n = len(answerable)
    negatives = sum(r["kind"] == "negative" for r in rows)
    return {"recall@1": round(at(1, answerable), 3), "recall@5": round(at(5, answerable), 3),
            "mrr@10": round(sum(1 / r for r in answerable if r) / max(n, 1), 3),
            "min_kind_recall@5": round(min(at(5, v) for v in kinds.values()), 3),
            "negatives_abstained": f"{abstained}/{negatives}", "false_abstentions": f"{false}/{n}",
            "per_kind_recall@5": {k: round(at(5, v), 3) for k, v in sorted(kinds.items())}}


def at(k: int, ranks: list[int | None]) -> float:
    """Share of questions answered within the top k."""
    return sum(r is not None and r <= k for r in ranks) / max(len(ranks), 1)


def top_probability(predicted: np.ndarray) -> float:
    return float(predicted.max()) if len(predicted) else 0.0


def choose_threshold(rows: list[dict], predicted: list[np.ndarray]) -> float:
    """The highest abstention threshold that wrongly abstains on at most 1 answerable
    question in 40."""
    tops = sorted(top_probability(p) for r, p in zip(rows, predicted) if r["kind"] != "negative")
    allowed = int(len(tops) * MAX_FALSE_ABSTENTIONS)
    return math.floor(tops[allowed] * 1e4) / 1e4 if tops else 0.5  # rounded down: kept


def fitted(train: list[dict]) -> tuple[tuple, float]:
    """A model of `train` and its abstention threshold, chosen on out-of-fold predictions
    within `train` (in-sample ones are surer than held-out ones, so a threshold read off them
    abstains on more answerable questions it has not seen)."""
    return fit(train), choose_threshold(train, folds(train))


def folds(rows: list[dict], k: int = 5) -> list[np.ndarray]:
    """Out-of-fold predictions: each question scored by a model fitted without it."""
    predicted: list = [None] * len(rows)
    for fold in range(k):
        train = [r for i, r in enumerate(rows) if i % k != fold]
        model = fit(train)
        for i in range(fold, len(rows), k):
            predicted[i] = predict([rows[i]], model)[0]
    return predicted


def held_out_margins(rows: list[dict], predicted: list[np.ndarray],
                     k: int = 5) -> list[np.ndarray]:
    """folds()' out-of-fold `predicted` less their fold's threshold (chosen out of fold within
    the other folds), so each question abstains below 0."""
    out = list(predicted)
    for fold in range(k):
        train = [r for i, r in enumerate(rows) if i % k != fold]
        threshold = choose_threshold(train, folds(train))
        for i in range(fold, len(rows), k):
            out[i] = predicted[i] - threshold
    return out


def reliability(rows: list[dict], predicted: list[np.ndarray]) -> list[dict]:
    """Out-of-fold: for each band of the top passage's probability, how often it answers."""
    bands = [(0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]
    out = []
    for lo, hi in bands:
        inside = [(p[np.argmax(p)], r["y"][np.argmax(p)]) for r, p in zip(rows, predicted)
                  if len(p) and lo <= p.max() < hi]
        if inside:
            out.append({"band": f"{lo:.1f}-{min(hi, 1):.1f}", "questions": len(inside),
                        "mean_probability": round(float(np.mean([a for a, _ in inside])), 3),
                        "answered": round(float(np.mean([b for _, b in inside])), 3)})
    return out


def held_out(by_set: dict[str, list[dict]]) -> dict:
    """Leave one council out, 5-fold, in-sample and hand weights, all on the same candidates."""
    everything = [r for rows in by_set.values() for r in rows]
    report = {}
    for name, rows in by_set.items():
        model, threshold = fitted([r for other, rs in by_set.items() if other != name
                                   for r in rs])
        report[f"leave-one-council-out: test {name}"] = scores(rows, predict(rows, model),
                                                              threshold)
    out_of_fold = folds(everything)
    below = held_out_margins(everything, out_of_fold)
    for name, rows in by_set.items():
        chosen = [i for i, r in enumerate(everything) if r["set"] == name]
        report[f"5-fold: {name}"] = scores([everything[i] for i in chosen],
                                           [below[i] for i in chosen], 0.0)
        hand = scores(rows, [r["hand"] for r in rows], -1.0)
        for key in ("negatives_abstained", "false_abstentions"):  # hand weights: see rag eval
            del hand[key]
        report[f"hand weights: {name}"] = hand
    model, threshold = fit(everything), choose_threshold(everything, out_of_fold)
    for name, rows in by_set.items():
        report[f"in-sample: {name}"] = scores(rows, predict(rows, model), threshold)
    return {"figures": report, "threshold": threshold, "model": model,
            "reliability": reliability(everything, out_of_fold)}


def through_ask_path(sets: list[QuestionSet], by_set: dict[str, list[dict]], encoder) -> dict:
    """The same held-out splits through the whole ask path (period ordering, one card per
    paragraph, abstention): each question asked with a ranker fitted without it, whose
    threshold is chosen on its own training questions."""
    everything = [r for rows in by_set.values() for r in rows]
    indexes = {s.name: open_session(set_index(s, OUT, encoder), None)[0] for s in sets}
    splits = {f"leave-one-council-out: test {s.name}": [
        [r for r in everything if r["set"] != s.name]] for s in sets}
    splits["5-fold"] = [[r for i, r in enumerate(everything) if i % 5 != f] for f in range(5)]
    report = {}
    for name, trains in splits.items():
        asked: dict[str, list[dict]] = {s.name: [] for s in sets}
        for train in trains:
            ranker = ranker_json(*fitted(train))
            seen = {(r["set"], r["id"]) for r in train}
            for qset in sets:
                unseen = [q for q in qset.rows() if (qset.name, q["id"]) not in seen]
                asked[qset.name] += ask_with(indexes[qset.name], encoder, ranker, unseen)
        for set_name, rows in asked.items():
            if rows:
                report[name if name != "5-fold" else f"5-fold: {set_name}"] = brief(rows)
    return report


def ask_with(index, encoder, ranker: dict, questions: list[dict]) -> list[dict]:
    """`questions` through rag.ask.search on `index` with this ranker and its abstention."""
    if not questions:
        return []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ranker.json"
        path.write_text(json.dumps(ranker))
        settings = replace(SearchSettings(), ranker="learned", ranker_file=str(path))
        return run_configuration(index, encoder, questions, settings)


def brief(rows: list[dict]) -> dict:
    """rag eval's summary, in this script's terms."""
    summary = summarise(rows)
    overall, kinds = summary["overall"], summary["per_kind"].values()
    return {"recall@1": round(overall["recall@1"], 3), "recall@5": round(overall["recall@5"], 3),
            "mrr@10": round(overall["mrr@10"], 3),
            "min_kind_recall@5": round(min(k["recall@5"] for k in kinds), 3),
            "negatives_abstained": f"{summary['negatives_abstained']}/{summary['negatives']}",
            "false_abstentions": f"{summary['false_abstentions']}/{summary['answerable']}",
            "per_kind_recall@5": {k: round(v["recall@5"], 3)
                                  for k, v in summary["per_kind"].items()}}


def ranker_json(model: tuple, threshold: float) -> dict:
    """The model as rag/ranker.json holds it (rag.rerank.Ranker.load)."""
    ranking, calibration, bias = model
    return {"features": list(FEATURES), "weights": [round(float(w), 6) for w in ranking],
            "calibration": [round(float(w), 6) for w in calibration], "bias": round(bias, 6),
            "threshold": threshold}


def main(argv: list[str]) -> None:
    from rag.embedding import load_encoder

    encoder = load_encoder()
    sets = [QuestionSet("hf", tuple(ROOT / p for p in HF.split(",")),
                        ROOT / "corpus")]
    if argv:
        sets.append(QuestionSet("other", (ROOT / "eval/other-councils.jsonl",), Path(argv[0])))
    by_set = {s.name: question_rows(s, encoder) for s in sets}
    result = held_out(by_set)
    result["whole ask path"] = through_ask_path(sets, by_set, encoder)
    RANKER_FILE.write_text(json.dumps({
        **ranker_json(result.pop("model"), result["threshold"]),
        "trained_on": {s.name: len(by_set[s.name]) for s in sets}}, indent=2) + "\n")
    (ROOT / "eval" / "ranker_report.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
