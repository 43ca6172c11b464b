"""The stored passage features give exactly what reading each passage's text gives.

The reference below is the ask path as it was before the features were stored: every
candidate passage split into sentences, stemmed and searched with regexes per question.
On the bundled corpus, for every gold question and a few question forms more, the stored
path must give the same figures to the last bit.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from rag import ask
from rag.chunking import paper_context
from rag.cite import highlight
from rag.dates import latest_year
from rag.passage_features import ANSWERS
from rag.rerank import (
    ASKS,
    ASKS_FOR_ROLE,
    CONTEXT_SHARE,
    DATE_TERM,
    candidate_features,
    coverage,
    term_weights,
)
from rag.retrieve import SearchSettings, boosts, rank, read
from rag.terms import ROLES, content_terms, plain_words, sentences, words
from rag.types import Query

ROOT = Path(__file__).resolve().parents[1]
FORMS = ["What did the committee recommend in 2013?", "Who wrote the latest inspection report?",
         "When is the next meeting of the Cabinet?", "How many children were in care in 2014?",
         "What was decided about the budget at the last meeting?", "Who chairs the board?"]


def questions() -> list[str]:
    rows = [json.loads(line) for name in ("questions.jsonl", "hf-more.jsonl", "hf-negatives.jsonl")
            for line in (ROOT / "eval" / name).read_text().splitlines() if line.strip()]
    return [row["question"] for row in rows] + FORMS


# The reference: the per-passage functions of the ask path before passages/ was stored.
def date_closeness(when: date | None, query: Query) -> float:
    """1 inside the question's dates, fading over a year outside them."""
    if when is None:
        return 0.0
    lo, hi = query.date_from or date.min, query.date_to or date.max
    if lo <= when <= hi:
        return 1.0
    gap = (lo - when).days if when < lo else (when - hi).days
    return math.exp(-gap / 120)


def reference_rows(index, ranked, query, weights, chunks):
    top, idf = ranked.scores[0], index.idf(False)
    absent = coverage(weights, {t for t in weights if t not in idf})
    periods = [date_closeness(index.docs[c.doc_id].date, query) if query.date_label else 0.0
               for c in chunks]
    dated = 1.0 in periods and not query.period_of_subject  # a paper of the question's dates
    known = {t: w for t, w in weights.items() if t in idf and
             not (dated and DATE_TERM.match(t))} or weights  # subject_weights
    rows = []
    for chunk, score, in_period in zip(chunks, ranked.scores, periods):
        doc = index.docs[chunk.doc_id]
        found = reference_passage(known, query.text, chunk, paper_context(doc), query.aliases)
        latest = latest_year(chunk.text)
        earlier = float(bool(query.date_label) and query.date_from is not None and
                        0 < latest < query.date_from.year - 1)
        rows.append([score / top, ranked.similarity.get(chunk.chunk_id, 0.0),
                     found["coverage"], found["sentence"],
                     found["answer_type"], found["role"], float(found["role"] == 1.0),
                     in_period, earlier, min(len(chunk.text.split()) / 140, 2.0), absent])
    return np.array(rows, dtype=float)


def known_terms(text, aliases=()):
    """The text's terms, with both forms of an acronym the question uses when it holds one."""
    terms = set(content_terms(text))
    for short, long in aliases:
        forms = set(content_terms(short)), set(content_terms(long))
        for mine, other in (forms, forms[::-1]):
            if other and other <= terms:
                terms |= mine
    return terms


def best_sentence(weights, text, given=frozenset(), aliases=()):
    return max((coverage(weights, known_terms(text[a:b], aliases) | given)
                for a, b in sentences(text)), default=0.0)


def reference_passage(weights, question, chunk, context="", aliases=()):
    shared = set(content_terms(context))
    local = {t: w * (CONTEXT_SHARE if t in shared else 1.0) for t, w in weights.items()}
    role = 0.0
    for name, asks in ASKS_FOR_ROLE.items():
        if asks.search(question):
            plays = ROLES[name]
            role = max(role, 1.0 if plays.search(chunk.section) else
                       0.5 if plays.search(chunk.text) else 0.0)
    given = {t for t in weights if any(a.search(t) for a in ASKS_FOR_ROLE.values())} \
        if role == 1.0 else set()  # the words asking for the role its heading plays
    held = known_terms(chunk.text, aliases) | given
    total = sum(weights.values())  # a term the context holds counts less, out of its whole weight
    return {"coverage": sum(w for t, w in local.items() if t in held) / total if total else 0.0,
            "role": role,
            "sentence": best_sentence(weights, chunk.text, given, aliases),
            "answer_type": reference_answer_type(question, weights, chunk.text, given, aliases)}


def reference_answer_type(question, weights, text, given=frozenset(), aliases=()):
    for asks, pattern in ASKS:
        if asks.search(question):
            break
    else:
        return 0.0
    asked = set(plain_words(question))
    scored = [(coverage(weights, known_terms(text[s:e], aliases) | given), text[s:e])
              for s, e in sentences(text)]
    best = max((score for score, _ in scored), default=0.0)
    for score, sentence in scored:
        if score > 0 and score >= best * 0.5:
            found = (m.group() for m in pattern.finditer(sentence))
            if any(not set(plain_words(f)) <= asked for f in found):
                return 1.0
    return 0.0


