"""The ask path: a question in, cited passages out, or "the papers don't say".

    ask -> retrieve (read the question, search, fuse) -> rerank -> cite

Near-identical passages collapse into one hit with "also in" places, and the answer's
confidence decides whether to abstain. Precedents run the same path for a matter.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import cite
from .index import Index
from .links import linked_items
from .rerank import Ranker, coverage, covered, rerank, term_weights
from .retrieve import Ranked, SearchSettings, closeness, rank, read
from .terms import CHATTER, content_terms, stemmer, subject_words, words
from .types import Answer, Chunk, Filters, Hit, Place, Query

JOIN_NEAR = 2  # chunks of one paragraph this close (in chunk order) are shown as one card
ABSTAIN_BELOW = 0.41  # midway between dev negatives and the least sure answer: eval/README.md
# Precedents below these are left out; measured on both councils' precedent questions
# (eval/precedents.py, eval/README.md). Text of up to QUESTION_LENGTH words reads as a question.
PRECEDENT_QUESTION, PRECEDENT_PASSAGE, QUESTION_LENGTH = 0.42, 0.35, 30


def open_session(index_dir: Path, key: str | None):
    """The index, the encoder it was built with, and whether `key` unlocks restricted papers."""
    from .access import unlocks
    from .backend import open_index
    from .embedding import load_encoder

    encoder = load_encoder()
    return open_index(index_dir, encoder), encoder, unlocks(key)


def search(index: Index, encoder, question: str, k: int = 5, filters: Filters | None = None,
           unlocked: bool = False, settings: SearchSettings = SearchSettings()) -> Answer:
    """Answer a question with cited passages, or abstain when nothing answers it."""
    query = read(index, question, unlocked)
    vector = encoder.embed([question])[0] if settings.dense else None
    ranked = rank(index, query, vector, index.filter(filters, unlocked), settings, unlocked)
    weights = term_weights(index, question, unlocked)
    ranker = chosen_ranker(settings)
    if settings.rerank:
        ranked = rerank(index, ranked, query, weights, settings, ranker, unlocked)
    ranked = in_period_first(index, ranked, query) if settings.boosts else ranked
    hits = collect_hits(index, ranked, k, settings.collapse)
    hits = [replace(h, highlights=marks, also_at=linked_items(index, h.doc, h.chunk, unlocked))
            for h, marks in zip(hits, highlight(index, [h.chunk for h in hits], weights))]
    if ranker is not None:  # the model's probability that the first passage answers
        confidence = hits[0].score if hits else 0.0
        abstain = confidence < ranker.threshold
    else:
        confidence = answer_confidence(index, hits, ranked, weights)
        abstain = confidence < ABSTAIN_BELOW
    return Answer(query=query, hits=tuple(hits), abstain=abstain, confidence=confidence,
                  unmentioned=unmentioned_words(index, question, unlocked))


def unmentioned_words(index: Index, question: str, unlocked: bool = False) -> tuple[str, ...]:
    """The question's subject words that no paper this session may see uses (as the index
    stems them: "fireworks" for a question on fireworks when no paper says "firework");
    two-letter fragments ("B&Bs" splits into "bs") and words of conversation left out."""
    idf = index.idf(unlocked)
    subject = [w for w in subject_words(question) if len(w) > 2 and w not in CHATTER]
    stems = stemmer().stemWords(subject)
    return tuple(dict.fromkeys(w for w, term in zip(subject, stems) if term not in idf))


def in_period_first(index: Index, ranked: Ranked, query: Query) -> Ranked:
    """When the question names a period of meetings and papers of that period were found,
    passages outside it come after them (a filter with a fallback, not only a boost). A
    period the matter is for ("vice chair for 2013") is only a boost: its papers may be older."""
    if not query.date_label or query.period_of_subject or not len(ranked.ids):
        return ranked
    inside = closeness(index.paper_codes.dates[index.chunk_doc[ranked.ids]], query) == 1.0
    if not inside.any() or inside.all():
        return ranked
    order = np.argsort(~inside, kind="stable")
    return Ranked(ranked.ids[order], ranked.scores[order], ranked.similarity, ranked.loaded)


def chosen_ranker(settings: SearchSettings) -> Ranker | None:
    """The learned ranker the settings ask for (None: hand weights, or no reranking)."""
    if not settings.rerank or settings.ranker != "learned":
        return None
    return load_ranker(settings.ranker_file)


@lru_cache(maxsize=8)
def load_ranker(path: str = "") -> Ranker:
    return Ranker.load(Path(path)) if path else Ranker.load()


def collect_hits(index: Index, ranked: Ranked, k: int, collapse: bool) -> list[Hit]:
    """The top k distinct passages; near-identical ones become "also in" places."""
    pool = (ranked.ids[: max(k * 4, 20)] if collapse else ranked.ids[:k]).tolist()
    unread = index.chunks([i for i in pool if i not in ranked.loaded])
    known = {**ranked.loaded, **{c.chunk_id: c for c in unread}}
    chunks = [known[i] for i in pool]
    hits: list[Hit] = []
    shingles = Shingles(index, chunks) if collapse else None
    kept: list[int | np.ndarray] = []  # per hit: its pool position, or a joined one's triples
    for at, (chunk, score) in enumerate(zip(chunks, ranked.scores)):
        doc = index.docs[chunk.doc_id]
        kin = next((i for i, h in enumerate(hits) if same_passage(h.chunk, chunk)), None) \
            if collapse and len(hits) < k else None
        if kin is not None:  # the rest of a paragraph or list already shown: one card
            hits[kin] = replace(hits[kin], chunk=joined(index, hits[kin].chunk, chunk))
            kept[kin] = shingle(index, hits[kin].chunk)
            continue
        twin = next((i for i, other in enumerate(kept) if shingles.near(at, other)), None) \
            if collapse else None
        if twin is None:
            if len(hits) < k:
                hits.append(Hit(chunk=chunk, doc=doc, score=float(score)))
                kept.append(at)
        elif hits[twin].doc.doc_id != doc.doc_id:
            hits[twin] = replace(hits[twin], also_in=hits[twin].also_in + (Place(doc, chunk),))
    return hits


def same_passage(a: Chunk, b: Chunk) -> bool:
    """One paragraph or list of one paper: near chunks with the same paragraph number, or
    the next chunk of the same section."""
    if a.doc_id != b.doc_id or abs(a.chunk_id - b.chunk_id) > JOIN_NEAR:
        return False
    if a.paragraph and b.paragraph:
        return bool(set(a.paragraph.split("–")) & set(b.paragraph.split("–")))
    return abs(a.chunk_id - b.chunk_id) == 1 and a.section == b.section and bool(a.section)


def joined(index: Index, first: Chunk, later: Chunk) -> Chunk:
    """`first` stretched over `later` (and anything between), read from the paper's text."""
    start, end = min(first.start, later.start), max(first.end, later.end)
    doc = index.docs[first.doc_id]
    text = index.document_text(first.doc_id)[start:end]
    ends = [p for c in sorted((first, later), key=lambda c: c.start) for p in
            c.paragraph.split("–") if p]
    label = ends[0] if len(set(ends)) == 1 else f"{ends[0]}–{ends[-1]}" if ends else ""
    return replace(first, text=text, start=start, end=end, page=doc.page_at(start),
                   paragraph=label)


