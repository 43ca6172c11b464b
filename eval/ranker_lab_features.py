"""Candidate features for the ranker experiments (eval/ranker_lab.py): the reranker's
present FEATURES, computed by rag.rerank, beside candidate new ones computed here.

Per question it keeps the fused top 40 (the reranker's depth) with features and gold labels,
and what the full pipeline does after reranking (the period ordering and the card merging
of rag.ask), so a variant's order can be scored as `rag eval` would score it. Written to
eval/results/lab-rows.json (plain JSON), read by eval/ranker_lab.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.metrics import answers
from eval.sets import HF, QuestionSet, set_index
from rag.ask import near_duplicate, open_session, same_passage, shingle
from rag.chunking import context_header, paper_context
from rag.rerank import ASKS, ASKS_FOR_ROLE, candidate_features, coverage, hand_scores, term_weights
from rag.retrieve import SearchSettings, closeness, rank, read
from rag.terms import content_terms, index_terms, sentences, words

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "eval" / "results"
ROWS = OUT / "lab-rows.json"
NEW = ("sent_dense", "sent_dense_gap", "lexical", "alone_bm25", "doc_share", "doc_best",
       "fragment", "rare_absent", "window", "dense_rank", "lexical_rank", "asks_number",
       "asks_date", "asks_name", "asks_role", "query_terms")
WINDOW = 12  # words: the proximity window for the question's terms


def sentence_vectors(encoder, header: str, text: str) -> np.ndarray:
    """Contextual sentence vectors from the passage's own encoding pass (the one ingest
    runs on header + passage): each sentence's token vectors, mean-pooled and normalised."""
    full = f"{header}\n{text}"
    enc = encoder.tokenizer.encode(full)
    feed = {"input_ids": np.array([enc.ids]), "attention_mask": np.array([enc.attention_mask]),
            "token_type_ids": np.array([enc.type_ids])}
    hidden = encoder.session.run(None, {k: feed[k] for k in encoder.inputs})[0][0]
    starts = np.array([a for a, _ in enc.offsets])
    ends = np.array([b for _, b in enc.offsets])
    real = (ends > starts) & (np.array(enc.special_tokens_mask) == 0)
    shift = len(header) + 1
    out = []
    for a, b in sentences(text):
        inside = real & (starts >= a + shift) & (ends <= b + shift)
        if inside.any():
            v = hidden[inside].mean(axis=0)
            out.append(v / max(np.linalg.norm(v), 1e-12))
    return np.array(out, dtype=np.float32).reshape(-1, hidden.shape[1])


def bm25_alone(idf: dict[str, float], terms: list[str], text: str, avg: float) -> float:
    """BM25 (k1 1.5, b 0.75) of the passage's own text, without its context header."""
    found = index_terms(text)
    counts = {t: found.count(t) for t in set(terms)}
    norm = 1.5 * (0.25 + 0.75 * len(found) / max(avg, 1.0))
    return sum(idf.get(t, 0.0) * c * 2.5 / (c + norm) for t, c in counts.items() if c)


def best_window(weights: dict[str, float], text: str) -> float:
    """The share of the question's weight that the best WINDOW consecutive words hold."""
    stems = content_terms(text) or [""]
    return max(coverage(weights, set(stems[i: i + WINDOW]))
               for i in range(max(len(stems) - WINDOW + 1, 1)))


def asks(question: str) -> list[float]:
    kinds = [float(bool(a.search(question))) for a, _ in ASKS]
    return kinds + [float(any(r.search(question) for r in ASKS_FOR_ROLE.values()))]


