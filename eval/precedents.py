"""Precision and recall of `precedents` on the precedent questions, at a relevance cut-off.

    python -m eval.precedents INDEX QUESTIONS [--cutoff X]
    python -m eval.precedents --held-out NAME=INDEX@QUESTIONS NAME=INDEX@QUESTIONS ...

Each precedent question is run twice: as asked, and from the passage that answers it best
(as "This matter over time" runs from a card). A paper counts as relevant when its text holds
one of the question's evidence spans (eval/metrics.py `answers`); recall is over the papers
that hold one.

`--held-out` judges a cut-off only on questions it was not chosen on. Each paper's relevance
(the measure `rag.ask.relevance` uses) is read once per question, checked against what
`precedents` shows at the shipped cut-off, and each rule below keeps what passes it, best
`LIMIT` by score, as `precedents` does. A rule's value is chosen (best F1 over its grid, the
stricter on a tie) on all councils but one and scored on that one (leave one council out),
and on all questions but one and scored on that one (k-fold with one question per fold).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.metrics import answers, load_questions
from rag.ask import open_session, precedent_cutoff, precedents, search
from rag.rerank import coverage, term_weights
from rag.terms import content_terms

MODES = ("question", "passage")
LIMIT = 10  # precedents' default
# A rule: the relevance a paper needs, from its grid value and the best paper's relevance.
RULES = {"absolute": ([round(0.2 + 0.01 * i, 2) for i in range(81)],  # 0.20 .. 1.00
                      lambda value, best: value),
         "relative to the best": ([round(0.3 + 0.01 * i, 2) for i in range(71)],  # .30-1
                                  lambda value, best: value * best)}


@dataclass(frozen=True)
class Candidate:
    doc_id: str
    relevance: float
    score: float


@dataclass(frozen=True)
class Run:
    """One question in one mode: every candidate paper, the papers that answer it, and those
    `precedents` shows at the shipped cut-off."""
    candidates: tuple[Candidate, ...]
    gold: frozenset[str]
    shipped: frozenset[str]


def candidates(index, encoder, text: str) -> tuple[tuple[Candidate, ...], frozenset[str]]:
    """Every paper `precedents` could show for `text`, with its relevance and score, and the
    papers it shows at the shipped cut-off (which the relevance read here must reproduce)."""
    hits = precedents(index, encoder, text, limit=10**6, cutoff=-1.0)
    vector = encoder.embed([text])[0]
    weights = term_weights(index, text, False)
    dense = index.similarity(np.array([h.chunk.chunk_id for h in hits], dtype=np.int64), vector)
    found = tuple(Candidate(h.doc.doc_id, float(0.5 * d + 0.5 * coverage(
        weights, set(content_terms(h.chunk.text)))), h.score) for h, d in zip(hits, dense))
    shipped = frozenset(h.doc.doc_id for h in precedents(index, encoder, text))
    cutoff = precedent_cutoff(text)
    assert shown(found, lambda best: cutoff) == shipped, "relevance read unlike precedents"
    return found, shipped


def shown(found: tuple[Candidate, ...], needed) -> set[str]:
    """The papers shown: relevance at least needed(best relevance), best LIMIT by score."""
    best = max((c.relevance for c in found), default=0.0)
    passing = [c for c in found if c.relevance >= needed(best)]
    return {c.doc_id for c in sorted(passing, key=lambda c: -c.score)[:LIMIT]}


def runs(index, encoder, row: dict) -> dict[str, Run]:
    gold = frozenset(d for d in index.docs if answers(index.document_text(d), row["evidence"]))
    top = search(index, encoder, row["question"], k=1).hits
    texts = {"question": row["question"], "passage": top[0].chunk.text if top else ""}
    result = {}
    for mode, text in texts.items():
        found, shipped = candidates(index, encoder, text)
        result[mode] = Run(found, gold, shipped)
    return result


def counts(tallied: list[Run], needed=None) -> tuple[int, int, int]:
    """(relevant papers shown, papers shown, relevant papers), each run shown by the rule
    `needed`, or as `precedents` shows it (the shipped cut-off) when None."""
    hit = total = relevant = 0
    for run in tallied:
        papers = run.shipped if needed is None else shown(run.candidates, needed)
        hit, total, relevant = hit + len(papers & run.gold), total + len(papers), \
            relevant + len(run.gold)
    return hit, total, relevant


def scores(tally: tuple[int, int, int]) -> dict:
    hit, total, relevant = tally
    return {"precision": round(hit / max(total, 1), 3), "recall": round(hit / max(relevant, 1), 3),
            "shown": total}


def f1(tally: tuple[int, int, int]) -> float:
    hit, total, relevant = tally
    return 2 * hit / (total + relevant) if total + relevant else 0.0


def rule(name: str, value: float):
    return lambda best: RULES[name][1](value, best)


def best_value(name: str, train: list[Run]) -> float:
    """The rule's grid value of best F1 on `train` (the stricter, higher one on a tie)."""
    return max(RULES[name][0], key=lambda v: (f1(counts(train, rule(name, v))), v))


