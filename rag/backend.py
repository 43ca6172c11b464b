"""Where the index lives: the embedded files (the default) or a search engine (RAG_STORE).

Ingest writes through `open_store` and the ask path reads through `open_index`; both
answer the same calls whichever store holds the index (CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from . import config, index, layout
from .store import Store


def open_index(index_dir: Path, encoder=None) -> index.Index:
    """The live index, read side; refuses one made with another model than `encoder`'s."""
    one_blas_thread()
    if config.store_url():
        from .engine_index import open_engine_index

        return open_engine_index(config.store_url(), index_dir, encoder)
    return index.open_index(index_dir, encoder)


def one_blas_thread() -> None:
    """The ask path's matrix products are small; numpy's and FAISS's OpenBLAS would run them
    on every core, and between asks its idle threads spin, so one client kept both cores
    busy (twice the CPU per ask, eval/BENCHMARKS.md run J) and more clients could not gain."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def open_store(index_dir: Path, model: tuple[str, int], chunker: dict,
               rebuild: bool = False) -> Store:
    """The write side, holding what the index holds now (nothing when rebuilding)."""
    if config.store_url():
        from .engine_store import EngineStore

        return EngineStore.open(config.store_url(), index_dir, model, chunker, rebuild)
    return Store.open(index_dir, model, chunker, rebuild)


def current_version(index_dir: Path) -> Path:
    """What names the live index (the current build, or the engine's last publish), so a
    reader can tell when a newer one is out; IndexMissing when there is none yet."""
    if config.store_url():
        from .engine_index import engine_version

        return engine_version(config.store_url(), index_dir)
    return layout.current_build(index_dir)