def new_features(index, encoder, item, query, vector, ranked, chunks, weights, lexical,
                 avg, cache) -> np.ndarray:
    """The candidate new features, one row per candidate (in NEW's order)."""
    idf = index.idf()
    terms = index.query_terms(query.search_text)
    rarest = max(weights, key=weights.get) if weights else ""
    ids = ranked.ids[:len(chunks)]
    fused = ranked.scores[:len(chunks)]
    dense = np.array([ranked.similarity.get(int(i), 0.0) for i in ids])
    lex = lexical[ids] if lexical is not None else np.zeros(len(ids))
    rows = []
    for chunk, f in zip(chunks, fused):
        doc = index.docs[chunk.doc_id]
        if chunk.chunk_id not in cache:
            cache[chunk.chunk_id] = sentence_vectors(encoder, context_header(doc, chunk),
                                                     chunk.text)
        sv = cache[chunk.chunk_id]
        sd = float((sv @ vector).max()) if len(sv) else 0.0
        same = [g for c, g in zip(chunks, fused) if c.doc_id == chunk.doc_id]
        seen = set(content_terms(chunk.text + " " + paper_context(doc)))
        rows.append([sd, 0.0, 0.0, bm25_alone(idf, terms, chunk.text, avg), f / max(same),
                     float(f == max(same)), float(len(chunk.text.split()) < 25
                                                   or chunk.text.rstrip().endswith(":")),
                     float(bool(rarest) and rarest not in seen), best_window(weights, chunk.text),
                     0.0, 0.0, *asks(item["question"]),
                     min(len(weights) / 10, 1.0)])
    x = np.array(rows, dtype=float)
    x[:, 1] = x[:, 0] - x[:, 0].max()
    x[:, 2] = lex / (lex.max() or 1.0)
    x[:, 3] = x[:, 3] / (x[:, 3].max() or 1.0)
    x[:, 9] = 1 / (1 + np.argsort(np.argsort(-dense, kind="stable"), kind="stable"))
    x[:, 10] = 1 / (1 + np.argsort(np.argsort(-lex, kind="stable"), kind="stable"))
    return x


def pipeline_pool(index, ranked, query, depth: int) -> dict:
    """What rag.ask does after reranking, for any order of the top `depth`: whether the
    period ordering applies, each candidate's being inside the period, and the candidates
    beyond the depth that ordering can bring forward."""
    dates = index.paper_codes.dates[index.chunk_doc[ranked.ids]]
    inside = closeness(dates, query) == 1.0 if query.date_label else np.zeros(len(dates), bool)
    applies = bool(query.date_label and not query.period_of_subject and inside.any()
                   and not inside.all())
    extra = [i for i in range(depth, len(ranked.ids)) if applies and inside[i]][:depth]
    return {"applies": applies, "inside": inside[:depth].tolist(), "extra": extra,
            "extra_inside": [True] * len(extra)}


def question_rows(qset: QuestionSet, encoder) -> list[dict]:
    index, _, _ = open_session(set_index(qset, OUT, encoder), None)
    settings = SearchSettings()
    depth = settings.rerank_depth
    every = index.chunks(list(range(index.size)))
    avg = float(np.mean([len(index_terms(c.text)) for c in every]))
    cache: dict = {}
    out = []
    for item in qset.rows():
        query = read(index, item["question"])
        vector = encoder.embed([item["question"]])[0]
        ranked = rank(index, query, vector, index.filter(), settings)
        lexical = index.lexical_scores(query.search_text, index.filter())
        chunks = index.chunks(ranked.ids[:depth].tolist())
        weights = term_weights(index, item["question"])
        base = candidate_features(index, ranked, query, weights, ranked.ids[:depth])
        new = new_features(index, encoder, item, query, vector, ranked, chunks, weights,
                           lexical, avg, cache)
        pool = pipeline_pool(index, ranked, query, depth)
        pooled = chunks + index.chunks([int(ranked.ids[i]) for i in pool["extra"]])
        evidence = item.get("evidence", [])
        marks = [shingle(index, c) for c in pooled]
        out.append({
            "set": qset.name, "id": item["id"], "kind": item["kind"],
            "x": base.round(6).tolist(), "new": new.round(6).tolist(),
            "y": [float(answers(c.text, evidence)) for c in pooled],
            "hand": hand_scores(base, settings).tolist(), **pool,
            "same": [[int(same_passage(a, b)) for b in pooled] for a in pooled],
            "dup": [[int(near_duplicate(a, b)) for b in marks] for a in marks],
            "words": [len(words(c.text)) for c in pooled]})
        print(qset.name, item["id"], flush=True)
    return out


def build(other: Path = Path("/work/shared/corpus-other")) -> list[dict]:
    from rag.embedding import load_encoder

    encoder = load_encoder()
    sets = [QuestionSet("hf", tuple(ROOT / p for p in HF.split(",")),
                        ROOT / "corpus"),
            QuestionSet("other", (ROOT / "eval/other-councils.jsonl",), other)]
    rows = [r for s in sets for r in question_rows(s, encoder)]
    ROWS.write_text(json.dumps({"new": NEW, "rows": rows}))
    return rows


if __name__ == "__main__":
    build()
