"""The learned ranker: its trainer on made-up candidates, and the shipped model on real papers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from eval.train_ranker import choose_threshold, fit, predict
from rag.ask import search
from rag.backend import open_index
from rag.rerank import FEATURES, Ranker
from rag.retrieve import SearchSettings

LEARNED = replace(SearchSettings(), ranker="learned")


def made_up_rows(questions: int = 30, seed: int = 0) -> list[dict]:
    """Candidates of which one answers each question: it holds more of the question's words
    (coverage) though it ranks anywhere in the fused order; negatives have no answer."""
    rng = np.random.default_rng(seed)
    rows = []
    for q in range(questions):
        x = rng.uniform(0, 0.5, (8, len(FEATURES)))
        y = np.zeros(8)
        if q % 5:
            answer = rng.integers(8)
            x[answer, FEATURES.index("coverage")] += 0.6
            y[answer] = 1.0
        rows.append({"set": "s", "id": str(q), "kind": "keyword" if q % 5 else "negative",
                     "x": x, "y": y, "hand": x[:, 0]})
    return rows


def test_the_trainer_learns_what_marks_an_answer_and_when_to_abstain():
    train, test = made_up_rows(), made_up_rows(seed=1)
    model = fit(train)
    ranking = dict(zip(FEATURES, model[0]))
    assert ranking["coverage"] == max(ranking.values())
    predicted = predict(test, model)
    answerable = [(r, p) for r, p in zip(test, predicted) if r["y"].any()]
    assert all(r["y"][np.argmax(p)] == 1.0 for r, p in answerable)
    fitted = predict(train, model)
    trained = [p.max() for r, p in zip(train, fitted) if r["y"].any()]
    assert sum(p < choose_threshold(train, fitted) for p in trained) == 0
    negatives = [p.max() for r, p in zip(test, predicted) if not r["y"].any()]
    assert max(negatives) < min(p.max() for _, p in answerable)  # a probability of answering


def test_a_weight_that_comes_out_the_wrong_way_is_left_out():
    rows = made_up_rows()
    for row in rows:  # by chance, here the answer is never the one playing the role asked for
        row["x"][:, FEATURES.index("role")] = 1.0 - row["y"]
    ranking = dict(zip(FEATURES, fit(rows)[0]))
    assert ranking["role"] == 0.0
    assert ranking["coverage"] == max(ranking.values())


def test_the_shipped_ranker_answers_with_a_probability(corpus_index, encoder):
    ranker = Ranker.load()
    assert ranker.features == FEATURES and 0 < ranker.threshold < 1
    index = open_index(corpus_index, encoder)
    answer = search(index, encoder, "what did Ofsted recommend in 2011", settings=LEARNED)
    assert 0 < answer.confidence < 1 and answer.hits[0].score == answer.confidence
    assert any("Areas for improvement" in h.chunk.section for h in answer.hits)
    absent = search(index, encoder, "what is the policy on licensing street food markets",
                    settings=LEARNED)
    assert absent.confidence < answer.confidence


def test_the_ranker_lab_reads_the_features_the_reranker_computes():
    from eval.lab_models import BASE

    assert BASE == FEATURES
