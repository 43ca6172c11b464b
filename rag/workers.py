"""Embedding spread over Ray workers: `rag ingest --workers N`.

Each worker is a Ray actor holding its own copy of the encoder; the texts go out in
batches and come back in order. ray.init() starts a local cluster of N workers, or joins
the cluster at $RAG_RAY_ADDRESS (every node then needs this package and the model).
"""

from __future__ import annotations

import logging

import numpy as np

from . import config
from .errors import RagError

log = logging.getLogger(__name__)
BATCH = 128


class EmbedWorker:
    """One worker's encoder (the same model and backend as the driver's)."""

    def __init__(self, path: str, backend: str):
        from pathlib import Path

        from .embedding import load_encoder

        self.encoder = load_encoder(Path(path), backend)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.encoder.embed(texts)


def start(workers: int):
    """Ray, started locally with `workers` CPUs or joined at $RAG_RAY_ADDRESS."""
    try:
        import ray
    except ImportError:
        raise RagError("--workers needs Ray: pip install -e '.[engine]'") from None

    if not ray.is_initialized():
        address = config.ray_address()
        ray.init(address=address or None, num_cpus=None if address else workers,
                 include_dashboard=False, log_to_driver=False, configure_logging=False)
    return ray


def embed_on_workers(texts: list[str], workers: int, progress) -> np.ndarray:
    """The texts' vectors, embedded in batches by `workers` Ray actors, in order."""
    ray = start(workers)
    from ray.util import ActorPool

    remote = ray.remote(num_cpus=1)(EmbedWorker)
    actors = [remote.remote(str(config.model_path()), config.ENCODER_BACKEND)
              for _ in range(workers)]
    batches = [texts[i: i + BATCH] for i in range(0, len(texts), BATCH)]
    vectors, done = [], 0
    progress("embed", 0, len(texts))
    for part in ActorPool(actors).map(lambda actor, batch: actor.embed.remote(batch), batches):
        vectors.append(part)
        done += len(part)
        progress("embed", done, len(texts))
    for actor in actors:
        ray.kill(actor)
    return np.concatenate(vectors) if vectors else np.zeros((0, 0), np.float32)
