"""A loaded index: the vectors, the BM25 index and the metadata of one build.

Every file of the build is opened (or memory-mapped) when the index is loaded, so a
reader keeps a consistent view of one build even after an ingest has published a
newer one and removed this build's files.

Retrieval reaches the stored passages only through Index's methods: filter (by access
and metadata), lexical_scores, nearest and similarity to search, and chunks to read.
A server search engine taking over (eval/BENCHMARKS.md) would answer the same calls.
What is worked out once per loaded index (visible papers, IDF, the reading context) is
kept in the typed fields below, each filled by one method.

Public sessions score words with BM25 statistics over public papers only (bm25-public,
written when some paper is restricted), so restricted papers' words shape no public score.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from . import config, layout, passage_arrays
from .access import visible
from .errors import IndexMismatch, damaged
from .passage_arrays import PaperCodes, PassageFeatures
from .terms import index_terms
from .types import Chunk, Document, Filters

EXACT_DENSE_MAX = 50_000  # below this many allowed chunks, score them all exactly


@dataclass(frozen=True)
class ReadingContext:
    """What a question is read against: the visible papers' dates, committees, acronyms."""

    dates: list[date]
    committees: list[str]
    acronyms: dict[str, str]


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
    embeddings: np.ndarray  # memory-mapped rows of embeddings.npy, by chunk id
    public_bm25: object = None  # a bm25s.BM25 over public chunks only; None: all are public
    passages: PassageFeatures | None = None  # what the ask path weighs of each passage
    paper_codes: PaperCodes = field(init=False, repr=False)  # by position in doc_order
    _visible: dict[bool, np.ndarray] = field(default_factory=dict, repr=False)
    _visible_docs: dict[bool, tuple[Document, ...]] = field(default_factory=dict, repr=False)
    _by_committee: dict[tuple, tuple[Document, ...]] = field(default_factory=dict, repr=False)
    _reading: dict[bool, ReadingContext] = field(default_factory=dict, repr=False)
    _idf: dict[bool, dict[str, float]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._lock = threading.Lock()
        self.paper_codes = PaperCodes.of([self.docs[d] for d in self.doc_order])

    @property
    def size(self) -> int:
        return len(self.chunk_doc)

    def visible_docs(self, unlocked: bool) -> tuple[Document, ...]:
        """The papers this session may see, in index order (worked out once per level: the
        links of every hit read them)."""
        if unlocked not in self._visible_docs:
            self._visible_docs[unlocked] = tuple(self.docs[d] for d in self.doc_order
                                                 if visible(self.docs[d], unlocked))
        return self._visible_docs[unlocked]

    def committee_papers(self, committee: str, unlocked: bool) -> tuple[Document, ...]:
        """The papers of one committee this session may see, in index order."""
        if (unlocked, committee) not in self._by_committee:
            self._by_committee[unlocked, committee] = tuple(
                d for d in self.visible_docs(unlocked) if d.committee == committee)
        return self._by_committee[unlocked, committee]

    def visible_mask(self, unlocked: bool) -> np.ndarray:
        """Per chunk: may this session see it (computed once per access level)."""
        if unlocked not in self._visible:
            docs = np.array([visible(self.docs[d], unlocked) for d in self.doc_order], dtype=bool)
            self._visible[unlocked] = docs[self.chunk_doc]
        return self._visible[unlocked]

    def reading_context(self, unlocked: bool) -> ReadingContext:
        """The visible papers' dates, committees and acronyms (computed once per level)."""
        if unlocked not in self._reading:
            docs = self.visible_docs(unlocked)
            self._reading[unlocked] = ReadingContext(
                sorted({d.date for d in docs if d.date}),
                sorted({d.committee for d in docs if d.committee}),
                {short: long for d in docs for short, long in d.acronyms})
        return self._reading[unlocked]

    def lexicon(self, unlocked: bool):
        """The BM25 index this session's words are scored by: public papers' for the public."""
        return self.bm25 if unlocked or self.public_bm25 is None else self.public_bm25

    def idf(self, unlocked: bool = False) -> dict[str, float]:
        """IDF of every term this session's BM25 index holds (computed once per level)."""
        if unlocked not in self._idf:
            bm25 = self.lexicon(unlocked)
            if not getattr(bm25, "scores", None):  # an index of no passages
                return {}
            counts = np.diff(np.asarray(bm25.scores["indptr"]))
            total = max(int(bm25.scores["num_docs"]), 1)
            self._idf[unlocked] = {
                term: math.log(1 + (total - counts[i] + 0.5) / (counts[i] + 0.5))
                for term, i in bm25.vocab_dict.items() if i < len(counts)}
        return self._idf[unlocked]

    def filter(self, filters: Filters | None = None, unlocked: bool = False) -> np.ndarray:
        """The chunks a search may return: restricted papers stay hidden unless unlocked,
        and the user's filters on date, committee and document type hold."""
        mask = self.visible_mask(unlocked)
        if not filters:
            return mask
        docs = np.array([filters.admit(self.docs[d]) for d in self.doc_order],
                        dtype=bool)
        return mask & docs[self.chunk_doc]

    def query_terms(self, text: str, unlocked: bool = False) -> list[str]:
        """The text's BM25 terms that the index knows (bm25s scores only known terms)."""
        vocab = getattr(self.lexicon(unlocked), "vocab_dict", {})
        return [t for t in index_terms(text) if t in vocab]

    def lexical_scores(self, text: str, allowed: np.ndarray,
                       unlocked: bool = False) -> np.ndarray | None:
        """BM25 score of every chunk (0 where not allowed); None when no query word is indexed."""
        terms = self.query_terms(text, unlocked)
        if not terms or not self.size:
            return None
        bm25 = self.lexicon(unlocked)
        if bm25 is self.bm25:
            scores = bm25.get_scores(terms)
        else:
            scores = np.zeros(self.size)
            scores[self.visible_mask(False)] = bm25.get_scores(terms)  # public chunks, in order
        scores[~allowed] = 0  # a new array either way, so zeroed in place, not copied
        return scores

    def nearest(self, vector: np.ndarray, allowed: np.ndarray, n: int) -> np.ndarray:
        """The n allowed chunks nearest the vector: exactly when few are allowed, else from
        the vector index (HNSW above EXACT_MAX chunks, see rag/vectors.py)."""
        count = int(np.count_nonzero(allowed))
        if not count:
            return np.zeros(0, np.int64)
        if count < len(allowed) and count <= EXACT_DENSE_MAX:
            ids = np.flatnonzero(allowed)
            return ids[np.argsort(-self.similarity(ids, vector))[:n]]
        want = n if count == len(allowed) else n * 10
        _, found = self.vectors.search(vector.reshape(1, -1), min(want, self.size))
        found = found[0][found[0] >= 0]
        return found[allowed[found]][:n]

    def similarity(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of the vector to each of `ids` (sorted ascending)."""
        return np.asarray(self.embeddings[ids]) @ vector

    def rows(self, sql: str, params: list | tuple = ()) -> list[sqlite3.Row]:
        """Rows from the build's SQLite; a damaged file is IndexDamaged, naming it."""
        try:
            with self._lock:
                return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise damaged(self.build / "meta.sqlite", exc) from None

    def chunks(self, ids: list[int]) -> list[Chunk]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.rows(f"SELECT * FROM chunks WHERE chunk_id IN ({marks})",
                         [int(i) for i in ids])
        by_id = {row["chunk_id"]: layout.row_chunk(row) for row in rows}
        return [by_id[int(i)] for i in ids]

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.rows("SELECT * FROM chunks WHERE doc_id = ? ORDER BY chunk_id", (doc_id,))
        return [layout.row_chunk(row) for row in rows]

    def document_text(self, doc_id: str) -> str:
        """A paper's whole cleaned text, read from disk (the loaded index does not hold it)."""
        rows = self.rows("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return rows[0]["text"] if rows else ""

    def papers(self, unlocked: bool) -> list[dict]:
        """The papers this user may see, oldest first, with their pages and passage counts."""
        counts = np.bincount(self.chunk_doc, minlength=len(self.doc_order))
        rows = []
        for position, doc_id in enumerate(self.doc_order):
            doc = self.docs[doc_id]
            if visible(doc, unlocked):
                rows.append({"doc_id": doc_id, "title": doc.title, "committee": doc.committee,
                             "date": doc.date, "doc_type": doc.doc_type,
                             "agenda_item": doc.agenda_item, "meeting": doc.meeting,
                             "source": doc.source,
                             "pages": len({page for page, _ in doc.page_starts}),
                             "passages": int(counts[position]), "access": doc.access})
        return sorted(rows, key=lambda row: (row["date"] is None, row["date"] or 0))

    def source_file(self, name: str) -> Path | None:
        """Where the paper's original file `name` is on disk, if it is still there."""
        keys = [Path(row["key"]) for row in self.sources() if row["name"] == name]
        return next((key for key in keys if key.is_file()), None)

    def sources(self) -> list[dict]:
        return [dict(row) for row in self.rows("SELECT * FROM sources")]


def open_index(index_dir: Path, encoder=None) -> Index:
    """Open the current build; refuse one made with another model than `encoder`'s.

    A file of the build that is missing or cannot be read is IndexDamaged, naming it.
    This is the embedded store; rag/backend.py chooses it or a search engine."""
    build = layout.current_build(index_dir)
    try:
        return open_build(build, encoder)
    except FileNotFoundError as exc:
        if layout.current_build(index_dir) == build:
            raise damaged(exc.filename or build, exc) from None
    return open_build(layout.current_build(index_dir), encoder)  # swapped while opening


def open_build(build: Path, encoder=None) -> Index:
    manifest = layout.read_manifest(build)
    if encoder is not None:
        layout.check_manifest(manifest, encoder.name, encoder.dimension)
    import bm25s

    from .vectors import load_vector_index

    db, docs, chunk_doc = part(build, "meta.sqlite", read_tables)
    return Index(build=build, manifest=manifest, docs=docs, doc_order=list(docs),
                 chunk_doc=chunk_doc, public_bm25=public_lexicon(build, docs, chunk_doc),
                 vectors=part(build, "vectors.faiss", lambda p: load_vector_index(str(p))),
                 bm25=part(build, "bm25", lambda p: bm25s.BM25.load(str(p), mmap=True)), db=db,
                 embeddings=part(build, "embeddings.npy", lambda p: np.load(p, mmap_mode="r")),
                 passages=stored_passages(build, manifest))


def public_lexicon(build: Path, docs: dict[str, Document], chunk_doc: np.ndarray):
    """The BM25 index over public papers only, for public sessions; None when all are public."""
    import bm25s

    public = np.array([d.access == "public" for d in docs.values()], dtype=bool)
    if public.all():
        return None
    if not public[chunk_doc].any():
        return bm25s.BM25()  # no public passage: public sessions know no word
    if not (build / layout.PUBLIC_BM25).exists():
        raise IndexMismatch(f"the index in {build.parent.parent} was built before public "
                            "papers had their own word statistics: run `rag ingest --rebuild`")
    return part(build, layout.PUBLIC_BM25, lambda p: bm25s.BM25.load(str(p), mmap=True))


def stored_passages(build: Path, manifest: dict) -> PassageFeatures:
    """The passages' features (rag/passage_arrays.py); an index of an older format has
    none, and is asked to be rebuilt."""
    if not (build / layout.PASSAGES).exists() and \
            manifest.get("format_version") != config.FORMAT_VERSION:
        raise IndexMismatch(f"the index in {build.parent.parent} was built before passages "
                            "had stored features: run `rag ingest --rebuild`")
    return part(build, layout.PASSAGES, passage_arrays.load)


def part(build: Path, name: str, load):
    """One file of the build, loaded; missing is FileNotFoundError, unreadable IndexDamaged."""
    path = build / name
    if not path.exists():
        raise FileNotFoundError(2, "missing", str(path))
    try:
        return load(path)
    except FileNotFoundError as exc:
        raise FileNotFoundError(2, "missing", str(path)) from exc
    except (RuntimeError, OSError, ValueError, KeyError, TypeError, sqlite3.DatabaseError) as exc:
        raise damaged(path, exc) from None


def read_tables(path: Path) -> tuple[object, dict[str, Document], np.ndarray]:
    """The SQLite connection, the papers (without their text) and each chunk's paper."""
    db = layout.connect(path.parent)
    columns = ", ".join(c for c in layout.DOCUMENT_COLUMNS if c != "text")  # text stays on disk
    docs = {row["doc_id"]: layout.row_document(row)
            for row in db.execute(f"SELECT {columns} FROM documents ORDER BY rowid")}
    position = {doc_id: i for i, doc_id in enumerate(docs)}
    doc_of_chunk = [position[row[0]] for row in
                    db.execute("SELECT doc_id FROM chunks ORDER BY chunk_id")]
    return db, docs, np.array(doc_of_chunk, dtype=np.int32)
