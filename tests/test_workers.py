"""`rag ingest --workers N`: embedding on a local Ray cluster gives the same index.

Kept to one small run: starting Ray and a worker's model takes about ten seconds here.
"""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from rag.backend import open_index
from rag.cli import main


def test_ingest_on_ray_workers_matches_ingest_in_process(tiny_corpus, tmp_path, encoder):
    runs = {}
    for workers in ("0", "2"):
        index_dir = tmp_path / f"index-{workers}"
        result = CliRunner().invoke(main, ["ingest", str(tiny_corpus), "--index", str(index_dir),
                                           "--workers", workers])
        assert result.exit_code == 0, result.output
        assert "embedded" in result.output
        runs[workers] = open_index(index_dir, encoder)
    local, spread = runs["0"], runs["2"]
    assert local.size == spread.size > 0
    assert np.allclose(np.asarray(local.embeddings), np.asarray(spread.embeddings), atol=1e-5)
    texts = [c.text for c in spread.chunks(list(range(spread.size)))]
    assert texts == [c.text for c in local.chunks(list(range(local.size)))]
