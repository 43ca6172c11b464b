"""A matter over time: every paper where it came up, oldest first, each with its decision.

Built on `precedents` (the best passage per paper, above the relevance cut-off); the
decision is the paper's passage that records one (RESOLVED, agreed, approved, decided)
and shares most of the matter's rare terms.
"""

from __future__ import annotations

from .ask import precedents
from .index import Index
from .rerank import coverage, term_weights
from .terms import ROLES, content_terms, sentences
from .types import Chunk, Hit, Step

DECIDES = ROLES["decisions"]


def timeline(index: Index, encoder, text: str, limit: int = 20,
             unlocked: bool = False) -> list[Step]:
    """The papers on the matter of `text`, oldest first, each with the decision it records."""
    weights = term_weights(index, text)
    return [Step(hit, decision(index, hit, weights))
            for hit in precedents(index, encoder, text, limit=limit, unlocked=unlocked)]


def decision(index: Index, hit: Hit, weights: dict[str, float]) -> Hit | None:
    """The paper's decision on the matter: the decision sentence sharing most of its terms."""
    best: tuple[float, Chunk, tuple[int, int]] | None = None
    for chunk in index.doc_chunks(hit.doc.doc_id):
        for start, end, score in decision_sentences(chunk.text, weights):
            if best is None or score > best[0]:
                best = (score, chunk, (start, end))
    if best is None:
        return None
    score, chunk, span = best
    return Hit(chunk=chunk, doc=hit.doc, score=score, highlights=(span,))


def decision_sentences(text: str, weights: dict[str, float]):
    """(start, end, coverage) of each sentence recording a decision on the matter; a bare
    "RESOLVED:" line runs on into the sentence after it."""
    spans = sentences(text)
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if not DECIDES.search(sentence):
            continue
        if len(sentence.split()) < 4 and i + 1 < len(spans):
            end = spans[i + 1][1]
        share = coverage(weights, set(content_terms(text[start:end])))
        if share > 0:
            yield start, end, share