def stored(index: Index, chunk: Chunk) -> bool:
    """Whether `chunk` is a stored passage as it was written (not one stretched by joined()),
    so its stored features (Index.passages) are its own."""
    return int(index.passages.lengths[chunk.chunk_id, 1]) == len(chunk.text)


SHINGLE_BASE = 1 << 21  # word ids + 1 below this make a triple's code exact in 63 bits
HASHED = 0x9E3779B97F4A7C15 & (2**63 - 1)  # the base for more words: codes wrap, as a hash


def shingle_base(index: Index) -> int:
    return SHINGLE_BASE if len(index.passages.word_vocab) < SHINGLE_BASE // 2 else HASHED


def shingle(index: Index, chunk: Chunk) -> np.ndarray:
    """The passage's word triples (a shorter passage: its one run of words) as sorted,
    distinct int64 codes, from its stored word ids (a joined passage's words are read)."""
    found = index.passages
    if stored(index, chunk):
        ids = found.words.row(chunk.chunk_id).astype(np.int64)
    else:
        known, extra = found.word_index, {}
        ids = np.array([known.get(w) if w in known else
                        extra.setdefault(w, len(known) + len(extra)) for w in words(chunk.text)],
                       dtype=np.int64)
    ids = np.r_[ids + 1, np.zeros(max(3 - len(ids), 0), np.int64)]  # 0: no word
    base = shingle_base(index)
    return np.unique((ids[:-2] * base + ids[1:-1]) * base + ids[2:])


