"""Council-scale indexes for `rag bench`: synthesised from the real papers, searched for real.

A corpus of N chunks (eval/synthetic.py) is written with the project's own store code and
queried through `rag.ask.search`, the whole ask path.

Each step runs in its own process so its peak memory can be read from the OS:
    python -m eval.scale build N FOLDER CORPUS QUESTIONS  (prints JSON)
    python -m eval.scale check FOLDER QUESTIONS     (vector search against exact; JSON)
    python -m eval.scale query FOLDER QUESTIONS     (prints JSON)
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from eval.synthetic import StandInEncoder, Texts, corpus_sentences, normalise, synthesise
from rag import config


def build(n: int, folder: Path, corpus: Path) -> dict:
    """Write the index of N synthetic chunks with the store's own code (its peak memory is
    this process's)."""
    from rag import store
    from rag.chunking import ChunkSettings

    started = time.perf_counter()
    encoder, work = StandInEncoder(), folder.with_name(f"{folder.name}.vectors")
    docs, chunks, vectors = synthesise(corpus_sentences(corpus), n, encoder, work)
    sources = [{"key": d.source, "name": d.source, "sha256": "", "pages": 0, "ingested_at": "",
                "info": json.dumps({"doc_ids": [d.doc_id], "access": "public"})} for d in docs]
    manifest = {"model": encoder.name, "dimension": encoder.dimension,
                "chunker": ChunkSettings().as_dict()}
    synthesised = time.perf_counter() - started
    published = store.write_build(folder, sources, docs, chunks, lambda: vectors,
                                  Texts(chunks.corpus),
                                  manifest)
    store.publish(folder, published)
    shutil.rmtree(work)
    return {"synthesise_s": round(synthesised, 1),
            "build_s": round(time.perf_counter() - started, 1)}


def check(folder: Path, questions: list[str]) -> dict:
    """The built index's vector search against exact search (its own process: the exact
    index is a second copy of every vector)."""
    build = (folder / "current").resolve()
    vectors = np.load(build / "embeddings.npy")
    return vector_checks(build, vectors, StandInEncoder().embed(questions))


def vector_checks(build: Path, vectors: np.ndarray, questions: np.ndarray) -> dict:
    """Top-10 overlap of the stored index with exact search, and both searches' latency."""
    import faiss

    from rag.vectors import load_vector_index

    index = load_vector_index(str(build / "vectors.faiss"))
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    rng = np.random.default_rng(11)
    near = vectors[rng.integers(0, len(vectors), 200)]
    queries = normalise(np.vstack([questions,
                                   near + 0.5 * normalise(rng.standard_normal(near.shape))]))
    found = index.search(queries, 10)[1]
    scores, truth = exact.search(queries, 10)
    same_ids = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
    found_scores = np.einsum("qkd,qd->qk", vectors[np.clip(found, 0, None)], queries)
    tied = np.mean((found >= 0) & (found_scores >= scores[:, -1:] - 1e-4))  # ann-benchmarks
    return {"index": type(index).__name__, "recall_vs_exact": round(float(tied), 4),
            "recall_vs_exact_ids": round(float(same_ids), 4),
            "vector_p95_ms": round(search_p95(index, queries[:60]), 2),
            "exact_vector_p95_ms": round(search_p95(exact, queries[:60]), 2)}


def search_p95(index, queries: np.ndarray) -> float:
    times = []
    for query in queries:
        began = time.perf_counter()
        index.search(query.reshape(1, -1), config.CANDIDATES)
        times.append((time.perf_counter() - began) * 1000)
    return float(np.percentile(times, 95))


def query(folder: Path, questions: list[str], rounds: int = 2) -> dict:
    """Open the index as the app does and time the whole ask path per question."""
    from rag.backend import open_index

    began = time.perf_counter()
    encoder = StandInEncoder()
    index = open_index(folder, encoder)
    opened = time.perf_counter() - began
    return {"open_s": round(opened, 2), **timed_asks(index, encoder, questions, rounds),
            "bm25_p95_ms": round(lexical_p95(index, questions), 2),
            "stage_ms": stage_costs(index, encoder, questions)}


def lexical_p95(index, questions: list[str]) -> float:
    """The engine's own BM25 search per question, as the ask path runs it: every allowed
    chunk scored, then the top CANDIDATES picked."""
    from rag.retrieve import top_indices

    allowed, times = index.filter(None, False), []
    for question in questions:
        began = time.perf_counter()
        scores = index.lexical_scores(question, allowed)
        if scores is not None:
            top_indices(scores, config.CANDIDATES)
        times.append((time.perf_counter() - began) * 1000)
    return float(np.percentile(times, 95))


def timed_asks(index, encoder, questions: list[str], rounds: int = 1) -> dict:
    """p50 and p95 of the whole ask path once every question has been asked once, as the
    searches' own p95 are timed (warm), and the p95 of that first, cold round beside them: a
    freshly built or opened large index is read from disk as the first questions touch it."""
    from rag.ask import search

    def timed(question: str) -> float:
        began = time.perf_counter()
        search(index, encoder, question)
        return (time.perf_counter() - began) * 1000

    cold = [timed(question) for question in questions]
    times = [timed(question) for _ in range(rounds) for question in questions]
    return {"queries": len(times), "cold_query_p95_ms": round(float(np.percentile(cold, 95)), 1),
            "query_p50_ms": round(float(np.percentile(times, 50)), 1),
            "query_p95_ms": round(float(np.percentile(times, 95)), 1)}


ASK_PATH = ("retrieve", "rerank", "ask", "cite", "index")  # the modules profiled
STAGES = ("read", "filter", "lexical_scores", "nearest", "similarity",
          "fuse", "boosts", "rerank", "collect_hits", "highlight", "answer_confidence")


def stage_costs(index, encoder, questions: list[str]) -> dict[str, float]:
    """Mean ms per question inside each stage of the ask path (one profiled extra round)."""
    import cProfile
    import pstats

    from rag.ask import search

    profiler = cProfile.Profile()
    profiler.enable()
    for question in questions:
        search(index, encoder, question)
    profiler.disable()
    costs = {}
    for (file, _, name), row in pstats.Stats(profiler).stats.items():
        if name in STAGES and any(part in file for part in ASK_PATH):
            costs[name] = round(costs.get(name, 0) + row[3] * 1000 / len(questions), 2)
    return costs


def main(argv: list[str]) -> dict:
    questions = json.loads(Path(argv[-1]).read_text())
    if argv[0] == "build":
        return build(int(argv[1]), Path(argv[2]), Path(argv[3]))
    if argv[0] == "check":
        return check(Path(argv[1]), questions)
    return query(Path(argv[1]), questions)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
