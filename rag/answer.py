"""From ranked chunks to an answer: collapse repeats, highlight, cite, or abstain.

Citations and highlights are built only from the hits retrieved.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .chunking import paper_context
from .index import Index
from .rerank import SENTENCE, WORD, content_terms, coverage, passage_features, term_weights
from .retrieval import Ranked, SearchSettings, rank, read
from .types import Answer, Chunk, Document, Filters, Hit, Place

ABSTAIN_BELOW = 0.41  # midway between dev negatives and the least sure answer: eval/README.md


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


def rerank(index: Index, ranked: Ranked, question: str, weights: dict[str, float],
           settings: SearchSettings) -> Ranked:
    """Re-score the top passages by term coverage, answer type and the role they play."""
    depth = settings.rerank_depth
    ids, scores = ranked.ids[:depth], ranked.scores[:depth]
    if not len(ids):
        return ranked
    chunks = index.chunks(ids.tolist())
    rescored = []
    for chunk, score in zip(chunks, scores):
        context = paper_context(index.docs[chunk.doc_id])
        features = passage_features(weights, question, chunk, context)
        rescored.append(score / scores[0] * (1 + settings.coverage_weight * features["coverage"]
                                             + settings.answer_type_weight * features["answer_type"]
                                             + settings.role_weight * features["role"]))
    order = np.argsort(-np.array(rescored), kind="stable")
    rest = ranked.scores[depth:] / scores[0]  # below every re-scored one: boosts only raise
    return Ranked(np.concatenate([ids[order], ranked.ids[depth:]]),
                  np.concatenate([np.array(rescored)[order], rest]), ranked.similarity,
                  {c.chunk_id: c for c in chunks})


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
    words = WORD.findall(text.lower())
    return {tuple(words[i: i + 3]) for i in range(max(len(words) - 2, 1))}


def near_duplicate(a: set, b: set) -> bool:
    """Same passage if most of the smaller one's word triples are in the other."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= 0.7


def highlight(text: str, weights: dict[str, float]) -> tuple[tuple[int, int], ...]:
    """Offsets of the sentence(s) holding most of the question's (rarity-weighted) terms."""
    scored = []
    for match in SENTENCE.finditer(text):
        sentence = match.group()
        if sentence.strip():
            start = match.start() + len(sentence) - len(sentence.lstrip())
            scored.append((coverage(weights, set(content_terms(sentence))), start, match.end()))
    best = max((score for score, _, _ in scored), default=0.0)
    if best == 0:
        return ()
    return tuple((start, end) for score, start, end in scored if score >= best * 0.75)[:2]


def answer_confidence(hits: list[Hit], ranked: Ranked, weights: dict[str, float]) -> float:
    """How likely the best passages answer: dense similarity and rare-term coverage."""
    if not hits:
        return 0.0
    best = max(ranked.similarity.get(h.chunk.chunk_id, 0.0) for h in hits[:3])
    covered = max(coverage(weights, set(content_terms(h.chunk.text))) for h in hits[:3])
    return float(0.5 * best + 0.5 * covered)


def precedents(index: Index, encoder, text: str, limit: int = 10, unlocked: bool = False,
               filters: Filters | None = None,
               settings: SearchSettings = SearchSettings()) -> list[Hit]:
    """Earlier papers on the same matter: the best passage per paper, oldest first."""
    query = read(index, text, unlocked)
    query = replace(query, date_from=None, date_to=None, date_label="", wants_latest=False)
    vector = encoder.embed([text])[0]
    ranked = rank(index, query, vector, index.filter(filters, unlocked),
                  replace(settings, candidates=max(settings.candidates, 200)))
    best: dict[str, tuple[int, float]] = {}
    threshold = ranked.scores[0] * 0.5 if len(ranked.scores) else 0
    for chunk_id, score in zip(ranked.ids.tolist(), ranked.scores.tolist()):
        doc_id = index.doc_order[index.chunk_doc[chunk_id]]
        if score >= threshold and doc_id not in best:
            best[doc_id] = (chunk_id, score)
    chosen = sorted(best.values(), key=lambda pair: -pair[1])[:limit]
    chunks = index.chunks([c for c, _ in chosen])
    weights = term_weights(index, text)
    hits = [Hit(chunk=c, doc=index.docs[c.doc_id], score=s, highlights=highlight(c.text, weights))
            for c, (_, s) in zip(chunks, chosen)]
    return sorted(hits, key=lambda h: (h.doc.date is None, h.doc.date or 0, -h.score))


def citation(doc: Document, chunk: Chunk) -> str:
    """A ready-to-paste citation: title, committee, date, item, page, paragraph, file."""
    parts = [doc.title]
    if doc.committee:
        parts.append(doc.committee)
    if doc.date:
        parts.append(f"{doc.date.day} {doc.date:%B %Y}")
    if doc.agenda_item:
        parts.append(f"agenda item {doc.agenda_item}")
    parts += place(chunk)
    return ", ".join(parts) + f" [{doc.doc_type}; {doc.source}]"


def place(chunk: Chunk, page: str = "p.", paragraph: str = "para.") -> list[str]:
    """Where in the paper: the page for PDFs, then the paragraph, else the section."""
    parts = [f"{page} {chunk.page}"] if chunk.page else []
    if chunk.paragraph:
        parts.append(f"{paragraph} {chunk.paragraph}")
    elif chunk.section:
        parts.append(f"section “{chunk.section[:60]}”")
    return parts


def hit_json(hit: Hit, rank_number: int) -> dict:
    doc, chunk = hit.doc, hit.chunk
    return {
        "rank": rank_number, "score": round(hit.score, 4), "text": chunk.text,
        "doc_id": doc.doc_id, "title": doc.title, "committee": doc.committee,
        "date": doc.date.isoformat() if doc.date else None, "doc_type": doc.doc_type,
        "page": chunk.page, "section": chunk.section, "paragraph": chunk.paragraph,
        "agenda_item": doc.agenda_item, "source": doc.source, "chunk_id": chunk.chunk_id,
        "start": chunk.start, "end": chunk.end,
        "citation": citation(doc, chunk),
        "highlights": [{"start": s, "end": e, "text": chunk.text[s:e]} for s, e in hit.highlights],
        "also_in": [{"doc_id": p.doc.doc_id, "title": p.doc.title,
                     "date": p.doc.date.isoformat() if p.doc.date else None,
                     "citation": citation(p.doc, p.chunk)} for p in hit.also_in],
    }


def answer_json(answer: Answer) -> dict:
    return {"question": answer.query.text, "reading": answer.query.reading(),
            "abstain": answer.abstain, "confidence": round(answer.confidence, 4),
            "passages": [hit_json(h, i) for i, h in enumerate(answer.hits, start=1)]}


