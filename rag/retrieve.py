"""Lexical and dense search over the index, fused, with the question's reading as boosts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import config
from .index import Index
from .question import read_question
from .terms import index_terms
from .types import Chunk, Query

PHRASE_WORD = re.compile(r"\w+")
SAMPLED_PER_PICKED = 64  # top_indices samples 64 scores for each one it picks


@dataclass(frozen=True)
class SearchSettings:
    """How ranking is done; `rag eval` compares variants of these."""

    lexical: bool = True
    dense: bool = True
    boosts: bool = True
    collapse: bool = True
    rerank: bool = True
    fusion: str = "rrf"  # "rrf" (reciprocal rank fusion) or "linear" (normalised scores)
    dense_weight: float = 0.4
    rrf_k: int = 60
    date_boost: float = 0.35
    type_boost: float = 0.2
    committee_boost: float = 0.1
    latest_boost: float = 0.2
    candidates: int = config.CANDIDATES
    rerank_depth: int = 40  # passages the reranker re-scores
    coverage_weight: float = 0.25
    answer_type_weight: float = 0.2
    role_weight: float = 0.5
    earlier_penalty: float = 0.2  # a passage naming only years before the question's period
    ranker: str = "hand"  # "hand" weights, or "learned": the fitted model in rag/ranker.json
    ranker_file: str = ""  # another fitted model (eval/train_ranker.py); empty: the bundled one


@dataclass
class Ranked:
    """Candidate chunk ids with fused scores, best first, and their dense similarity."""

    ids: np.ndarray
    scores: np.ndarray
    similarity: dict[int, float] = field(default_factory=dict)
    loaded: dict[int, Chunk] = field(default_factory=dict)  # chunks already read, by id


def read(index: Index, text: str, unlocked: bool = False) -> Query:
    """Read the question against the dates, committees and acronyms of the visible papers."""
    context = index.reading_context(unlocked)
    return read_question(text, context.dates, context.committees, context.acronyms)


def rank(index: Index, query: Query, query_vector: np.ndarray | None, allowed: np.ndarray,
         settings: SearchSettings, unlocked: bool = False) -> Ranked:
    """Candidates from BM25 and from dense search among the `allowed` chunks, scored exactly
    by both, fused and boosted; BM25 as the session sees the papers (Index.lexicon)."""
    use_dense = settings.dense and query_vector is not None
    if query.phrases:
        allowed = holding_phrases(index, query.phrases, allowed)
    lexical = (index.lexical_scores(query.search_text, allowed, unlocked) if settings.lexical
               else None)
    pool = [top_indices(lexical, settings.candidates)] if lexical is not None else []
    if use_dense:
        pool.append(index.nearest(query_vector, allowed, settings.candidates))
    ids = np.unique(np.concatenate(pool)).astype(np.int64) if pool else np.zeros(0, np.int64)
    if not len(ids):
        return Ranked(np.zeros(0, np.int64), np.zeros(0))
    dense = index.similarity(ids, query_vector) if use_dense else None
    fused = fuse(lexical[ids] if lexical is not None else None, dense, settings)
    if settings.boosts:
        fused = fused * boosts(index, ids, query, settings)
    order = np.argsort(-fused, kind="stable")
    similarity = dict(zip(ids.tolist(), dense.tolist())) if dense is not None else {}
    return Ranked(ids[order], fused[order], similarity)


def holding_phrases(index: Index, phrases: tuple[str, ...], allowed: np.ndarray) -> np.ndarray:
    """The allowed chunks whose text holds every phrase, word for word (case and
    punctuation aside): BM25 narrows to chunks with all the phrase's terms, the text decides."""
    terms = {t for phrase in phrases for t in index_terms(phrase)}
    if not terms <= index.bm25.vocab_dict.keys():  # a word no paper has
        return np.zeros_like(allowed)
    mask = allowed.copy()
    for term in terms:
        mask &= index.bm25.get_scores([term]) > 0
    ids = np.flatnonzero(mask).tolist()
    wanted = [f" {phrase_words(p)} " for p in phrases]
    for start in range(0, len(ids), 5000):
        for chunk in index.chunks(ids[start: start + 5000]):
            text = f" {phrase_words(chunk.text)} "
            mask[chunk.chunk_id] = all(p in text for p in wanted)
    return mask


