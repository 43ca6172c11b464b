"""The ask path: a question in, cited passages out, or "the papers don't say".

    ask -> retrieve (read the question, search, fuse) -> rerank -> cite

Near-identical passages collapse into one hit with "also in" places, and the answer's
confidence decides whether to abstain. Precedents run the same path for a matter.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .cite import highlight
from .index import Index
from .rerank import coverage, rerank, term_weights
from .retrieve import Ranked, SearchSettings, rank, read
from .terms import content_terms, words
from .types import Answer, Filters, Hit, Place

ABSTAIN_BELOW = 0.41  # midway between dev negatives and the least sure answer: eval/README.md
# Precedents below these are left out; measured on both councils' precedent questions
# (eval/precedents.py, eval/README.md). Text of up to QUESTION_WORDS words reads as a question.
PRECEDENT_QUESTION, PRECEDENT_PASSAGE, QUESTION_WORDS = 0.42, 0.35, 30


def open_session(index_dir: Path, key: str | None):
    """The index, the encoder it was built with, and whether `key` unlocks restricted papers."""
    from .access import unlocks
    from .embedding import load_encoder
    from .index import open_index

    encoder = load_encoder()
    return open_index(index_dir, encoder), encoder, unlocks(key)


def search(index: Index, encoder, question: str, k: int = 5, filters: Filters | None = None,
           unlocked: bool = False, settings: SearchSettings = SearchSettings()) -> Answer:
    """Answer a question with cited passages, or abstain when nothing answers it."""
    query = read(index, question, unlocked)
    vector = encoder.embed([question])[0] if settings.dense else None
    ranked = rank(index, query, vector, index.filter(filters, unlocked), settings)
    weights = term_weights(index, question)
    if settings.rerank:
        ranked = rerank(index, ranked, question, weights, settings)
    hits = collect_hits(index, ranked, k, settings.collapse)
    hits = [replace(h, highlights=highlight(h.chunk.text, weights)) for h in hits]
    confidence = answer_confidence(hits, ranked, weights)
    return Answer(query=query, hits=tuple(hits), abstain=confidence < ABSTAIN_BELOW,
                  confidence=confidence)


def collect_hits(index: Index, ranked: Ranked, k: int, collapse: bool) -> list[Hit]:
    """The top k distinct passages; near-identical ones become "also in" places."""
    pool = (ranked.ids[: max(k * 4, 20)] if collapse else ranked.ids[:k]).tolist()
    unread = index.chunks([i for i in pool if i not in ranked.loaded])
    known = {**ranked.loaded, **{c.chunk_id: c for c in unread}}
    chunks = [known[i] for i in pool]
    hits: list[Hit] = []
    shingles: list[set] = []
    for chunk, score in zip(chunks, ranked.scores):
        doc = index.docs[chunk.doc_id]
        mine = shingle(chunk.text)
        twin = next((i for i, other in enumerate(shingles) if near_duplicate(mine, other)), None) \
            if collapse else None
        if twin is None:
            if len(hits) < k:
                hits.append(Hit(chunk=chunk, doc=doc, score=float(score)))
                shingles.append(mine)
        elif hits[twin].doc.doc_id != doc.doc_id:
            hits[twin] = replace(hits[twin], also_in=hits[twin].also_in + (Place(doc, chunk),))
    return hits


def shingle(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i: i + 3]) for i in range(max(len(found) - 2, 1))}


def near_duplicate(a: set, b: set) -> bool:
    """Same passage if most of the smaller one's word triples are in the other."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= 0.7


def answer_confidence(hits: list[Hit], ranked: Ranked, weights: dict[str, float]) -> float:
    """How likely the best passages answer: dense similarity and rare-term coverage."""
    if not hits:
        return 0.0
    best = max(ranked.similarity.get(h.chunk.chunk_id, 0.0) for h in hits[:3])
    covered = max(coverage(weights, set(content_terms(h.chunk.text))) for h in hits[:3])
    return float(0.5 * best + 0.5 * covered)


def precedents(index: Index, encoder, text: str, limit: int = 10, unlocked: bool = False,
               filters: Filters | None = None, settings: SearchSettings = SearchSettings(),
               cutoff: float | None = None) -> list[Hit]:
    """Papers on the same matter: the best passage per paper, oldest first, each at least
    `cutoff` relevant (default: precedent_cutoff(text)), so unrelated papers stay out."""
    query = read(index, text, unlocked)
    query = replace(query, date_from=None, date_to=None, date_label="", wants_latest=False,
                    phrases=())  # a passage's quotes are not the user's exact phrases
    vector = encoder.embed([text])[0]
    ranked = rank(index, query, vector, index.filter(filters, unlocked),
                  replace(settings, candidates=max(settings.candidates, 200)))
    best: dict[str, tuple[int, float]] = {}
    threshold = ranked.scores[0] * 0.5 if len(ranked.scores) else 0
    for chunk_id, score in zip(ranked.ids.tolist(), ranked.scores.tolist()):
        doc_id = index.doc_order[index.chunk_doc[chunk_id]]
        if score >= threshold and doc_id not in best:
            best[doc_id] = (chunk_id, score)
    chosen = sorted(best.values(), key=lambda pair: -pair[1])
    weights = term_weights(index, text)
    cutoff = precedent_cutoff(text) if cutoff is None else cutoff
    hits = []
    for chunk, (_, score) in zip(index.chunks([c for c, _ in chosen]), chosen):
        if relevance(chunk, ranked, weights) >= cutoff and len(hits) < limit:
            hits.append(Hit(chunk=chunk, doc=index.docs[chunk.doc_id], score=score,
                            highlights=highlight(chunk.text, weights)))
    return sorted(hits, key=lambda h: (h.doc.date is None, h.doc.date or 0, -h.score))


def precedent_cutoff(text: str) -> float:
    """The relevance a precedent needs: a question's terms are few, so a related passage
    covers many of them; a whole passage's are many, and a related one covers fewer."""
    return PRECEDENT_QUESTION if len(words(text)) <= QUESTION_WORDS else PRECEDENT_PASSAGE


def relevance(chunk, ranked: Ranked, weights: dict[str, float]) -> float:
    """How surely a passage is on the same matter: dense similarity and rare-term coverage,
    weighed as answer_confidence weighs them."""
    similarity = ranked.similarity.get(chunk.chunk_id, 0.0)
    return 0.5 * similarity + 0.5 * coverage(weights, set(content_terms(chunk.text)))
