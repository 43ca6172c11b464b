"""Choose the FAISS index by size: exact search while it is fast, HNSW above that.

Thresholds and HNSW parameters come from `rag bench` (see eval/BENCHMARKS.md).
"""

from __future__ import annotations

import os

import numpy as np

EXACT_MAX = 50_000  # exact search alone: 100k vectors p95 14-31 ms, 1M 167 ms (2 shared cores)
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# efSearch by size, for recall vs exact >= 0.98 (synthetic corpora, top 10):
# 100k: 0.971 at 256, 0.983 at 512 (p95 7 ms); 1M: 0.964 at 2048, 0.982 at 4096 (p95 26 ms)
HNSW_EF_SEARCH = ((200_000, 512), (500_000, 2048), (None, 4096))
SEARCH_THREADS = 1  # one query at a time: more OpenMP threads only contend on 2 cores


def build_vector_index(embeddings: np.ndarray, exact_max: int = EXACT_MAX):
    import faiss

    dimension = embeddings.shape[1] if embeddings.ndim == 2 and embeddings.size else 384
    if len(embeddings) <= exact_max:
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    if len(embeddings):
        faiss.omp_set_num_threads(len(os.sched_getaffinity(0)) or 1)  # building is parallel
        index.add(np.ascontiguousarray(embeddings, dtype=np.float32))
    return index


def load_vector_index(path: str):
    """Memory-map the index where FAISS allows it, so opening is fast and cheap."""
    import faiss

    try:
        index = faiss.read_index(path, faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        index = faiss.read_index(path)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = ef_search(index.ntotal)
    faiss.omp_set_num_threads(SEARCH_THREADS)
    return index


def ef_search(size: int) -> int:
    return next(ef for limit, ef in HNSW_EF_SEARCH if limit is None or size <= limit)
