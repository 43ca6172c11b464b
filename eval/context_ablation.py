"""Measure what the context headers contribute: build an index without them and compare.

    .venv/bin/python eval/context_ablation.py

Builds two temporary indexes of corpus/ (chunks with and without their paper's context
header in BM25 and the embeddings) and prints the `full` configuration's metrics for each.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from eval.compare import evaluate
from eval.metrics import load_questions
from rag import config
from rag.chunking import ChunkSettings
from rag.embedding import load_encoder
from rag.index import open_index
from rag.ingest import ingest


def main() -> None:
    encoder = load_encoder()
    questions = load_questions(config.EVAL_QUESTIONS)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for context in (False, True):
            index_dir = Path(tmp) / f"context-{context}"
            ingest([config.corpus_dir()], index_dir, encoder=encoder,
                   settings=ChunkSettings(context=context))
            outcome = evaluate(open_index(index_dir, encoder), encoder, questions, ["full"])
            summary = outcome["full"]["summary"]
            results["with context" if context else "without context"] = {
                **summary["overall"], "negatives_abstained": summary["negatives_abstained"],
                "false_abstentions": summary["false_abstentions"]}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
