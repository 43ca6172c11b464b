"""A loaded index: the vectors, the BM25 index and the metadata of one build.

Every file of the build is opened (or memory-mapped) when the index is loaded, so a
reader keeps a consistent view of one build even after an ingest has published a
newer one and removed this build's files.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import store
from .types import Chunk, Document

DOCUMENT_COLUMNS = ("doc_id", "source", "title", "committee", "date", "doc_type", "author",
                    "agenda_item", "text", "start", "page_starts", "access", "access_reasons",
                    "acronyms")


@dataclass
class Index:
    build: Path
    manifest: dict
    docs: dict[str, Document]
    doc_order: list[str]
    chunk_doc: np.ndarray  # chunk id -> position in doc_order
    vectors: object  # a FAISS index
    bm25: object  # a bm25s.BM25
    db: object  # a read-only sqlite3 connection
    embeddings: np.ndarray | None = None  # memory-mapped rows of embeddings.npy, by chunk id
    derived: dict = field(default_factory=dict)  # values worked out once per loaded index

    def __post_init__(self):
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return len(self.chunk_doc)

    def chunks(self, ids: list[int]) -> list[Chunk]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self.db.execute(f"SELECT * FROM chunks WHERE chunk_id IN ({marks})",
                                   [int(i) for i in ids]).fetchall()
        by_id = {row["chunk_id"]: store.row_chunk(row) for row in rows}
        return [by_id[int(i)] for i in ids]

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        with self._lock:
            rows = self.db.execute("SELECT * FROM chunks WHERE doc_id = ? ORDER BY chunk_id",
                                   (doc_id,)).fetchall()
        return [store.row_chunk(row) for row in rows]

    def document_text(self, doc_id: str) -> str:
        """A paper's whole cleaned text, read from disk (the loaded index does not hold it)."""
        with self._lock:
            row = self.db.execute("SELECT text FROM documents WHERE doc_id = ?",
                                  (doc_id,)).fetchone()
        return row["text"] if row else ""

    def papers(self, unlocked: bool) -> list[dict]:
        """The papers this user may see, oldest first, with their pages and passage counts."""
        from .access import visible

        counts = np.bincount(self.chunk_doc, minlength=len(self.doc_order))
        rows = []
        for position, doc_id in enumerate(self.doc_order):
            doc = self.docs[doc_id]
            if visible(doc, unlocked):
                rows.append({"doc_id": doc_id, "title": doc.title, "committee": doc.committee,
                             "date": doc.date, "doc_type": doc.doc_type,
                             "agenda_item": doc.agenda_item, "source": doc.source,
                             "pages": len({page for page, _ in doc.page_starts}),
                             "passages": int(counts[position]), "access": doc.access})
        return sorted(rows, key=lambda row: (row["date"] is None, row["date"] or 0))

    def sources(self) -> list[dict]:
        with self._lock:
            return [dict(row) for row in self.db.execute("SELECT * FROM sources")]


def open_index(index_dir: Path, encoder=None) -> Index:
    """Open the current build; refuse one made with another model than `encoder`'s."""
    try:
        return open_build(store.current_build(index_dir), encoder)
    except FileNotFoundError:  # the build was swapped out and removed while opening: retry
        return open_build(store.current_build(index_dir), encoder)


def open_build(build: Path, encoder=None) -> Index:
    manifest = store.read_manifest(build)
    if encoder is not None:
        store.check_manifest(manifest, encoder.name, encoder.dimension)
    import bm25s

    from .vectors import load_vector_index

    if not (build / "meta.sqlite").exists():
        raise FileNotFoundError(build / "meta.sqlite")
    db = store.connect(build)
    columns = ", ".join(c for c in DOCUMENT_COLUMNS if c != "text")  # text stays on disk
    docs = {row["doc_id"]: store.row_document(row)
            for row in db.execute(f"SELECT {columns} FROM documents ORDER BY rowid")}
    order = list(docs)
    position = {doc_id: i for i, doc_id in enumerate(order)}
    doc_of_chunk = [position[row[0]] for row in
                    db.execute("SELECT doc_id FROM chunks ORDER BY chunk_id")]
    return Index(build=build, manifest=manifest, docs=docs, doc_order=order,
                 chunk_doc=np.array(doc_of_chunk, dtype=np.int32),
                 vectors=load_vector_index(str(build / "vectors.faiss")),
                 bm25=bm25s.BM25.load(str(build / "bm25"), mmap=True), db=db,
                 embeddings=np.load(build / "embeddings.npy", mmap_mode="r"))
