"""The models eval/ranker_lab.py compares: feature sets, pairwise logistic regression,
LightGBM LambdaRank (where installed), and abstention calibrations."""

from __future__ import annotations

import numpy as np

BASE = ("fused", "dense", "coverage", "sentence", "answer_type", "role",  # rag.rerank.FEATURES
        "role_heading", "in_period", "earlier", "length", "absent")  # (this runs without rag)
NEW = ("sent_dense", "sent_dense_gap", "lexical", "alone_bm25", "doc_share", "doc_best",
       "fragment", "rare_absent", "window", "dense_rank", "lexical_rank", "asks_number",
       "asks_date", "asks_name", "asks_role", "query_terms")
ASKS = ("asks_number", "asks_date", "asks_name", "asks_role")
INTERACT = tuple(f"{a}*{b}" for a in ASKS for b in ("sent_dense", "coverage", "dense",
                                                     "fused"))


def column(row: dict, name: str) -> np.ndarray:
    if "*" in name:
        a, b = name.split("*")
        return column(row, a) * column(row, b)
    if name == "hand":  # the hand-weighted score, as a share of the question's best
        return row["hand"] / (row["hand"].max() or 1.0)
    if name in BASE:
        return row["x"][:, BASE.index(name)]
    return row["new"][:, NEW.index(name)]


def design(row: dict, names: tuple[str, ...], zscore: bool = False) -> np.ndarray:
    x = np.column_stack([column(row, n) for n in names])
    if zscore:  # within the question: how a candidate stands among its rivals
        x = np.hstack([x, (x - x.mean(0)) / (x.std(0) + 1e-6)])
    return x


