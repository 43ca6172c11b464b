"""The index on disk: FAISS vectors, a BM25 index and SQLite metadata, published atomically.

Layout of an index folder:
    current -> builds/<id>      a symlink, swapped in one rename when a build is complete
    builds/<id>/manifest.json   model, dimension, chunker settings, format version, counts
    builds/<id>/meta.sqlite     sources, documents, chunks
    builds/<id>/vectors.faiss   the FAISS index over normalised embeddings
    builds/<id>/embeddings.npy  the same vectors, reused by the next ingest
    builds/<id>/bm25/           the bm25s index (JSON and .npy, no pickle)

Crash safety: a build is written as builds/<id>.partial, renamed when complete, and
published by renaming a fresh symlink over `current`, so a killed ingest leaves the
previous index as it was; the next ingest sweeps up what a killed one left behind.
The build that was current before the swap is kept until the next publish, so a
reader that opened it keeps working while a new build goes live.
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
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from . import config
from .chunking import ChunkSettings, contextual_text
from .errors import IndexMismatch, IndexMissing
from .types import Chunk, Document

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE sources (key TEXT PRIMARY KEY, name TEXT, sha256 TEXT, pages INTEGER,
                      info TEXT, ingested_at TEXT);
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT, title TEXT, committee TEXT,
                        date TEXT, doc_type TEXT, author TEXT, agenda_item TEXT, text TEXT,
                        start INTEGER, page_starts TEXT, access TEXT, access_reasons TEXT,
                        acronyms TEXT);
CREATE TABLE chunks (chunk_id INTEGER PRIMARY KEY, doc_id TEXT, text TEXT, start INTEGER,
                     "end" INTEGER, page INTEGER, section TEXT, paragraph TEXT);
CREATE INDEX chunks_doc ON chunks(doc_id);
"""


@dataclass
class Entry:
    """One source file's contribution to the index."""

    source: dict
    docs: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray | None  # None until embedded


class Store:
    """The write side of the index, one source file at a time: add, delete, then publish.

    Ingest changes the index only through these calls (and retrieval reads it only through
    rag.index.Index). This store writes FAISS, BM25 and SQLite afresh as a new build and
    swaps it in on publish; a server search engine taking over would apply each add and
    delete as it came (eval/BENCHMARKS.md).
    """

    def __init__(self, index_dir: Path, model: tuple[str, int], settings: ChunkSettings,
                 entries: dict[str, Entry] | None = None):
        self.index_dir, self.model, self.settings = index_dir, model, settings
        self.entries = entries or {}  # what the index holds, by source file

    @classmethod
    def open(cls, index_dir: Path, model: tuple[str, int], settings: ChunkSettings,
             rebuild: bool = False) -> Store:
        """The current build's contents, ready to change (none when rebuilding)."""
        return cls(index_dir, model, settings,
                   {} if rebuild else read_entries(index_dir, model, settings))

    @property
    def size(self) -> int:
        return sum(len(e.chunks) for e in self.entries.values())

    def add(self, key: str, entry: Entry) -> None:
        """Add a source file's papers and passages, replacing what it held before."""
        self.entries[key] = entry

    def delete(self, key: str) -> None:
        del self.entries[key]

    def publish(self) -> None:
        """Write every entry as a new build and swap it in (all entries must be embedded)."""
        docs, chunks, vectors, sources, texts = [], [], [], [], []
        for entry in self.entries.values():
            by_id = {d.doc_id: d for d in entry.docs}
            docs += entry.docs
            for chunk in entry.chunks:
                chunk = replace(chunk, chunk_id=len(chunks))
                chunks.append(chunk)
                texts.append(contextual_text(by_id[chunk.doc_id], chunk, self.settings))
            vectors.append(entry.vectors)
            info = {k: entry.source[k] for k in ("notes", "access", "overrides")}
            info["doc_ids"] = [d.doc_id for d in entry.docs]
            sources.append({**entry.source, "info": json.dumps(info)})
        name, dimension = self.model
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, dimension), np.float32)
        manifest = {"model": name, "dimension": dimension, "chunker": self.settings.as_dict()}
        publish(self.index_dir, write_build(self.index_dir, sources, docs, chunks, matrix, texts,
                                            manifest))


