"""Text to normalised float32 vectors, with the model loaded once, lazily."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
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
            raise ModelMissing.at(path)
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


LOADING = threading.Lock()  # a second thread asking for the encoder waits for the first's


def load_encoder(path: Path | None = None, backend: str | None = None) -> Encoder:
    """The process-wide encoder for a model folder and backend."""
    with LOADING:
        return loaded_encoder(path or config.model_path(), backend or config.ENCODER_BACKEND)


def preload_encoder() -> None:
    """Start loading the encoder on a background thread, for a caller that will need it."""
    def load() -> None:
        try:
            load_encoder()
        except Exception as exc:  # noqa: BLE001 (the caller's own load_encoder() raises it)
            log.debug("preloading the encoder failed: %s", exc)

    # not a daemon: a process ending early (a busy index) waits for the load to finish, as
    # ending while ONNX Runtime builds its session aborts the process
    threading.Thread(target=load, name="preload-encoder").start()


@lru_cache(maxsize=2)
def loaded_encoder(path: Path, backend: str) -> Encoder:
    if backend == "onnx":
        from .onnx_encoder import OnnxEncoder

        return OnnxEncoder(path)
    return Encoder(path)


class Pipeline:
    """Embeds each file's passages on one background thread as soon as ingest has read
    them, so the model works while the next file is read; the model loads first, on the
    same thread. A text met again (in this run) reuses its vector."""

    def __init__(self, get_encoder: Callable[[], object], progress: Callable[[str, int, int],
                 None]):
        from concurrent.futures import ThreadPoolExecutor

        self.get_encoder, self.progress = get_encoder, progress
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        self.loading, self.jobs, self.vectors = None, [], {}
        self.done = self.total = self.texts = 0

    def load(self) -> None:
        """Start loading the model (once), before any passage needs it."""
        if self.loading is None:
            self.loading = self.pool.submit(self.get_encoder)

    def add(self, entry) -> None:
        """Embed the entry's texts in the background; finish() fills entry.vectors."""
        self.load()
        self.total += len(dict.fromkeys(entry.texts))
        self.texts += len(entry.texts)
        self.jobs.append((entry, self.pool.submit(self.embed, entry.texts)))

    def embed(self, texts: list[str]) -> np.ndarray:
        encoder = self.loading.result()
        new = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        for start in range(0, len(new), 128):
            batch = new[start: start + 128]
            self.vectors.update(zip(batch, encoder.embed(batch)))
            self.done += len(batch)  # reported from the caller's thread (the app's needs it)
        if not texts:
            return np.zeros((0, encoder.dimension), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])

    def finish(self) -> int:
        """Wait for every entry's vectors, reporting progress from this thread; the texts
        embedded."""
        from concurrent.futures import wait

        began = time.perf_counter()
        for entry, job in self.jobs:
            while not job.done():
                self.progress("embed", self.done, max(self.total, self.done))
                wait([job], timeout=0.25)
            entry.vectors = job.result()
        self.progress("embed", self.done, max(self.total, self.done))
        self.pool.shutdown()
        log.info("embedded %d passages (%d distinct), the last %.1f s after reading ended",
                 self.texts, self.done, time.perf_counter() - began)
        return self.texts
