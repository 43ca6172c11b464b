"""Choose the FAISS index by size: exact search while it is fast, HNSW above that."""

from __future__ import annotations

import numpy as np

EXACT_MAX = 200_000  # exact search stays under 30 ms per query here up to about this size
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def build_vector_index(embeddings: np.ndarray):
    import faiss

    dimension = embeddings.shape[1] if embeddings.ndim == 2 and embeddings.size else 384
    if len(embeddings) <= EXACT_MAX:
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if len(embeddings):
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
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index
