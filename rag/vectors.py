"""The vector index: exact search while it is fast, HNSW above that; written in batches
from mapped vectors, so a million never sit in memory twice.

Thresholds and HNSW parameters come from `rag bench` (see eval/BENCHMARKS.md).
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

EXACT_MAX = 50_000  # exact search alone: 100k vectors p95 14-31 ms, 1M 167 ms (2 shared cores)
HNSW_M = 64
HNSW_EF_CONSTRUCTION = 80
# efSearch by the graph's M and its size, for recall vs exact >= 0.98 (synthetic, top 10).
# M=64: 100k 0.996 at 256 (p95 3.7 ms); 1M 0.973 at 512, 0.989 at 1024 (p95 15 ms).
# M=32 (indexes built before 3 December): 100k 0.981 at 512; 1M 0.980 at 4096 (42 ms).
HNSW_EF_SEARCH = {64: ((200_000, 256), (None, 1024)),
                  32: ((200_000, 512), (500_000, 2048), (None, 4096))}
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
        index.hnsw.efSearch = ef_search(index.ntotal, index.hnsw.nb_neighbors(1))
    faiss.omp_set_num_threads(SEARCH_THREADS)
    return index


def ef_search(size: int, m: int = HNSW_M) -> int:
    table = HNSW_EF_SEARCH.get(m, HNSW_EF_SEARCH[32])
    return next(ef for limit, ef in table if limit is None or size <= limit)


VECTOR_BATCH = 131_072  # rows read at a time from a memory-mapped embeddings file (200 MB)


def write_vectors(path: Path, embeddings: np.ndarray) -> None:
    """embeddings.npy (the file np.save writes), in batches when the vectors are mapped."""
    if not is_mapped(embeddings):
        np.save(path, embeddings)
        return
    with open(path, "wb") as out:
        header = np.lib.format.header_data_from_array_1_0(embeddings)
        np.lib.format.write_array_header_1_0(out, header)
        out.writelines(batch.tobytes() for batch in vector_batches(embeddings))


def is_mapped(embeddings: np.ndarray) -> bool:
    """Whether these are a whole .npy file opened with np.load(mmap_mode="r"): a caller
    with a million vectors passes them so, to keep 1.5 GB out of memory."""
    return isinstance(getattr(embeddings, "base", None), mmap.mmap) and \
        getattr(embeddings, "filename", None) is not None and embeddings.dtype == np.float32


def vector_batches(embeddings: np.ndarray) -> Iterator[np.ndarray]:
    """The rows, a batch at a time; a mapped file's are read with plain reads, so its pages
    never count in this process's memory."""
    rows, dimension = embeddings.shape
    for lo in range(0, rows, VECTOR_BATCH):
        n = min(VECTOR_BATCH, rows - lo)
        if is_mapped(embeddings):
            yield np.fromfile(embeddings.filename, np.float32, n * dimension,
                              offset=embeddings.offset + lo * dimension * 4).reshape(n, dimension)
        else:
            yield np.ascontiguousarray(embeddings[lo: lo + n], dtype=np.float32)


def write_faiss(path: Path, embeddings: np.ndarray) -> None:
    """The FAISS index; from mapped vectors it is filled in batches, into storage reserved
    up front (so FAISS holds the only copy, and never two while it grows)."""
    import faiss

    if not is_mapped(embeddings) or not len(embeddings):
        faiss.write_index(build_vector_index(embeddings), str(path))
        return
    # an empty index of the kind this many vectors get (exact_max -1: always HNSW)
    index = build_vector_index(embeddings[:0], EXACT_MAX if len(embeddings) <= EXACT_MAX else -1)
    storage = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    storage.codes.resize(len(embeddings) * storage.code_size)  # reserve: a vector's capacity
    storage.codes.resize(0)  # stays when it shrinks, so the adds below never reallocate
    faiss.omp_set_num_threads(len(os.sched_getaffinity(0)) or 1)
    for batch in vector_batches(embeddings):
        index.add(batch)
    faiss.write_index(index, str(path))