def logistic(x: np.ndarray, y: np.ndarray, l2, intercept: bool = True,
             weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (as eval/train_ranker.py)."""
    design_ = np.hstack([x, np.ones((len(x), 1 if intercept else 0))])
    weight = np.ones(len(x)) if weight is None else weight
    w = np.zeros(design_.shape[1])
    penalty = np.diag(np.r_[np.broadcast_to(l2, x.shape[1]), [0.0] * intercept])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design_ @ w, -30, 30)))
        gradient = design_.T @ (weight * (p - y)) + penalty @ w
        hessian = design_.T @ (design_ * (weight * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return (w[:-1], float(w[-1])) if intercept else (w, 0.0)


def pairwise(names: tuple[str, ...], zscore: bool = False, free: int = 0):
    """Pairwise LR: each answering passage against each other candidate of its question,
    features scaled by the training part's spread; the first `free` features unpenalised
    (the hand score: the model learns a correction to it, shrunk to none by a large L2)."""
    def fit(rows: list[dict], params: dict):
        mats = [(design(r, names, zscore), r["y"][: len(r["x"])]) for r in rows]
        spread = np.vstack([m for m, _ in mats]).std(0) + 1e-6
        pairs = [(m[i] - m[j]) / spread for m, y in mats for i in np.flatnonzero(y)
                 for j in np.flatnonzero(y == 0)]
        x = np.vstack(pairs + [-d for d in pairs])
        y = np.r_[np.ones(len(pairs)), np.zeros(len(pairs))]
        w, _ = logistic(x, y, np.r_[np.full(free, 1e-3), np.full(x.shape[1] - free,
                                                                  params["l2"])],
                        intercept=False)
        return lambda r: design(r, names, zscore) / spread @ w
    return fit


def lambdarank(names: tuple[str, ...], zscore: bool = False):
    def fit(rows: list[dict], params: dict):
        import lightgbm

        x = np.vstack([design(r, names, zscore) for r in rows])
        y = np.concatenate([r["y"][: len(r["x"])] for r in rows])
        params_ = {"objective": "lambdarank", "num_leaves": params["leaves"],
                   "learning_rate": 0.05, "min_data_in_leaf": 20, "lambda_l2": 10.0,
                   "bagging_fraction": 0.8, "bagging_freq": 1, "feature_fraction": 0.8,
                   "lambdarank_truncation_level": 10, "verbose": -1, "seed": 0,
                   "num_threads": 1}
        data = lightgbm.Dataset(x, y, group=[len(r["x"]) for r in rows])
        model = lightgbm.train(params_, data, num_boost_round=params["trees"])
        return lambda r: model.predict(design(r, names, zscore))
    return fit


def top_inputs(row: dict, scores: np.ndarray, extra: bool) -> np.ndarray:
    """What the first passage's probability is read from: its score, its lead over the
    second, its present features (as rag.rerank.calibration_input), and with `extra` the
    new ones that may tell 'on the subject' from 'holds the answer'."""
    best = int(np.argmax(scores))
    second = np.partition(scores, -2)[-2] if len(scores) > 1 else scores[best]
    out = [scores[best], scores[best] - second, *row["x"][best]]
    if extra:
        top3 = np.argsort(-scores)[:3]
        new = row["new"]
        out += [new[best, NEW.index("sent_dense")], new[top3, NEW.index("sent_dense")].max(),
                new[best, NEW.index("rare_absent")], new[top3, NEW.index("rare_absent")].min(),
                new[best, NEW.index("window")], new[best, NEW.index("alone_bm25")],
                row["x"][top3, BASE.index("coverage")].max(), new[best, NEW.index("lexical")]]
    return np.array(out, dtype=float)


def calibration(extra: bool, target: str, negatives_weight: float = 1.0, l2: float = 1.0):
    """Abstention: a logistic model of the first passage answering (`target` 'top') or of
    the question being answerable at all ('answerable'), fitted on inner out-of-fold scores."""
    def fit(rows: list[dict], oof: list[np.ndarray]):
        x = np.vstack([top_inputs(r, s, extra) for r, s in zip(rows, oof)])
        if target == "top":
            y = np.array([r["y"][int(np.argmax(s))] for r, s in zip(rows, oof)])
        else:
            y = np.array([float(r["kind"] != "negative") for r in rows])
        weight = np.array([negatives_weight if r["kind"] == "negative" else 1.0 for r in rows])
        mean, spread = x.mean(0), x.std(0) + 1e-6
        w, b = logistic((x - mean) / spread, y, l2, weight=weight)
        return lambda r, s: float(1 / (1 + np.exp(-((top_inputs(r, s, extra) - mean) / spread
                                                      @ w + b))))
    return fit


def abstainers(kind: str) -> dict:
    if kind == "present":
        return {"default": calibration(False, "top")}
    return {"calib present": calibration(False, "top"),
            "calib +new": calibration(True, "top"),
            "calib +new, negatives x3": calibration(True, "top", 3.0),
            "answerable +new": calibration(True, "answerable"),
            "answerable +new, l2 10": calibration(True, "answerable", l2=10.0)}


L2_GRID = [{"l2": v} for v in (0.3, 3.0, 30.0)]
WIDE_GRID = [{"l2": v} for v in (1.0, 10.0, 100.0, 1000.0)]
SENT = ("sent_dense", "sent_dense_gap")
LEX = ("lexical", "alone_bm25", "dense_rank", "lexical_rank")
SHAPE = ("doc_share", "doc_best", "fragment", "rare_absent", "window")
VARIANTS = {
    "present LR (11 features, L2 1)": {"fit": pairwise(BASE), "grid": [{"l2": 1.0}],
                                       "abstain": "present"},
    "LR 11, L2 inner": {"fit": pairwise(BASE), "grid": L2_GRID, "abstain": "present"},
    "LR 11 +sentence dense": {"fit": pairwise(BASE + SENT), "grid": L2_GRID,
                              "abstain": "present"},
    "LR 11 +lexical": {"fit": pairwise(BASE + LEX), "grid": L2_GRID, "abstain": "present"},
    "LR 11 +shape": {"fit": pairwise(BASE + SHAPE), "grid": L2_GRID, "abstain": "present"},
    "LR 11 +interactions": {"fit": pairwise(BASE + INTERACT), "grid": L2_GRID,
                            "abstain": "present"},
    "LR all new": {"fit": pairwise(BASE + SENT + LEX + SHAPE), "grid": L2_GRID,
                   "abstain": "all"},
    "LR all new, z per question": {"fit": pairwise(BASE + SENT + LEX + SHAPE, True),
                                   "grid": L2_GRID, "abstain": "present"},
    "hand + LR correction, 11": {"fit": pairwise(("hand",) + BASE, free=1),
                                 "grid": WIDE_GRID, "abstain": "present"},
    "hand + LR correction, all new": {"fit": pairwise(("hand",) + BASE + SENT + LEX + SHAPE,
                                                      free=1),
                                      "grid": WIDE_GRID, "abstain": "all"},
    "hand + LR correction, +sent +lex": {"fit": pairwise(("hand",) + BASE + SENT + LEX,
                                                         free=1),
                                         "grid": WIDE_GRID, "abstain": "present"},
    "LambdaRank all new": {"fit": lambdarank(BASE + SENT + LEX + SHAPE),
                           "grid": [{"trees": t, "leaves": n} for t in (60, 200)
                                    for n in (3, 7)], "abstain": "present"},
}
try:
    import lightgbm  # noqa: F401
except ImportError:
    VARIANTS["LambdaRank all new"] = None
