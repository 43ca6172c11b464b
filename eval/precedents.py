"""Precision and recall of `precedents` on the precedent questions, at a relevance cut-off.

    python -m eval.precedents INDEX QUESTIONS [--cutoff X]
    python -m eval.precedents --held-out NAME=INDEX@QUESTIONS NAME=INDEX@QUESTIONS ...

Each precedent question is run twice: as asked, and from the passage that answers it best
(as "This matter over time" runs from a card). A paper counts as relevant when its text holds
one of the question's evidence spans (eval/metrics.py `answers`); recall is over the papers
that hold one. `--held-out` chooses each mode's cut-off (best F1 over CUTOFFS) on all but one
council, or all but one question, and scores it on the one left out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.metrics import answers, load_questions
from rag.ask import open_session, precedents, search

MODES = ("question", "passage")
CUTOFFS = [round(0.2 + 0.02 * i, 2) for i in range(21)]  # 0.20 .. 0.60


def question_tallies(index, encoder, row: dict, cutoffs: list[float | None]) -> dict:
    """Per mode and cut-off: (relevant papers shown, papers shown, relevant papers)."""
    gold = {d for d in index.docs if answers(index.document_text(d), row["evidence"])}
    top = search(index, encoder, row["question"], k=1).hits
    texts = {"question": row["question"], "passage": top[0].chunk.text if top else ""}
    tallies = {}
    for mode, text in texts.items():
        for cutoff in cutoffs:
            shown = {h.doc.doc_id for h in precedents(index, encoder, text, cutoff=cutoff)}
            tallies[mode, cutoff] = (len(shown & gold), len(shown), len(gold))
    return tallies


def scores(tallies: list[tuple[int, int, int]]) -> dict:
    hit, shown, relevant = (sum(t[i] for t in tallies) for i in range(3))
    return {"precision": round(hit / max(shown, 1), 3), "recall": round(hit / max(relevant, 1), 3),
            "shown": shown}


def f1(tallies: list[tuple[int, int, int]]) -> float:
    found = scores(tallies)
    total = found["precision"] + found["recall"]
    return 2 * found["precision"] * found["recall"] / total if total else 0.0


def measure(index, encoder, rows: list[dict], cutoff: float | None) -> dict:
    per_question = [question_tallies(index, encoder, r, [cutoff]) for r in rows
                    if r.get("kind") == "precedent"]
    return {mode: scores([t[mode, cutoff] for t in per_question]) for mode in MODES}


def best_cutoff(mode: str, train: list[dict]) -> float:
    """The cut-off of best F1 on `train` (the higher one on a tie)."""
    return max(CUTOFFS, key=lambda cutoff: (f1([t[mode, cutoff] for t in train]), cutoff))


def held_out(groups: dict[str, list[dict]]) -> dict:
    """Each mode's cut-off chosen on the rest, scored on each council and each question left
    out; beside them the shipped cut-offs, chosen on all of these questions (in sample)."""
    every = [(name, t) for name, rows in groups.items() for t in rows]
    result = {}
    for mode in MODES:
        loco = {name: (best_cutoff(mode, [t for other, t in every if other != name]),
                       [t for other, t in every if other == name]) for name in groups}
        one_out = [(best_cutoff(mode, [t for j, (_, t) in enumerate(every) if j != i]), t)
                   for i, (_, t) in enumerate(every)]
        result[mode] = {
            "leave_one_council_out": {name: {"cutoff": c, **scores([t[mode, c] for t in rows])}
                                      for name, (c, rows) in loco.items()},
            "leave_one_question_out": scores([t[mode, c] for c, t in one_out]),
            "shipped_in_sample": scores([t[mode, None] for _, t in every])}
    return result


def main(argv: list[str]) -> None:
    if argv[0] == "--held-out":
        groups = {}
        for spec in argv[1:]:
            name, _, paths = spec.partition("=")
            index_dir, _, questions = paths.partition("@")
            index, encoder, _ = open_session(Path(index_dir), None)
            rows = [r for r in load_questions(Path(questions)) if r.get("kind") == "precedent"]
            groups[name] = [question_tallies(index, encoder, r, [*CUTOFFS, None]) for r in rows]
        print(json.dumps(held_out(groups), indent=1))
        return
    index_dir, questions = Path(argv[0]), Path(argv[1])
    cutoff = float(argv[argv.index("--cutoff") + 1]) if "--cutoff" in argv else None
    index, encoder, _ = open_session(index_dir, None)
    print(json.dumps(measure(index, encoder, load_questions(questions), cutoff)))


if __name__ == "__main__":
    main(sys.argv[1:])
