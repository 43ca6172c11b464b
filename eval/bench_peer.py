"""The peer for `rag bench`: LlamaIndex's default pipeline over the same corpus and model.

Run as a script (possibly in another virtual environment), it prints one JSON object:
    python eval/bench_peer.py CORPUS MODEL_FOLDER QUESTIONS_JSON
SimpleDirectoryReader, the default splitter, an in-memory VectorStoreIndex and
HuggingFaceEmbedding on the local model folder; no LLM, no network.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(corpus: str, model: str, questions_file: str) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    Settings.llm = None
    Settings.embed_model = HuggingFaceEmbedding(model_name=model, device="cpu")
    documents = SimpleDirectoryReader(corpus).load_data()
    index = VectorStoreIndex.from_documents(documents)
    ingest_s = time.perf_counter() - started
    chunks = len(index.docstore.docs)
    retriever = index.as_retriever(similarity_top_k=5)
    with open(questions_file) as handle:
        questions = json.load(handle)
    retriever.retrieve(questions[0])  # warm-up
    latencies = []
    for question in questions:
        began = time.perf_counter()
        retriever.retrieve(question)
        latencies.append((time.perf_counter() - began) * 1000)
    latencies.sort()
    from importlib.metadata import version

    return {"ingest_s": round(ingest_s, 2), "chunks": chunks,  # its chunks: not ours
            "query_p50_ms": round(percentile(latencies, 50), 1),
            "query_p95_ms": round(percentile(latencies, 95), 1),
            "version": version("llama-index-core")}


def percentile(sorted_values: list[float], q: float) -> float:
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