def reference_boosts(index, ids, query, settings):
    newest = max((index.docs[index.doc_order[p]].date for p in set(index.chunk_doc[ids].tolist())
                  if index.docs[index.doc_order[p]].date), default=None)
    factors = np.ones(len(ids))
    for row, chunk_id in enumerate(ids):
        doc = index.docs[index.doc_order[index.chunk_doc[chunk_id]]]
        factor = 1.0
        if query.date_label:
            factor += settings.date_boost * date_closeness(doc.date, query)
        if query.doc_types and doc.doc_type in query.doc_types:
            factor += settings.type_boost
        if query.committee and doc.committee == query.committee:
            factor += settings.committee_boost
        if query.wants_latest and doc.date and newest:
            factor += settings.latest_boost * math.exp(-(newest - doc.date).days / 365)
        factors[row] = factor
    return factors


def reference_shingle(text):
    found = words(text)
    return {tuple(found[i: i + 3]) for i in range(max(len(found) - 2, 1))}


def reference_near_duplicate(a, b):
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.7


@pytest.fixture(scope="module")
def opened(corpus_index, encoder):
    index, _, _ = ask.open_session(corpus_index, None)
    return index, encoder


def test_every_passage_of_the_corpus_is_stored_as_its_text_reads(opened):
    index, _ = opened
    found = index.passages
    chunks = index.chunks(list(range(index.size)))
    vocab = found.vocab
    for chunk in chunks:
        rows = range(*found.sentence_indptr[chunk.chunk_id: chunk.chunk_id + 2].tolist())
        assert [tuple(s) for s in found.spans[rows].tolist()] == sentences(chunk.text)
        for row, (start, end) in zip(rows, sentences(chunk.text)):
            held = set(vocab[found.sentence_terms.row(row)].tolist())
            assert held == set(content_terms(chunk.text[start:end]))
            for kind, pattern in enumerate(ANSWERS):
                matches = range(*found.answers[kind][row: row + 2].tolist())
                words_of = found.answer_words[kind]
                assert [set(found.plain_vocab[words_of.row(m)].tolist()) for m in matches] == \
                    [set(plain_words(m.group())) for m in pattern.finditer(chunk.text[start:end])]
        assert set(vocab[found.terms.row(chunk.chunk_id)].tolist()) == \
            set(content_terms(chunk.text))
        assert len(ask.shingle(index, chunk)) == len(reference_shingle(chunk.text))


def test_stored_features_score_every_question_as_reading_the_text_does(opened):
    index, encoder = opened
    settings = SearchSettings()
    texts = questions()
    vectors = encoder.embed(texts)
    compared = 0
    for question, vector in zip(texts, vectors):
        query = read(index, question)
        ranked = rank(index, query, vector, index.filter(), settings)
        if not len(ranked.ids):
            continue
        ids = ranked.ids[:settings.rerank_depth]
        chunks = index.chunks(ids.tolist())
        weights = term_weights(index, question)
        stored = candidate_features(index, ranked, query, weights, ids)
        assert np.array_equal(stored, reference_rows(index, ranked, query, weights, chunks)), \
            question
        assert np.array_equal(boosts(index, ranked.ids, query, settings),
                              reference_boosts(index, ranked.ids, query, settings)), question
        assert ask.highlight(index, chunks, weights) == [highlight(c.text, weights)
                                                         for c in chunks], question
        assert ask.passage_coverage(index, chunks, weights).tolist() == \
            [coverage(weights, set(content_terms(c.text))) for c in chunks], question
        compared += 1
    assert compared >= len(texts) - 2


def test_near_duplicates_are_found_as_word_triple_sets_find_them(opened):
    index, _ = opened
    chunks = index.chunks(list(range(index.size)))
    joined = [ask.joined(index, a, b) for a, b in zip(chunks, chunks[2:]) if a.doc_id == b.doc_id]
    every = chunks[:200] + joined[:40]
    codes = [ask.shingle(index, c) for c in every]
    sets = [reference_shingle(c.text) for c in every]
    assert [len(c) for c in codes] == [len(s) for s in sets]
    for i in range(0, len(every), 3):
        for j in range(len(every)):
            assert ask.near_duplicate(codes[i], codes[j]) == \
                reference_near_duplicate(sets[i], sets[j]), (i, j)
    assert any(ask.near_duplicate(codes[i], codes[j]) for i in range(len(every))
               for j in range(i + 1, len(every)))
    pool = ask.Shingles(index, chunks[:200])  # the whole pool's triples at once
    for i in range(200):
        for j in range(len(every)):
            other = j if j < 200 else codes[j]
            assert pool.near(i, other) == reference_near_duplicate(sets[i], sets[j]), (i, j)


def test_an_index_of_the_older_format_is_asked_to_rebuild(tiny_index):
    import shutil

    from rag import layout
    from rag.errors import IndexMismatch
    from rag.index import open_index

    build = layout.current_build(tiny_index)
    shutil.rmtree(build / layout.PASSAGES)
    manifest = json.loads((build / "manifest.json").read_text())
    (build / "manifest.json").write_text(json.dumps({**manifest, "format_version": 3}))
    with pytest.raises(IndexMismatch, match="rag ingest --rebuild"):
        open_index(tiny_index)
