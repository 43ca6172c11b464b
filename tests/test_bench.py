"""`rag bench --json` runs end to end at a tiny size and names every figure (no timings
asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"backend", "raw_encode_chunks_per_s", "raw_encode_chunks_per_s_torch",
           "ingest_chunks_per_s", "ingest_peak_rss_mb", "reingest_unchanged_s",
           "first_answer_s", "corpus_query_p50_ms", "corpus_query_p95_ms", "query",
           "cpu_pressure_pct", "ingest_over_encode"}
PER_SIZE = {"chunks", "index", "query_p50_ms", "query_p95_ms", "recall_vs_exact",
            "peak_rss_mb", "index_mb", "bm25_p95_ms", "ask_p95_over_searches",
            "build_peak_rss_mb"}


def test_bench_json_at_a_tiny_size(tiny_corpus: Path):
    run = subprocess.run([sys.executable, "-m", "rag.cli", "bench", "--json", "--sizes", "300",
                          "--no-peer", "--corpus", str(tiny_corpus)],
                         check=False, cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert FIGURES <= set(result)
    assert [size["chunks"] for size in result["query"]] == [300]
    assert PER_SIZE <= set(result["query"][0])
    assert result["query"][0]["recall_vs_exact"] == 1.0  # 300 chunks: exact search
    assert not any(key.startswith("peer_llamaindex_") for key in result)
    assert "peer_wall_over_ours" not in result  # no peer, no ratio to it
