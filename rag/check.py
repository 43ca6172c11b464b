"""`rag check`: verify that the parts of the current build agree with each other.

FAISS, BM25, embeddings.npy and SQLite must hold the same passages under the same ids,
the manifest must count what is there, and every passage must belong to a paper that
exists. Each problem is reported with what exactly is wrong, and with a public
wording that names no restricted paper and gives no count that includes one.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import config, layout, passage_arrays
from .errors import IndexMissing, RagError
from .terms import index_terms

SAMPLE = 256  # vectors and BM25 rows compared one by one


@dataclass(frozen=True)
class Problem:
    detail: str  # exactly what is wrong, for members and the operator
    public: str  # the same without restricted titles, ids or counts


@dataclass
class CheckReport:
    build: Path
    problems: list[Problem] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # swept by the next ingest
    counts: dict[str, int] = field(default_factory=dict)  # all papers
    public_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, unlocked: bool) -> list[str]:
        """The report as text; without `unlocked`, nothing about restricted papers."""
        counts = self.counts if unlocked else self.public_counts
        what = ", ".join(f"{n} {name}" for name, n in counts.items())
        out = [f"build {self.build.name}: " + ("OK" if self.ok else
                                                 f"{len(self.problems)} problem(s)")]
        out += [f"  - {p.detail if unlocked else p.public}" for p in self.problems]
        out += [f"  note: {item} left by an interrupted ingest (the next ingest removes it)"
                for item in self.leftovers]
        if what:
            out.append(f"  {what}" + ("" if unlocked else " (public papers)"))
        return out


def same(detail: str, public: str | None = None) -> Problem:
    return Problem(detail, public if public is not None else detail)


def check_index(index_dir: Path) -> CheckReport:
    """Check the current build of `index_dir`; raises IndexMissing when there is none."""
    if config.store_url():
        raise RagError(f"rag check reads the embedded index files; with RAG_STORE="
                       f"{config.store_url()} the engine keeps the index (see `rag info`)")
    build = layout.current_build(index_dir)
    report = CheckReport(build, leftovers=leftovers(index_dir))
    missing = [name for name in ("manifest.json", "meta.sqlite", "embeddings.npy",
                                 "vectors.faiss", "bm25", layout.PASSAGES)
               if not (build / name).exists()]
    if missing:
        report.problems.append(same(f"missing from the build: {', '.join(missing)}"))
        return report
    manifest = read_manifest(build, report)
    db = layout.connect(build)
    try:
        check_parts(report, build, manifest, db)
    except sqlite3.Error as exc:
        report.problems.append(same(f"meta.sqlite cannot be read ({exc}): run "
                                    "`rag ingest --rebuild`"))
    finally:
        db.close()
    return report


def check_parts(report: CheckReport, build: Path, manifest: dict, db) -> None:
    docs, chunk_ids, chunk_docs = read_tables(db)
    restricted = {d for d, access in docs.items() if access == "restricted"}
    count_papers(report, db, docs, chunk_docs, restricted)
    check_ids(report, chunk_ids, chunk_docs, docs, restricted)
    check_manifest_counts(report, manifest)
    check_texts(report, db, restricted)
    vectors = check_embeddings(report, build, manifest, len(chunk_ids))
    check_faiss(report, build, manifest, len(chunk_ids), vectors)
    check_bm25(report, build, db, len(chunk_ids), restricted)
    check_public_bm25(report, build, sum(d not in restricted for d in chunk_docs), restricted)
    check_passages(report, build, len(chunk_ids), len(docs))


def check_passages(report: CheckReport, build: Path, chunks: int, papers: int) -> None:
    """passages/ (what the reranker weighs) holds one row per passage and per paper."""
    try:
        found = passage_arrays.load(build / layout.PASSAGES)
        held = {len(found.terms.indptr) - 1, len(found.roles), len(found.lengths),
                len(found.sentence_indptr) - 1}
    except (OSError, ValueError) as exc:
        report.problems.append(same(f"passages/ cannot be read ({exc})"))
        return
    if held != {chunks} or len(found.context.indptr) - 1 != papers:
        report.problems.append(same(f"passages/ holds {sorted(held)} passages, expected {chunks}",
                                    "passages/ does not hold one row per passage"))


def leftovers(index_dir: Path) -> list[str]:
    found = [p.name for p in index_dir.glob(".current-*") if p.is_symlink()]
    return found + [f"builds/{p.name}" for p in layout.unpublished(index_dir)]


def read_manifest(build: Path, report: CheckReport) -> dict:
    try:
        manifest = layout.read_manifest(build)
    except IndexMissing as exc:
        report.problems.append(same(str(exc)))
        return {}
    if manifest.get("format_version") != config.FORMAT_VERSION:
        report.problems.append(same(f"manifest format {manifest.get('format_version')} is not "
                                    f"{config.FORMAT_VERSION}: rebuild with "
                                    "`rag ingest --rebuild`"))
    return manifest


def read_tables(db) -> tuple[dict[str, str], list[int], list[str]]:
    docs = {row["doc_id"]: row["access"] for row in db.execute(
        "SELECT doc_id, access FROM documents")}
    rows = db.execute("SELECT chunk_id, doc_id FROM chunks ORDER BY chunk_id").fetchall()
    return docs, [r["chunk_id"] for r in rows], [r["doc_id"] for r in rows]


def count_papers(report: CheckReport, db, docs: dict[str, str], chunk_docs: list[str],
                 restricted: set[str]) -> None:
    sources = db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    report.counts = {"files": sources, "papers": len(docs), "passages": len(chunk_docs)}
    if restricted:
        report.counts["restricted papers"] = len(restricted)
    report.public_counts = {"papers": len(docs) - len(restricted),
                            "passages": sum(d not in restricted for d in chunk_docs)}


def check_ids(report: CheckReport, chunk_ids: list[int], chunk_docs: list[str],
              docs: dict[str, str], restricted: set[str]) -> None:
    if chunk_ids != list(range(len(chunk_ids))):
        gaps = sorted(set(range(len(chunk_ids))) ^ set(chunk_ids))[:5]
        report.problems.append(same(
            f"passage ids in SQLite are not 0..{len(chunk_ids) - 1} (first differences: {gaps})",
            "passage ids in SQLite are not numbered consecutively from 0"))
    orphans = sorted({d for d in chunk_docs if d not in docs})
    if orphans:
        report.problems.append(same(f"passages belong to papers missing from SQLite: "
                                    f"{', '.join(orphans[:5])}",
                                    "some passages belong to papers missing from SQLite"))
    bad = sorted(d for d, access in docs.items() if access not in ("public", "restricted"))
    if bad:
        report.problems.append(same(f"papers with an unknown access level: {', '.join(bad[:5])}",
                                    "some papers have an unknown access level"))
    empty = sorted(set(docs) - set(chunk_docs))
    if empty:
        shown = [d for d in empty if d not in restricted]
        report.problems.append(same(
            f"papers with no passages: {', '.join(empty[:5])}",
            f"papers with no passages: {', '.join(shown[:5])}" if shown else
            "a restricted paper has no passages (unlock with --key for details)"))


def check_manifest_counts(report: CheckReport, manifest: dict) -> None:
    for name, actual in (("sources", report.counts.get("files")),
                         ("documents", report.counts.get("papers")),
                         ("chunks", report.counts.get("passages"))):
        if name in manifest and manifest[name] != actual:
            report.problems.append(same(
                f"manifest counts {manifest[name]} {name} but SQLite holds {actual}",
                f"manifest and SQLite disagree on the number of {name}"))


def check_texts(report: CheckReport, db, restricted: set[str]) -> None:
    """Each passage's offsets point at its text in its paper; each paper's file is listed."""
    files = {row["name"] for row in db.execute("SELECT name FROM sources")}
    for doc in db.execute("SELECT doc_id, source, text FROM documents"):
        label = doc["doc_id"] if doc["doc_id"] not in restricted else None
        if doc["source"] not in files:
            report.problems.append(same(f"paper {doc['doc_id']} names file {doc['source']}, "
                                        "which is not among the sources",
                                        f"paper {label or '(restricted)'} names a file "
                                        "missing from the sources"))
        for chunk in db.execute("SELECT chunk_id, text, start, \"end\" FROM chunks WHERE "
                                "doc_id = ?", (doc["doc_id"],)):
            if doc["text"][chunk["start"]:chunk["end"]] != chunk["text"]:
                report.problems.append(same(
                    f"passage {chunk['chunk_id']} of {doc['doc_id']}: its offsets "
                    f"{chunk['start']}-{chunk['end']} do not point at its text",
                    f"a passage of {label or 'a restricted paper'}: its offsets do not point "
                    "at its text"))


def check_embeddings(report: CheckReport, build: Path, manifest: dict,
                     chunks: int) -> np.ndarray | None:
    try:
        vectors = np.load(build / "embeddings.npy", mmap_mode="r")
    except (OSError, ValueError) as exc:
        report.problems.append(same(f"embeddings.npy cannot be read ({exc})"))
        return None
    dimension = manifest.get("dimension")
    if vectors.ndim != 2 or len(vectors) != chunks or vectors.shape[1] != dimension:
        report.problems.append(same(
            f"embeddings.npy has shape {vectors.shape}, expected ({chunks}, {dimension})",
            "embeddings.npy does not have one row per passage of the model's dimension"))
        return None
    if not np.isfinite(np.asarray(vectors[:SAMPLE])).all():
        report.problems.append(same("embeddings.npy holds NaN or infinite values"))
    return vectors


def sample_rows(n: int) -> np.ndarray:
    if n <= SAMPLE:
        return np.arange(n)
    return np.unique(np.r_[0, n - 1, np.random.default_rng(0).integers(0, n, SAMPLE - 2)])


def check_faiss(report: CheckReport, build: Path, manifest: dict, chunks: int,
                vectors: np.ndarray | None) -> None:
    from .vectors import load_vector_index

    try:
        index = load_vector_index(str(build / "vectors.faiss"))
    except RuntimeError as exc:
        report.problems.append(same(f"vectors.faiss cannot be read ({str(exc)[:200]})"))
        return
    if index.ntotal != chunks or index.d != manifest.get("dimension"):
        report.problems.append(same(
            f"FAISS holds {index.ntotal} vectors of dimension {index.d}; SQLite has {chunks} "
            f"passages and the manifest dimension {manifest.get('dimension')}",
            "FAISS and SQLite disagree on the number of passages or the dimension"))
        return
    if vectors is None or not chunks:
        return
    rows = sample_rows(chunks)
    stored = np.stack([index.reconstruct(int(i)) for i in rows])
    wrong = rows[~np.isclose(stored, np.asarray(vectors[rows]), atol=1e-4).all(axis=1)]
    if len(wrong):
        report.problems.append(same(
            f"FAISS vectors differ from embeddings.npy at passage ids {wrong[:5].tolist()}",
            "FAISS vectors differ from embeddings.npy: ids are out of step"))


def check_bm25(report: CheckReport, build: Path, db, chunks: int, restricted: set[str]) -> None:
    import bm25s

    try:
        bm25 = bm25s.BM25.load(str(build / "bm25"), mmap=True)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        report.problems.append(same(f"the BM25 index cannot be read ({exc})"))
        return
    held = int(bm25.scores.get("num_docs", -1))
    if held != chunks:
        report.problems.append(same(f"BM25 holds {held} passages but SQLite {chunks}",
                                    "BM25 and SQLite disagree on the number of passages"))
        return
    rows = sample_rows(chunks)[:32]
    marks = ",".join("?" * len(rows))
    texts = {r["chunk_id"]: r["text"] for r in db.execute(
        f"SELECT chunk_id, text FROM chunks WHERE chunk_id IN ({marks})", rows.tolist())}
    strays = [cid for cid, text in texts.items() if not scores_itself(bm25, text, cid)]
    if strays:
        report.problems.append(same(f"BM25 does not find passages {strays[:5]} by their own "
                                    "words: ids are out of step",
                                    "BM25 does not find some passages by their own words"))


def check_public_bm25(report: CheckReport, build: Path, public: int,
                      restricted: set[str]) -> None:
    """Public sessions' BM25 index holds exactly the public passages (when any is restricted)."""
    import bm25s

    if not restricted or not public:
        return
    try:
        held = int(bm25s.BM25.load(str(build / layout.PUBLIC_BM25), mmap=True)
                   .scores.get("num_docs", -1))
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        report.problems.append(same(f"the public BM25 index cannot be read ({exc}): run "
                                    "`rag ingest --rebuild`"))
        return
    if held != public:
        report.problems.append(same(f"the public BM25 index holds {held} passages but SQLite "
                                    f"{public} public ones", "the public BM25 index and SQLite "
                                    "disagree on the number of public passages"))


def scores_itself(bm25, text: str, chunk_id: int) -> bool:
    query = [t for t in index_terms(text) if t in bm25.vocab_dict]
    return not query or bm25.get_scores(query)[chunk_id] > 0
