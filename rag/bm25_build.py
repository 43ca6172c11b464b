"""The BM25 part of a build, streamed: a million passages are never tokens in memory at once."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .types import Chunk, Document


def write_public_bm25(path: Path, docs: Sequence[Document], chunks: Iterable[Chunk],
                      texts: Iterable[str]) -> None:
    """BM25 over public passages only, for public sessions' statistics; written only when
    some paper is restricted and some public passage exists."""
    public = {d.doc_id for d in docs if d.access == "public"}
    if len(public) < len(docs) and any(c.doc_id in public for c in chunks):
        write_bm25(path, (t for t, c in zip(texts, chunks) if c.doc_id in public))


BM25_BATCH = 20_000  # passages tokenised at a time: a million never sit in memory as tokens


def write_bm25(path: Path, texts: Iterable[str], batch: int = BM25_BATCH) -> None:
    """The bm25s index of `texts`, streamed: tokenised in batches with bm25s's own Tokenizer
    (update_vocab per batch gives the ids one call would) and scored with bm25s's formulas
    into the same CSC arrays, so the files are what `bm25s.BM25().index()` writes
    (tests/test_store.py compares them) without a million token lists in memory."""
    import bm25s

    from .terms import bm25_tokenizer

    retriever, tokenizer = bm25s.BM25(), bm25_tokenizer()
    batches = [term_counts(tokenizer.tokenize(part, update_vocab=True, return_as="ids",
                                              show_progress=False))
               for part in batched(texts, batch)]
    if batches:
        retriever.vocab_dict = tokenizer.get_vocab_dict()
        retriever.scores = bm25_matrix(retriever, batches, len(retriever.vocab_dict))
        retriever.nonoccurrence_array = None  # only BM25L and BM25+ have one
    retriever.save(str(path), show_progress=False)


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class TermCounts:
    """One batch of passages as BM25 needs them: each passage's distinct terms and counts."""

    terms: np.ndarray  # term ids, passage by passage, ascending within a passage
    counts: np.ndarray  # how often each occurs in its passage
    distinct: np.ndarray  # distinct terms per passage
    lengths: np.ndarray  # terms per passage, repeats counted (bm25s's document length)


def term_counts(ids: list[list[int]]) -> TermCounts:
    lengths = np.fromiter(map(len, ids), np.int64, len(ids))
    flat = np.fromiter(itertools.chain.from_iterable(ids), np.int64, int(lengths.sum()))
    rows = np.repeat(np.arange(len(ids), dtype=np.int64), lengths)
    keys, counts = np.unique((rows << 32) | flat, return_counts=True)
    distinct = np.bincount(keys >> 32, minlength=len(ids)).astype(np.int32)
    return TermCounts((keys & 0xFFFFFFFF).astype(np.int32),
                      counts.astype(np.min_scalar_type(int(counts.max()))), distinct, lengths)


def bm25_matrix(retriever, batches: list[TermCounts], vocab: int) -> dict:
    """bm25s's score matrix (CSC: one column per term, passages ascending), filled batch by
    batch: each batch's scores go straight to their place, found from the terms' counts."""
    from bm25s.scoring import _select_idf_scorer, _select_tfc_scorer

    lengths = np.concatenate([b.lengths for b in batches])
    doc_freqs = sum(np.bincount(b.terms, minlength=vocab) for b in batches)
    idf_of = _select_idf_scorer(retriever.idf_method)
    idf = np.array([idf_of(int(df), N=len(lengths)) if df else 0.0 for df in doc_freqs],
                   dtype=retriever.dtype)
    tfc = _select_tfc_scorer(retriever.method)
    indptr = np.zeros(vocab + 1, dtype=np.int64)
    np.cumsum(doc_freqs, out=indptr[1:])
    heads = indptr[:-1].copy()  # where each term's next score goes
    data = np.empty(indptr[-1], dtype=retriever.dtype)
    indices = np.empty(indptr[-1], dtype=retriever.int_dtype)
    first, average = 0, lengths.mean()
    for batch in batches:
        rows = np.repeat(np.arange(first, first + len(batch.lengths)), batch.distinct)
        per_term = np.repeat(batch.lengths, batch.distinct)
        scores = idf[batch.terms] * tfc(tf_array=batch.counts.astype(retriever.dtype),
                                        l_d=per_term, l_avg=average, k1=retriever.k1,
                                        b=retriever.b, delta=retriever.delta)
        order = np.argsort(batch.terms, kind="stable")
        terms = batch.terms[order]
        counts = np.bincount(terms, minlength=vocab)
        place = heads[terms] + np.arange(len(terms)) - (np.cumsum(counts) - counts)[terms]
        data[place], indices[place] = scores[order], rows[order]
        heads += counts
        first += len(batch.lengths)
    return {"data": data, "indices": indices, "indptr": indptr, "num_docs": len(lengths)}