def phrase_words(text: str) -> str:
    return " ".join(PHRASE_WORD.findall(text.lower()))


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the n highest positive scores, in no particular order. In a large index
    the n-th best of every step-th score is a floor under the n-th best, so only the scores
    above it (thousands of a million) are partitioned."""
    if n < 1:
        return np.zeros(0, np.int64)
    step = len(scores) // (SAMPLED_PER_PICKED * n)
    floor = 0.0
    if step > 1:
        sample = scores[::step]
        floor = float(np.partition(sample, len(sample) - n)[len(sample) - n])
    kept = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores > 0)
    if len(kept) <= n:
        return kept
    return kept[np.argpartition(-scores[kept], n)[:n]]


def fuse(lexical: np.ndarray | None, dense: np.ndarray | None,
         settings: SearchSettings) -> np.ndarray:
    if lexical is None or not lexical.any():
        return dense if dense is not None else np.zeros(0 if lexical is None else len(lexical))
    if dense is None:
        return lexical
    w = settings.dense_weight
    if settings.fusion == "rrf":
        return (1 - w) * rrf(lexical, settings.rrf_k) + w * rrf(dense, settings.rrf_k)
    return (1 - w) * lexical / lexical.max() + w * np.clip(dense, 0, None) / (dense.max() or 1.0)


def rrf(scores: np.ndarray, k: int) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return np.where(scores > 0, 1.0 / (k + ranks), 0.0)


def boosts(index: Index, ids: np.ndarray, query: Query, settings: SearchSettings) -> np.ndarray:
    """Soft multipliers from the question's reading: date, document type, committee, recency,
    from each paper's codes (Index.paper_codes)."""
    papers, at = index.paper_codes, index.chunk_doc[ids]
    dates = papers.dates[at]
    factors = np.ones(len(ids))
    if query.date_label:
        factors += settings.date_boost * closeness(dates, query)
    if query.doc_types:
        wanted = [papers.type_names[t] for t in query.doc_types if t in papers.type_names]
        factors += np.where(np.isin(papers.doc_types[at], wanted), settings.type_boost, 0.0)
    if query.committee and query.committee in papers.committee_names:
        same = papers.committees[at] == papers.committee_names[query.committee]
        factors += np.where(same, settings.committee_boost, 0.0)
    dated = dates >= 0
    if query.wants_latest and dated.any():
        days = dates.max() - dates
        fading = exact_exp(-days.astype(float) / 365)
        factors += np.where(dated, settings.latest_boost * fading, 0.0)
    return factors


def closeness(dates: np.ndarray, query: Query) -> np.ndarray:
    """Per date ordinal (-1: none): 1 inside the question's dates, fading over a year
    outside them (math.exp of the gap over 120 days)."""
    lo = (query.date_from or date.min).toordinal()
    hi = (query.date_to or date.max).toordinal()
    gap = np.where(dates < lo, lo - dates, dates - hi)
    out = np.where(gap <= 0, 1.0, exact_exp(-np.maximum(gap, 0).astype(float) / 120))
    return np.where(dates >= 0, out, 0.0)


def exact_exp(values: np.ndarray) -> np.ndarray:
    """math.exp of each value (numpy's exp may differ from it in the last bit); few distinct
    values, as candidates share papers and dates."""
    distinct, back = np.unique(values, return_inverse=True)
    return np.array([math.exp(v) for v in distinct.tolist()])[back.reshape(values.shape)] \
        if len(values) else np.zeros(0)