def read_entries(index_dir: Path, model: tuple[str, int],
                 settings: ChunkSettings) -> dict[str, Entry]:
    """What the current build holds, per source file, ready to be reused; nothing when it
    was made with another format or chunker (every paper is read again)."""
    try:
        build = current_build(index_dir)
    except IndexMissing:
        return {}
    manifest = read_manifest(build)
    if manifest.get("format_version") != config.FORMAT_VERSION or \
            manifest.get("chunker") != settings.as_dict():
        log.info("index format or chunker settings changed: reading every paper again")
        return {}
    check_manifest(manifest, *model)
    db = connect(build)
    vectors = np.load(build / "embeddings.npy", mmap_mode="r")
    entries = {}
    for row in db.execute("SELECT * FROM sources").fetchall():
        info = json.loads(row["info"])
        source = {**dict(row), **info}
        docs, chunks = [], []
        for doc_id in info["doc_ids"]:
            docs.append(row_document(db.execute(
                "SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()))
            chunks += [row_chunk(r) for r in db.execute(
                "SELECT * FROM chunks WHERE doc_id = ? ORDER BY chunk_id", (doc_id,))]
        entries[row["key"]] = Entry(source, docs, chunks,
                                    np.array(vectors[[c.chunk_id for c in chunks]]))
    db.close()
    return entries


def current_build(index_dir: Path) -> Path:
    link = index_dir / "current"
    if link.is_symlink() and not link.exists():
        raise IndexMissing(f"the index in {index_dir} points at a missing build "
                           f"({os.readlink(link)}): run `rag ingest --rebuild`")
    if not link.exists():
        raise IndexMissing(f"no index in {index_dir}: run `rag ingest` first")
    return link.resolve()


def write_build(index_dir: Path, sources: list[dict], docs: list[Document], chunks: list[Chunk],
                embeddings: np.ndarray, bm25_texts: list[str], manifest: dict) -> Path:
    """Write a complete new build beside the current one; publish() swaps it in."""
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
    build = index_dir / "builds" / f"{name}.partial"
    build.mkdir(parents=True)
    write_sqlite(build / "meta.sqlite", sources, docs, chunks)
    checkpoint("build-sqlite")
    np.save(build / "embeddings.npy", embeddings)
    write_faiss(build / "vectors.faiss", embeddings)
    write_bm25(build / "bm25", bm25_texts)
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
    """Sweep up after a killed ingest: unfinished builds and half-made symlinks.

    Call only while holding the ingest lock. Returns what was removed.
    """
    removed = []
    for tmp in index_dir.glob(".current-*"):
        if tmp.is_symlink():
            tmp.unlink()
            removed.append(tmp.name)
    builds = index_dir / "builds"
    for partial in builds.glob("*.partial") if builds.is_dir() else ():
        shutil.rmtree(partial, ignore_errors=True)
        removed.append(f"builds/{partial.name}")
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


def write_sqlite(path: Path, sources: list[dict], docs: list[Document], chunks: list[Chunk]):
    db = sqlite3.connect(path)
    with db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO sources VALUES (:key, :name, :sha256, :pages, :info, "
                       ":ingested_at)", sources)
        db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       [document_row(d) for d in docs])
        db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?)",
                       [(c.chunk_id, c.doc_id, c.text, c.start, c.end, c.page, c.section,
                         c.paragraph) for c in chunks])
    db.close()


def document_row(d: Document) -> tuple:
    return (d.doc_id, d.source, d.title, d.committee, d.date.isoformat() if d.date else None,
            d.doc_type, d.author, d.agenda_item, d.text, d.start, json.dumps(d.page_starts),
            d.access, json.dumps(d.access_reasons), json.dumps(d.acronyms))


def row_document(row: sqlite3.Row) -> Document:
    values = dict(row)
    values["date"] = date.fromisoformat(values["date"]) if values["date"] else None
    values["page_starts"] = tuple(tuple(p) for p in json.loads(values["page_starts"]))
    values["access_reasons"] = tuple(json.loads(values["access_reasons"]))
    values["acronyms"] = tuple(tuple(pair) for pair in json.loads(values["acronyms"]))
    values.setdefault("text", "")
    return Document(**values)


def row_chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(**dict(row))


def write_faiss(path: Path, embeddings: np.ndarray) -> None:
    import faiss

    from .vectors import build_vector_index

    faiss.write_index(build_vector_index(embeddings), str(path))


def write_bm25(path: Path, texts: list[str]) -> None:
    import bm25s

    retriever = bm25s.BM25()
    if texts:
        retriever.index(tokenize(texts), show_progress=False)
    retriever.save(str(path), show_progress=False)


def query_tokens(bm25, text: str) -> list[str]:
    """The text's BM25 tokens that the index knows (bm25s scores only known tokens)."""
    tokens = tokenize([text])
    words = {number: word for word, number in tokens.vocab.items()}
    return [words[i] for i in tokens.ids[0] if words[i] in bm25.vocab_dict]


def tokenize(texts: list[str]):
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer(), show_progress=False)


_STEMMER = None


def stemmer():
    global _STEMMER
    if _STEMMER is None:
        import Stemmer

        _STEMMER = Stemmer.Stemmer("english")
    return _STEMMER


def read_manifest(build: Path) -> dict:
    try:
        return json.loads((build / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexMissing(f"index at {build} has no readable manifest ({exc}); "
                           "run `rag ingest` to rebuild it") from None


def check_manifest(manifest: dict, model_name: str, dimension: int) -> None:
    if manifest.get("format_version") != config.FORMAT_VERSION:
        raise IndexMismatch(f"index format {manifest.get('format_version')} is not "
                            f"{config.FORMAT_VERSION}: rebuild it with `rag ingest --rebuild`")
    if (manifest.get("model"), manifest.get("dimension")) != (model_name, dimension):
        raise IndexMismatch(
            f"index was built with model {manifest.get('model')} ({manifest.get('dimension')}"
            f" dimensions), not {model_name} ({dimension}): use that model or rebuild with "
            "`rag ingest --rebuild`")


def connect(build: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{build / 'meta.sqlite'}?mode=ro", uri=True,
                         check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


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


def as_dict(doc: Document) -> dict:
    out = asdict(doc)
    out["date"] = doc.date.isoformat() if doc.date else None
    return out
