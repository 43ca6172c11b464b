"""Plot a `rag bench --json` result: ask latency by index size, and ingest beside the peer.

    python eval/bench_plot.py eval/bench.json eval/bench_latency.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def plot(result: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = result["query"]
    chunks = [s["chunks"] for s in sizes]
    figure, (latency, ingest) = plt.subplots(1, 2, figsize=(11, 4.2),
                                             gridspec_kw={"width_ratios": [3, 2]})
    latency.plot(chunks, [s["query_p50_ms"] for s in sizes], "o-", label="ask path p50")
    latency.plot(chunks, [s["query_p95_ms"] for s in sizes], "s-", label="ask path p95")
    latency.plot(chunks, [s["vector_p95_ms"] for s in sizes], "^--",
                 label="vector search alone p95 (index used)")
    latency.plot(chunks, [s["exact_vector_p95_ms"] for s in sizes], "v:",
                 label="exact vector search alone p95")
    if all("bm25_p95_ms" in s for s in sizes):
        latency.plot(chunks, [s["bm25_p95_ms"] for s in sizes], "x--", label="BM25 alone p95")
    latency.scatter([100_000, 1_000_000], [15, 50], marker="_", s=400, color="red",
                    label="p95 targets (issue 13)", zorder=5)
    for s in sizes:
        latency.annotate(s["index"].replace("Index", ""), (s["chunks"], s["query_p95_ms"]),
                         textcoords="offset points", xytext=(4, 6), fontsize=8)
    latency.set(xscale="log", yscale="log", xlabel="chunks in the index", ylabel="ms per query",
                title="Ask latency by index size (synthetic corpora)")
    latency.legend(fontsize=8)
    latency.grid(True, which="both", alpha=0.3)
    ours = result.get("ingest_s")
    peer = result.get("peer_llamaindex_ingest_s")
    bars = [("rag ingest", ours), ("LlamaIndex default", peer)]
    bars = [(name, value) for name, value in bars if value is not None]
    colours = ["tab:blue", "tab:gray"][:len(bars)]
    ingest.bar([n for n, _ in bars], [v for _, v in bars], color=colours)
    for i, (_, value) in enumerate(bars):
        ingest.annotate(f"{value:.0f} s", (i, value), ha="center", va="bottom")
    ingest.set(ylabel="seconds for the whole corpus", title="Ingest of corpus/ from scratch")
    figure.tight_layout()
    figure.savefig(out, dpi=120)


if __name__ == "__main__":
    plot(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
