"""Ranker experiments for issue 11: which features and models raise the HELD-OUT figures.

    PYTHONPATH=. .venv/bin/python -m eval.ranker_lab [--rebuild]       # LR variants
    PYTHONPATH=. LAB_VENV/bin/python -m eval.ranker_lab  # + LightGBM, from a venv that has it

Features come from eval/ranker_lab_features.py (eval/results/lab-rows.json; --rebuild, or a
missing file, recomputes them with the main venv). Every variant is judged on questions it
never saw: leave one council out, and 5-fold over both councils (question i in fold i % 5,
as eval/train_ranker.py). Hyperparameters (L2, trees) and the abstention threshold are
chosen inside the training part only, by an inner 3-fold split. Figures are of the whole
pipeline after reranking (the period ordering and card merging of rag.ask, simulated on
the candidates), with the raw top-40 order's MRR beside them, as train_ranker reports it.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from eval.lab_models import VARIANTS, abstainers
from eval.lab_protocol import evaluate, hand_row

ROWS_FILE = "eval/results/lab-rows.json"
COLUMNS = ("R@1", "R@5", "MRR@10", "kind R@5", "raw MRR", "neg abst", "false abst")


def load(rebuild: bool) -> tuple[list[str], list[dict]]:
    from pathlib import Path

    if rebuild or not Path(ROWS_FILE).exists():
        from eval.ranker_lab_features import build

        build()
    data = json.loads(Path(ROWS_FILE).read_text())
    rows = data["rows"]
    for r in rows:
        r["x"], r["new"] = np.array(r["x"]).reshape(-1, 11), np.array(r["new"])
        r["y"], r["hand"] = np.array(r["y"]), np.array(r["hand"])
        r["new"] = r["new"].reshape(len(r["x"]), -1)
    return data["new"], rows


def table(results: dict[str, dict]) -> str:
    lines = ["| variant | evaluation | " + " | ".join(COLUMNS) + " |",
             "|---|---|" + "---|" * len(COLUMNS)]
    for name, by_eval in results.items():
        for evaluation, f in by_eval.items():
            lines.append(f"| {name} | {evaluation} | " + " | ".join(str(f[c]) for c in COLUMNS)
                         + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    new, rows = load("--rebuild" in argv)
    only = [a for a in argv if not a.startswith("--")]
    results = {"hand weights": hand_row(rows)}
    for name, variant in VARIANTS.items():
        if only and name not in only:
            continue
        if variant is None:
            continue
        for abstain_name, abstainer in abstainers(variant["abstain"]).items():
            label = name if abstain_name == "default" else f"{name} / {abstain_name}"
            results[label] = evaluate(rows, new, variant, abstainer)
            print(table({label: results[label]}).splitlines()[-1], flush=True)
    print()
    print(table(results))
    slug = "".join(c for c in "-".join(only) if c.isalnum() or c == "-")[:60]
    out = f"eval/results/ranker_lab{'-' + slug if only else ''}.json"
    with open(out, "w") as handle:
        json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main(sys.argv[1:])
