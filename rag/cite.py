"""What a user is shown of a hit: its citation, its highlighted sentences, its JSON.

Citations and highlights are built only from the hits retrieved. The CLI, the export
and the app all cite through here.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from .passage_arrays import PassageFeatures
from .rerank import best_of, coverage, sentence_scores
from .terms import content_terms, sentences
from .types import DIRECT, RELATED, Answer, Chunk, Document, Hit
from .votes import read_vote, summary


def citation(doc: Document, chunk: Chunk) -> str:
    """A ready-to-paste citation: title, committee, date, item, page, paragraph, file."""
    parts = [doc.title]
    if doc.committee:
        parts.append(doc.committee)
    when = f"{doc.date.day} {doc.date:%B %Y}" if doc.date else ""
    if when and when not in doc.title:  # "Minutes of the meeting of 4 March 2013" says it
        parts.append(when)
    if doc.agenda_item:
        parts.append(f"agenda item {doc.agenda_item}")
    parts += place(chunk, ocr=chunk.page in doc.ocr_pages)
    return ", ".join(parts) + f" [{doc.doc_type}; {doc.source}]"


def place(chunk: Chunk, page: str = "p.", paragraph: str = "para.",
          ocr: bool = False) -> list[str]:
    """Where in the paper: the page for PDFs (saying when its text was read by OCR), then
    the paragraph, else the section."""
    parts = [f"{page} {chunk.page}" + (" (OCR)" if ocr else "")] if chunk.page else []
    if chunk.paragraph:
        parts.append(f"{paragraph} {chunk.paragraph}")
    elif chunk.section:
        parts.append(f"section “{chunk.section[:60]}”")
    return parts


def highlight(text: str, weights: dict[str, float]) -> tuple[tuple[int, int], ...]:
    """Offsets of the sentence(s) holding most of the question's (rarity-weighted) terms."""
    scored = []
    for start, end in sentences(text):
        scored.append((coverage(weights, set(content_terms(text[start:end]))), start, end))
    best = max((score for score, _, _ in scored), default=0.0)
    if best == 0:
        return ()
    return tuple((start, end) for score, start, end in scored if score >= best * 0.75)[:2]


def stored_highlights(found: PassageFeatures, ids: np.ndarray,
                      weights: dict[str, float]) -> list[tuple[tuple[int, int], ...]]:
    """highlight() of each stored passage `ids`, from its stored sentences and their terms."""
    w = np.array(list(weights.values()), dtype=float)
    rows, owner, scored = sentence_scores(found, ids, found.term_ids(list(weights)), w)
    best = best_of(scored, owner, len(ids))
    out = []
    for i in range(len(ids)):
        mine = owner == i
        keep = rows[mine][scored[mine] >= best[i] * 0.75][:2] if best[i] != 0 else rows[:0]
        out.append(tuple((int(a), int(b)) for a, b in found.spans[keep]))
    return out


def hit_json(hit: Hit, rank_number: int) -> dict:
    doc, chunk = hit.doc, hit.chunk
    return {
        "rank": rank_number, "score": round(hit.score, 4), "text": chunk.text,
        "doc_id": doc.doc_id, "title": doc.title, "committee": doc.committee,
        "date": doc.date.isoformat() if doc.date else None, "doc_type": doc.doc_type,
        "page": chunk.page, "ocr": chunk.page in doc.ocr_pages, "section": chunk.section,
        "paragraph": chunk.paragraph,
        "agenda_item": doc.agenda_item, "meeting": doc.meeting, "source": doc.source,
        "chunk_id": chunk.chunk_id,
        "start": chunk.start, "end": chunk.end,
        "citation": citation(doc, chunk),
        "vote": vote_json(chunk.text),
        "highlights": [{"start": s, "end": e, "text": chunk.text[s:e]} for s, e in hit.highlights],
        "also_in": [{"doc_id": p.doc.doc_id, "title": p.doc.title,
                     "date": p.doc.date.isoformat() if p.doc.date else None,
                     "citation": citation(p.doc, p.chunk)} for p in hit.also_in],
        "also_at": [{"doc_id": p.doc.doc_id, "committee": p.doc.committee,
                     "date": p.doc.date.isoformat() if p.doc.date else None,
                     "citation": citation(p.doc, p.chunk)} for p in hit.also_at],
    }


def verdict_text(answer: Answer) -> tuple[str, str]:
    """The answer's verdict as the reader sees it (CLI, app and export): a title and a
    sentence."""
    if answer.verdict == DIRECT:
        return "Direct answer", "The first passage answers the question."
    if answer.verdict == RELATED:
        return "Related passages only", "No passage in the papers answers this directly."
    never = ", ".join(f"“{w}”" for w in answer.unmentioned)
    return "The papers don't say", "No passage answers this" + (
        f", and none of the papers mentions {never}." if never else ".")


def answer_json(answer: Answer) -> dict:
    return {"question": answer.query.text, "reading": answer.query.reading(),
            "abstain": answer.abstain, "confidence": round(answer.confidence, 4),
            "verdict": answer.verdict, "unmentioned": list(answer.unmentioned),
            "passages": [hit_json(h, i) for i, h in enumerate(answer.hits, start=1)]}


def vote_json(text: str) -> dict | None:
    """The motion and vote the passage records: mover, seconder, result, roll call."""
    vote = read_vote(text)
    return None if vote is None else {**asdict(vote), "summary": summary(vote)}