class Shingles:
    """The word triples (shingle()) of a pool of stored passages, and how many of them each
    pair of passages shares, worked out for the whole pool at once."""

    def __init__(self, index: Index, chunks: list[Chunk]):
        ids = np.array([c.chunk_id for c in chunks], dtype=np.int64)
        words_, owner = index.passages.words.gather(ids)
        n, base = len(ids), shingle_base(index)
        short = np.flatnonzero(np.bincount(owner, minlength=n) < 3)  # one code each
        w, same = words_.astype(np.int64) + 1, owner[:-2] == owner[2:]
        codes = np.concatenate([((w[:-2] * base + w[1:-1]) * base + w[2:])[same],
                                *[shingle(index, chunks[i]) for i in short]])
        who = np.concatenate([owner[:-2][same], short])
        self.codes, column = np.unique(codes, return_inverse=True)
        self.held = np.zeros((n, len(self.codes)), dtype=np.float32)
        self.held[who, column] = 1.0  # a triple met twice in a passage counts once
        counts = self.held.sum(1).astype(np.float64)
        shared = (self.held @ self.held.T).astype(np.float64)  # exact: far below 2**24
        self.close = shared / np.minimum.outer(counts, counts) >= 0.7  # as near_duplicate()

    def near(self, at: int, other: int | np.ndarray) -> bool:
        """Whether passage `at` of the pool is a near duplicate of pool passage `other`, or
        of a joined passage with triples `other`."""
        if isinstance(other, np.ndarray):
            return near_duplicate(self.codes[self.held[at] > 0], other)
        return bool(self.close[at, other])


def near_duplicate(a: np.ndarray, b: np.ndarray) -> bool:
    """Same passage if most of the smaller one's word triples are in the other."""
    if not len(a) or not len(b):
        return False
    return len(np.intersect1d(a, b, assume_unique=True)) / min(len(a), len(b)) >= 0.7


def passage_coverage(index: Index, chunks: list[Chunk], weights: dict[str, float]) -> np.ndarray:
    """coverage() of each passage's terms: stored ones looked up, joined ones read."""
    found, w = index.passages, np.array(list(weights.values()), dtype=float)
    ids = np.array([c.chunk_id for c in chunks], dtype=np.int64)
    out = covered(found.terms.member(ids, found.term_ids(list(weights))), w)
    for i, chunk in enumerate(chunks):
        if not stored(index, chunk):
            out[i] = coverage(weights, set(content_terms(chunk.text)))
    return out


def highlight(index: Index, chunks: list[Chunk],
              weights: dict[str, float]) -> list[tuple[tuple[int, int], ...]]:
    """cite.highlight of each passage: stored ones from their stored sentences."""
    ids = np.array([c.chunk_id for c in chunks], dtype=np.int64)
    marks = cite.stored_highlights(index.passages, ids, weights)
    return [m if stored(index, c) else cite.highlight(c.text, weights)
            for c, m in zip(chunks, marks)]


def answer_confidence(index: Index, hits: list[Hit], ranked: Ranked,
                      weights: dict[str, float]) -> float:
    """How likely the best passages answer: dense similarity and rare-term coverage."""
    if not hits:
        return 0.0
    best = max(ranked.similarity.get(h.chunk.chunk_id, 0.0) for h in hits[:3])
    covers = float(passage_coverage(index, [h.chunk for h in hits[:3]], weights).max())
    return float(0.5 * best + 0.5 * covers)


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
                  replace(settings, candidates=max(settings.candidates, 200)), unlocked)
    best: dict[str, tuple[int, float]] = {}
    threshold = ranked.scores[0] * 0.5 if len(ranked.scores) else 0
    for chunk_id, score in zip(ranked.ids.tolist(), ranked.scores.tolist()):
        doc_id = index.doc_order[index.chunk_doc[chunk_id]]
        if score >= threshold and doc_id not in best:
            best[doc_id] = (chunk_id, score)
    chosen = sorted(best.values(), key=lambda pair: -pair[1])
    weights = term_weights(index, text, unlocked)
    cutoff = precedent_cutoff(text) if cutoff is None else cutoff
    chunks = index.chunks([c for c, _ in chosen])
    sure = relevance(index, chunks, ranked, weights) >= cutoff
    kept = [(chunk, score) for chunk, (_, score), ok in zip(chunks, chosen, sure) if ok][:limit]
    hits = [Hit(chunk=chunk, doc=index.docs[chunk.doc_id], score=score, highlights=marks)
            for (chunk, score), marks in zip(kept, highlight(index, [c for c, _ in kept],
                                                             weights))]
    return sorted(hits, key=lambda h: (h.doc.date is None, h.doc.date or 0, -h.score))


def precedent_cutoff(text: str) -> float:
    """The relevance a precedent needs: a question's terms are few, so a related passage
    covers many of them; a whole passage's are many, and a related one covers fewer."""
    return PRECEDENT_QUESTION if len(words(text)) <= QUESTION_LENGTH else PRECEDENT_PASSAGE


def relevance(index: Index, chunks: list[Chunk], ranked: Ranked,
              weights: dict[str, float]) -> np.ndarray:
    """How surely each passage is on the same matter: dense similarity and rare-term
    coverage, weighed as answer_confidence weighs them."""
    similarity = np.array([ranked.similarity.get(c.chunk_id, 0.0) for c in chunks], dtype=float)
    return 0.5 * similarity + 0.5 * passage_coverage(index, chunks, weights)
