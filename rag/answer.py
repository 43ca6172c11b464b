"""From ranked chunks to an answer: collapse repeats, highlight, cite, or abstain.

Citations and highlights are built only from the hits retrieved.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .index import Index
from .retrieval import Ranked, SearchSettings, allowed_docs, rank, read
from .store import stemmer
from .types import Answer, Chunk, Document, Filters, Hit, Place

ABSTAIN_BELOW = 0.45  # calibrated on the dev negatives: see eval/README.md
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
WORD = re.compile(r"[a-z0-9]+")
STOP = set("""a an the and or of to in on for at by with from about as is are was were be been
what which who whom whose when where why how did do does has have had this that these those
it its their there our we you they he she i me my any can could would should will shall not
no into than then so if but over under up out more most per""".split())


def search(index: Index, encoder, question: str, k: int = 5, filters: Filters | None = None,
           unlocked: bool = False, settings: SearchSettings = SearchSettings()) -> Answer:
    """Answer a question with cited passages, or abstain when nothing answers it."""
    query = read(index, question, unlocked)
    vector = encoder.embed([question])[0] if settings.dense else None
    ranked = rank(index, query, vector, allowed_docs(index, filters, unlocked), settings)
    hits = collect_hits(index, ranked, k, settings.collapse)
    hits = [replace(h, highlights=highlight(h.chunk.text, question)) for h in hits]
    confidence = answer_confidence(hits, ranked, question)
    return Answer(query=query, hits=tuple(hits), abstain=confidence < ABSTAIN_BELOW,
                  confidence=confidence)


def collect_hits(index: Index, ranked: Ranked, k: int, collapse: bool) -> list[Hit]:
    """The top k distinct passages; near-identical ones become "also in" places."""
    pool = ranked.ids[: max(k * 4, 20)] if collapse else ranked.ids[:k]
    chunks = index.chunks(pool.tolist())
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


def content_terms(text: str) -> list[str]:
    words = [w for w in WORD.findall(text.lower()) if w not in STOP]
    return stemmer().stemWords(words)


def highlight(text: str, question: str) -> tuple[tuple[int, int], ...]:
    """Offsets of the sentence(s) sharing the most question terms (numbers count double)."""
    wanted = set(content_terms(question))
    scored = []
    for match in SENTENCE.finditer(text):
        terms = set(content_terms(match.group()))
        score = sum(2.0 if t.isdigit() else 1.0 for t in wanted & terms)
        if match.group().strip():
            scored.append((score, match.start() + len(match.group()) - len(match.group().lstrip()),
                           match.end()))
    if not scored or max(s for s, _, _ in scored) == 0:
        return ()
    best = max(s for s, _, _ in scored)
    spans = [(start, end) for s, start, end in scored if s >= best * 0.75][:2]
    return tuple(spans)


def answer_confidence(hits: list[Hit], ranked: Ranked, question: str) -> float:
    """How likely the best passage answers: dense similarity and question-term coverage."""
    if not hits:
        return 0.0
    best = max(ranked.similarity.get(h.chunk.chunk_id, 0.0) for h in hits[:3])
    wanted = set(content_terms(question))
    covered = max(len(wanted & set(content_terms(h.chunk.text))) / (len(wanted) or 1)
                  for h in hits[:3])
    return float(0.5 * best + 0.5 * covered)


def precedents(index: Index, encoder, text: str, limit: int = 10, unlocked: bool = False,
               filters: Filters | None = None,
               settings: SearchSettings = SearchSettings()) -> list[Hit]:
    """Earlier papers on the same matter: the best passage per paper, oldest first."""
    query = read(index, text, unlocked)
    query = replace(query, date_from=None, date_to=None, date_label="", wants_latest=False)
    vector = encoder.embed([text])[0]
    ranked = rank(index, query, vector, allowed_docs(index, filters, unlocked),
                  replace(settings, candidates=max(settings.candidates, 200)))
    best: dict[str, tuple[int, float]] = {}
    threshold = ranked.scores[0] * 0.5 if len(ranked.scores) else 0
    for chunk_id, score in zip(ranked.ids.tolist(), ranked.scores.tolist()):
        doc_id = index.doc_order[index.chunk_doc[chunk_id]]
        if score >= threshold and doc_id not in best:
            best[doc_id] = (chunk_id, score)
    chosen = sorted(best.values(), key=lambda pair: -pair[1])[:limit]
    chunks = index.chunks([c for c, _ in chosen])
    hits = [Hit(chunk=c, doc=index.docs[c.doc_id], score=s, highlights=highlight(c.text, text))
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
    if chunk.page:
        parts.append(f"p. {chunk.page}")
    if chunk.paragraph:
        parts.append(f"para. {chunk.paragraph}")
    elif chunk.section:
        parts.append(f"section “{chunk.section[:60]}”")
    return ", ".join(parts) + f" [{doc.doc_type}; {doc.source}]"


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


