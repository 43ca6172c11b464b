"""The write side of the index: add and delete source files, then publish a new build.

Crash safety: a build is written as builds/<id>.partial, renamed when complete, and
published by renaming a fresh symlink over `current`, so a killed ingest leaves the
previous index as it was; the next ingest sweeps up what a killed one left behind.
The build that was current before the swap is kept until the next publish, so a
reader that opened it keeps working while a new build goes live.
The format itself (schema, rows, manifest) is rag/layout.py; BM25 and the vectors are
written, streamed, by rag/bm25_build.py and rag/vectors.py.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import config, layout, passage_features
from .bm25_build import write_bm25, write_public_bm25
from .errors import IndexMissing, IndexWriteFailed, damaged
from .types import Chunk, Document
from .vectors import write_faiss, write_vectors

log = logging.getLogger(__name__)


@dataclass
class Entry:
    """One source file's contribution to the index: its papers, passages, the text each
    passage is indexed by (context header and passage), and their vectors once embedded."""

    source: dict
    docs: list[Document]
    chunks: list[Chunk]
    texts: list[str]
    vectors: np.ndarray | None = None


class Store:
    """The write side of the index, one source file at a time: add, delete, then publish.

    Ingest changes the index only through these calls (and retrieval reads it only through
    rag.index.Index). This store writes FAISS, BM25 and SQLite afresh as a new build and
    swaps it in on publish; a server search engine taking over would apply each add and
    delete as it came (eval/BENCHMARKS.md).
    """

    def __init__(self, index_dir: Path, model: tuple[str, int], chunker: dict,
                 entries: dict[str, Entry] | None = None):
        self.index_dir, self.model, self.chunker = index_dir, model, chunker
        self.entries = entries or {}  # what the index holds, by source file

    @classmethod
    def open(cls, index_dir: Path, model: tuple[str, int], chunker: dict,
             rebuild: bool = False) -> Store:
        """The current build's contents, ready to change (none when rebuilding)."""
        return cls(index_dir, model, chunker,
                   {} if rebuild else read_entries(index_dir, model, chunker))

    @property
    def size(self) -> int:
        return sum(len(e.chunks) for e in self.entries.values())

    def add(self, key: str, entry: Entry) -> None:
        """Add a source file's papers and passages, replacing what it held before."""
        self.entries[key] = entry

    def delete(self, key: str) -> None:
        del self.entries[key]

    def publish(self, embedded: Callable[[], object] = lambda: None) -> None:
        """Write every entry as a new build and swap it in. `embedded` is called once the
        parts that need no vectors are written, so they are written while the last passages
        embed; every entry has its vectors after it."""
        docs, chunks, sources, texts = [], [], [], []
        for key, entry in self.entries.items():
            if len(entry.texts) != len(entry.chunks):
                raise ValueError(f"{key}: entry has no indexed texts (ingest.fill_texts)")
            docs += entry.docs
            chunks += [replace(c, chunk_id=len(chunks) + i) for i, c in enumerate(entry.chunks)]
            texts += entry.texts
            info = {k: entry.source[k] for k in ("notes", "access", "overrides")}
            info["doc_ids"] = [d.doc_id for d in entry.docs]
            sources.append({**entry.source, "info": json.dumps(info)})
        name, dimension = self.model
        manifest = {"model": name, "dimension": dimension, "chunker": self.chunker}

        def vectors() -> np.ndarray:
            embedded()
            matrices = [entry.vectors for entry in self.entries.values()]
            return np.concatenate(matrices) if matrices else np.zeros((0, dimension), np.float32)

        publish(self.index_dir, write_build(self.index_dir, sources, docs, chunks, vectors,
                                            texts, manifest))


def read_entries(index_dir: Path, model: tuple[str, int], chunker: dict) -> dict[str, Entry]:
    """What the current build holds, per source file, ready to be reused; nothing when it
    was made with another format or chunker (every paper is read again). Their indexed
    texts are left empty for ingest to fill."""
    try:
        build = layout.current_build(index_dir)
    except IndexMissing:
        return {}
    manifest = layout.read_manifest(build)
    if manifest.get("format_version") != config.FORMAT_VERSION or \
            manifest.get("chunker") != chunker:
        log.info("index format or chunker settings changed: reading every paper again")
        return {}
    layout.check_manifest(manifest, *model)
    try:
        return read_sources(build)
    except sqlite3.DatabaseError as exc:
        raise damaged(build / "meta.sqlite", exc) from None
    except (OSError, ValueError) as exc:
        raise damaged(build / "embeddings.npy", exc) from None


