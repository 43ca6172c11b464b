"""Ask latency on the Milvus store beside the embedded one, on eval/synthetic.py's synthetic
indexes (the same passages and stand-in vectors in both):

    RAG_STORE=milvus:///tmp/x.db python -m eval.engine_scale N FOLDER CORPUS QUESTIONS [HOW_MANY]

prints JSON: the embedded build and query, then the engine's (written through
rag.engine_store one synthetic paper at a time, as ingest would upsert them).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from eval import scale, synthetic
from rag import config


def build_engine(n: int, folder: Path, corpus: Path) -> dict:
    from rag.chunking import ChunkSettings, contextual_text
    from rag.engine_store import EngineStore
    from rag.store import Entry

    started = time.perf_counter()
    encoder = synthetic.StandInEncoder()
    docs, chunks, vectors = synthetic.synthesise(synthetic.corpus_sentences(corpus), n, encoder)
    stored = EngineStore.open(config.store_url(), folder, (encoder.name, encoder.dimension),
                              ChunkSettings().as_dict(), rebuild=True)
    start = 0
    for doc in docs:
        near = chunks[start: start + synthetic.CHUNKS_PER_DOC]
        mine = [c for c in near if c.doc_id == doc.doc_id]
        source = {"key": doc.source, "name": doc.source, "sha256": "", "pages": 0,
                  "ingested_at": "", "notes": "", "access": "public", "overrides": {}}
        stored.add(doc.source, Entry(source, [doc], mine, [contextual_text(doc, c) for c in mine],
                                     vectors[start: start + len(mine)]))
        start += len(mine)
    stored.publish()
    return {"build_s": round(time.perf_counter() - started, 1)}


def timed(folder: Path, questions: list[str]) -> dict:
    """eval/scale.py's query timing, one round and no profiled round (the engine is slow
    to profile: milvus-lite serves from threads of this process)."""
    from rag.backend import open_index

    began = time.perf_counter()
    encoder = synthetic.StandInEncoder()
    index = open_index(folder, encoder)
    opened = time.perf_counter() - began
    return {"open_s": round(opened, 2), **scale.timed_asks(index, encoder, questions)}


def main(argv: list[str]) -> dict:
    n, folder, corpus, questions_file = int(argv[0]), Path(argv[1]), Path(argv[2]), argv[3]
    questions = json.loads(Path(questions_file).read_text())[: int(argv[4]) if argv[4:] else None]
    url = os.environ.pop("RAG_STORE")
    embedded = {**scale.build(n, folder / "embedded", corpus),
                **timed(folder / "embedded", questions)}
    os.environ["RAG_STORE"] = url
    engine = {**build_engine(n, folder / "engine", corpus),
              **timed(folder / "engine", questions)}
    keep = ("build_s", "open_s", "queries", "query_p50_ms", "query_p95_ms")
    return {"chunks": n, "embedded": {k: embedded[k] for k in keep},
            "engine": {k: engine[k] for k in keep}}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
