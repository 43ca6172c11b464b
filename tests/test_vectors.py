"""The index chosen by size: exact below the threshold, HNSW above it with recall >= 0.98."""

from __future__ import annotations

import numpy as np

from rag.vectors import build_vector_index, load_vector_index


def clustered(n: int, seed: int = 3) -> np.ndarray:
    """Unit vectors around 50 centres, like embeddings of papers on a few matters."""
    centres = np.random.default_rng(3).standard_normal((50, 384))
    rng = np.random.default_rng(seed)
    points = centres[rng.integers(0, 50, n)] + 0.3 * rng.standard_normal((n, 384))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def test_small_sets_are_searched_exactly():
    vectors = clustered(500)
    index = build_vector_index(vectors, exact_max=1000)
    assert type(index).__name__ == "IndexFlatIP"
    scores, ids = index.search(vectors[:5], 1)
    assert ids[:, 0].tolist() == [0, 1, 2, 3, 4] and np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_hnsw_recall_against_exact_search(tmp_path):
    vectors = clustered(6000)
    queries = clustered(200, seed=4)
    exact = build_vector_index(vectors, exact_max=10**9)
    written = build_vector_index(vectors, exact_max=1000)
    assert hasattr(written, "hnsw")
    import faiss

    faiss.write_index(written, str(tmp_path / "vectors.faiss"))
    approx = load_vector_index(str(tmp_path / "vectors.faiss"))
    truth, found = exact.search(queries, 10)[1], approx.search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)])
    assert recall >= 0.98


def test_empty_index_loads(tmp_path):
    import faiss

    faiss.write_index(build_vector_index(np.zeros((0, 384), np.float32)),
                      str(tmp_path / "empty.faiss"))
    assert load_vector_index(str(tmp_path / "empty.faiss")).ntotal == 0