def read_sources(build: Path) -> dict[str, Entry]:
    db = layout.connect(build)
    vectors = np.load(build / "embeddings.npy", mmap_mode="r")
    entries = {}
    for row in db.execute("SELECT * FROM sources").fetchall():
        info = json.loads(row["info"])
        docs, chunks = [], []
        for doc_id in info["doc_ids"]:
            docs.append(layout.row_document(db.execute(
                "SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()))
            chunks += [layout.row_chunk(r) for r in db.execute(
                "SELECT * FROM chunks WHERE doc_id = ? ORDER BY chunk_id", (doc_id,))]
        entries[row["key"]] = Entry({**dict(row), **info}, docs, chunks, [],
                                    np.array(vectors[[c.chunk_id for c in chunks]]))
    db.close()
    return entries


def write_build(index_dir: Path, sources: list[dict], docs: list[Document], chunks: list[Chunk],
                embeddings: Callable[[], np.ndarray], bm25_texts: list[str],
                manifest: dict) -> Path:
    """Write a complete new build beside the current one; publish() swaps it in. The
    vectors are asked for last, after the rows, passage features and BM25 are written."""
    now = time.time_ns()  # names sort in the order builds were made (layout.unpublished)
    name = (f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now // 10**9))}."
            f"{now % 10**9:09d}-{os.getpid()}-{secrets.token_hex(3)}")
    build = index_dir / "builds" / f"{name}.partial"
    try:
        return write_parts(build, sources, docs, chunks, embeddings, bm25_texts, manifest)
    except NotEmbedded as failed:  # the encoder's own error, as it was
        shutil.rmtree(build, ignore_errors=True)
        raise failed.__cause__ from None
    except (OSError, RuntimeError, sqlite3.Error) as exc:  # a full disk, mostly
        shutil.rmtree(build, ignore_errors=True)
        raise IndexWriteFailed(
            f"could not write the new index in {index_dir} ({str(exc)[:120]}): free disk space "
            "and run `rag ingest` again; the previous index is unchanged") from None


def write_parts(build: Path, sources: list[dict], docs: list[Document], chunks: list[Chunk],
                embeddings: Callable[[], np.ndarray], bm25_texts: list[str],
                manifest: dict) -> Path:
    build.mkdir(parents=True)
    write_sqlite(build / "meta.sqlite", sources, docs, chunks)
    passage_features.write(build / layout.PASSAGES, docs, chunks)
    checkpoint("build-sqlite")
    write_bm25(build / "bm25", bm25_texts)
    write_public_bm25(build / layout.PUBLIC_BM25, docs, chunks, bm25_texts)
    try:
        vectors = embeddings()
    except Exception as exc:
        raise NotEmbedded from exc
    write_vectors(build / "embeddings.npy", vectors)
    write_faiss(build / "vectors.faiss", vectors)
    manifest = {**manifest, "format_version": config.FORMAT_VERSION, "chunks": len(chunks),
                "documents": len(docs), "sources": len(sources),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2))
    fsync_tree(build)
    final = build.with_suffix("")
    build.rename(final)
    fsync_dir(final.parent)
    checkpoint("build-written")
    return final


class NotEmbedded(Exception):
    """The vectors could not be made: carries the encoder's error past the disk errors."""


def publish(index_dir: Path, build: Path) -> None:
    """Point `current` at the new build in one atomic rename, then drop older builds.

    The build that was current until now stays, for readers that still have it open.
    """
    link = index_dir / "current"
    previous = link.resolve() if link.exists() else None
    tmp = index_dir / f".current-{os.getpid()}"
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(build.relative_to(index_dir))
    os.replace(tmp, link)
    fsync_dir(index_dir)
    checkpoint("published")
    remove_stale_builds(index_dir, keep=[build, previous])


def recover(index_dir: Path) -> list[str]:
    """Sweep up after a killed or failed ingest: unfinished builds, complete builds that were
    never published, and half-made symlinks.

    Call only while holding the ingest lock. Returns what was removed.
    """
    removed = []
    for tmp in index_dir.glob(".current-*"):
        if tmp.is_symlink():
            tmp.unlink()
            removed.append(tmp.name)
    for build in layout.unpublished(index_dir):
        shutil.rmtree(build, ignore_errors=True)
        removed.append(f"builds/{build.name}")
    return removed


def remove_stale_builds(index_dir: Path, keep: list[Path | None]) -> None:
    link = index_dir / "current"
    kept = {p.resolve() for p in [*keep, link.resolve() if link.exists() else None] if p}
    for old in (index_dir / "builds").iterdir():
        if old.resolve() not in kept:
            shutil.rmtree(old, ignore_errors=True)


def checkpoint(stage: str) -> None:
    """Crash-test hook: with RAG_TEST_PAUSE_AT=<stage>, say so on stderr and stall there.

    The crash tests kill `rag ingest` at each stage; unset, this does nothing.
    """
    if os.environ.get("RAG_TEST_PAUSE_AT") == stage:
        print(f"paused at {stage}", file=sys.stderr, flush=True)
        time.sleep(600)


def write_sqlite(path: Path, sources: list[dict], docs: Iterable[Document],
                 chunks: Iterable[Chunk]) -> None:
    """The rows, streamed from the sequences given (executemany takes one row at a time),
    in one transaction."""
    db = sqlite3.connect(path)
    with db:
        db.executescript(layout.SCHEMA)
        db.executemany("INSERT INTO sources VALUES (:key, :name, :sha256, :pages, :info, "
                       ":ingested_at)", sources)
        marks = ",".join("?" * len(layout.DOCUMENT_COLUMNS))
        db.executemany(f"INSERT INTO documents VALUES ({marks})",
                       map(layout.document_row, docs))
        db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?)",
                       map(layout.chunk_row, chunks))
    db.close()


def fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    for sub in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        fsync_dir(sub)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
