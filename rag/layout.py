"""The index on disk: the folder layout, the SQLite schema, row encoding and the manifest.

Layout of an index folder:
    current -> builds/<id>      a symlink, swapped in one rename when a build is complete
    builds/<id>/manifest.json   model, dimension, chunker settings, format version, counts
    builds/<id>/meta.sqlite     sources, documents, chunks
    builds/<id>/vectors.faiss   the FAISS index over normalised embeddings
    builds/<id>/embeddings.npy  the same vectors, reused by the next ingest
    builds/<id>/bm25/           the bm25s index (JSON and .npy, no pickle)
    builds/<id>/bm25-public/    the same over public papers only, for public sessions; only
                                when some paper is restricted (rag/index.py)
    builds/<id>/passages/       what the ask path weighs of each passage: terms, sentences,
                                answers, roles, words (.npy files, rag/passage_features.py)

This module is read by the index, `rag check` and the build (rag/store.py), which
writes a new build beside the current one and swaps it in.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path

from . import config
from .errors import IndexMismatch, IndexMissing
from .types import Chunk, Document

SCHEMA = """
CREATE TABLE sources (key TEXT PRIMARY KEY, name TEXT, sha256 TEXT, pages INTEGER,
                      info TEXT, ingested_at TEXT);
CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT, title TEXT, committee TEXT,
                        date TEXT, doc_type TEXT, author TEXT, agenda_item TEXT, text TEXT,
                        start INTEGER, page_starts TEXT, access TEXT, access_reasons TEXT,
                        acronyms TEXT, ocr_pages TEXT, meeting TEXT);
CREATE TABLE chunks (chunk_id INTEGER PRIMARY KEY, doc_id TEXT, text TEXT, start INTEGER,
                     "end" INTEGER, page INTEGER, section TEXT, paragraph TEXT);
CREATE INDEX chunks_doc ON chunks(doc_id);
"""
PUBLIC_BM25 = "bm25-public"
PASSAGES = "passages"
DOCUMENT_COLUMNS = ("doc_id", "source", "title", "committee", "date", "doc_type", "author",
                    "agenda_item", "text", "start", "page_starts", "access", "access_reasons",
                    "acronyms", "ocr_pages", "meeting")


def current_build(index_dir: Path) -> Path:
    link = index_dir / "current"
    if link.is_symlink() and not link.exists():
        raise IndexMissing(f"the index in {index_dir} points at a missing build "
                           f"({os.readlink(link)}): run `rag ingest --rebuild`")
    if not link.exists():
        raise IndexMissing(f"no index in {index_dir}: run `rag ingest` first")
    return link.resolve()


def unpublished(index_dir: Path) -> list[Path]:
    """Builds an ingest left behind: unfinished (.partial), or complete but never made
    current (named later than the current build; the one before it is kept for readers)."""
    builds = index_dir / "builds"
    if not builds.is_dir():
        return []
    link = index_dir / "current"
    current = link.resolve().name if link.exists() else None
    return sorted(p for p in builds.iterdir() if p.name.endswith(".partial")
                  or current is None or p.name > current)


def connect(build: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{build / 'meta.sqlite'}?mode=ro", uri=True,
                         check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def document_row(d: Document) -> tuple:
    return (d.doc_id, d.source, d.title, d.committee, d.date.isoformat() if d.date else None,
            d.doc_type, d.author, d.agenda_item, d.text, d.start, json.dumps(d.page_starts),
            d.access, json.dumps(d.access_reasons), json.dumps(d.acronyms),
            json.dumps(d.ocr_pages), d.meeting)


def row_document(row: sqlite3.Row) -> Document:
    values = dict(row)
    values["date"] = date.fromisoformat(values["date"]) if values["date"] else None
    values["page_starts"] = tuple(tuple(p) for p in json.loads(values["page_starts"]))
    values["access_reasons"] = tuple(json.loads(values["access_reasons"]))
    values["acronyms"] = tuple(tuple(pair) for pair in json.loads(values["acronyms"]))
    values["ocr_pages"] = tuple(json.loads(values["ocr_pages"]))
    values.setdefault("text", "")
    return Document(**values)


def chunk_row(c: Chunk) -> tuple:
    return (c.chunk_id, c.doc_id, c.text, c.start, c.end, c.page, c.section, c.paragraph)


def row_chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(**dict(row))


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