def held_out(groups: dict[str, list[Run]], name: str) -> dict:
    """One rule's value chosen on the rest and scored on each council, and on each question,
    left out; beside it, the value chosen on every question (in sample)."""
    every = [(council, run) for council, tallied in groups.items() for run in tallied]
    loco = {}
    for council, tallied in groups.items():
        value = best_value(name, [r for c, r in every if c != council])
        loco[council] = {"value": value, **scores(counts(tallied, rule(name, value)))}
    picked = [best_value(name, [r for j, (_, r) in enumerate(every) if j != i])
              for i in range(len(every))]
    folds = [counts([run], rule(name, v)) for (_, run), v in zip(every, picked)]
    value = best_value(name, [r for _, r in every])
    return {"leave_one_council_out": loco,
            "k_fold": {**scores(tuple(map(sum, zip(*folds)))), "values": sorted(set(picked))},
            "in_sample": {"value": value, **scores(counts([r for _, r in every],
                                                          rule(name, value)))}}


def report(groups: dict[str, dict[str, list[Run]]]) -> dict:
    """Per mode: the shipped cut-off and no cut-off in sample, per council and pooled, and
    each rule held out."""
    result = {}
    for mode in MODES:
        by_council = {c: [r[mode] for r in tallied] for c, tallied in groups.items()}
        pooled = [run for tallied in by_council.values() for run in tallied]
        in_sample = {c: {"shipped": scores(counts(t)), "none": scores(counts(t, lambda b: -1.0))}
                     for c, t in {**by_council, "pooled": pooled}.items()}
        result[mode] = {"in_sample": in_sample,
                        **{name: held_out(by_council, name) for name in RULES}}
    return result


def measure(index, encoder, rows: list[dict], cutoff: float | None) -> dict:
    tallied = [runs(index, encoder, r) for r in rows if r.get("kind") == "precedent"]
    needed = None if cutoff is None else (lambda best: cutoff)
    return {mode: scores(counts([t[mode] for t in tallied], needed)) for mode in MODES}


def main(argv: list[str]) -> None:
    if argv[0] == "--held-out":
        groups = {}
        for spec in argv[1:]:
            name, _, paths = spec.partition("=")
            index_dir, _, questions = paths.partition("@")
            index, encoder, _ = open_session(Path(index_dir), None)
            groups[name] = [runs(index, encoder, r) for r in load_questions(Path(questions))
                            if r.get("kind") == "precedent"]
        print(json.dumps(report(groups), indent=1))
        return
    index_dir, questions = Path(argv[0]), Path(argv[1])
    cutoff = float(argv[argv.index("--cutoff") + 1]) if "--cutoff" in argv else None
    index, encoder, _ = open_session(index_dir, None)
    print(json.dumps(measure(index, encoder, load_questions(questions), cutoff)))


if __name__ == "__main__":
    main(sys.argv[1:])
