"""Precision and recall of `precedents` on the precedent questions, at a relevance cut-off.

    python -m eval.precedents INDEX QUESTIONS [--cutoff X]

Each precedent question is run twice: as asked, and from the passage that answers it best
(as "This matter over time" runs from a card). A paper counts as relevant when its text holds
one of the question's evidence spans (eval/metrics.py `answers`); recall is over the papers
that hold one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.metrics import answers, load_questions
from rag.ask import open_session, precedents, search


def measure(index, encoder, rows: list[dict], cutoff: float | None) -> dict:
    counts = {"question": [0, 0, 0], "passage": [0, 0, 0]}  # relevant shown, shown, relevant
    for row in (r for r in rows if r.get("kind") == "precedent"):
        gold = {d for d in index.docs if answers(index.document_text(d), row["evidence"])}
        top = search(index, encoder, row["question"], k=1).hits
        texts = {"question": row["question"], "passage": top[0].chunk.text if top else ""}
        for mode, text in texts.items():
            shown = {h.doc.doc_id for h in precedents(index, encoder, text, cutoff=cutoff)}
            tally = counts[mode]
            tally[0] += len(shown & gold)
            tally[1] += len(shown)
            tally[2] += len(gold)
    return {mode: {"precision": round(hit / max(shown, 1), 3), "recall": round(hit / max(n, 1), 3),
                   "shown": shown} for mode, (hit, shown, n) in counts.items()}


def main(argv: list[str]) -> None:
    index_dir, questions = Path(argv[0]), Path(argv[1])
    cutoff = float(argv[argv.index("--cutoff") + 1]) if "--cutoff" in argv else None
    index, encoder, _ = open_session(index_dir, None)
    print(json.dumps(measure(index, encoder, load_questions(questions), cutoff)))


if __name__ == "__main__":
    main(sys.argv[1:])
