"""The read side of the store on Milvus: the calls of rag.index.Index, answered by the engine.

Opening reads the live passages' keys and papers once (which generation of each source
file is live, rag/engine.py), numbers the passages 0..n-1 as the ask path expects, and
keeps the IDF of every term and the features the ask path weighs (rag/passage_features.py,
worked out from the passages' rows as they are read). Searches run in the engine: BM25
over its sparse vectors and dense search over its vector index, both under the engine's own
filter expression, so a public session's query never matches a restricted passage inside
the engine.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import engine, layout, passage_features
from .index import Index
from .terms import index_terms
from .types import Chunk, Filters

LEXICAL_DEPTH = 1000  # BM25 scores fetched per query; the rest count as 0 (BENCHMARKS.md)


class Allowed(np.ndarray):
    """The chunks a search may return, as a mask, with the engine expression saying so."""

    expr: str = ""


@dataclass
class EngineIndex(Index):
    engine: engine.Engine | None = None
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # position -> pk
    position: dict[int, int] = field(default_factory=dict)
    source_of_doc: dict[str, tuple[str, int]] = field(default_factory=dict)

    def filter(self, filters: Filters | None = None, unlocked: bool = False) -> np.ndarray:
        allowed = super().filter(filters, unlocked).view(Allowed)
        allowed.expr = expression(filters, unlocked)
        return allowed

    def idf(self, unlocked: bool = False) -> dict[str, float]:
        """IDF over every paper: the engine keeps one BM25 statistic (eval/BENCHMARKS.md)."""
        return self._idf or {}

    def query_terms(self, text: str, unlocked: bool = False) -> list[str]:
        return [t for t in index_terms(text) if t in self.idf()]

    def lexical_scores(self, text: str, allowed: np.ndarray,
                       unlocked: bool = False) -> np.ndarray | None:
        terms = self.query_terms(text)
        if not terms or not self.size:
            return None
        found = self.search([" ".join(terms)], "sparse", allowed, LEXICAL_DEPTH)
        scores = np.zeros(self.size)
        for position, distance in found:
            scores[position] = abs(distance)
        return np.where(allowed, scores, 0.0)

    def nearest(self, vector: np.ndarray, allowed: np.ndarray, n: int) -> np.ndarray:
        found = self.search([vector.tolist()], "dense", allowed, n)
        return np.array([position for position, _ in found], dtype=np.int64)

    def search(self, data: list, field_name: str, allowed: np.ndarray, n: int):
        """(position, distance) of the engine's best live matches under the filter."""
        expr = getattr(allowed, "expr", None)
        if expr is None:
            raise ValueError("search the engine with a mask from EngineIndex.filter")
        limit = min(n + 8, engine.MAX_LIMIT)  # a few more: unfinished writes are dropped
        hits = self.engine.client.search(self.engine.chunks, data=data, anns_field=field_name,
                                         limit=limit, filter=expr, output_fields=["id"])[0]
        found = [(self.position.get(hit["id"]), hit["distance"]) for hit in hits]
        return [(p, d) for p, d in found if p is not None and allowed[p]][:n]

    def similarity(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        rows = self.rows(ids, ["dense"])
        return np.array([np.dot(rows[int(i)]["dense"], vector) for i in ids], dtype=np.float32)

    def rows(self, ids, fields: list[str]) -> dict[int, dict]:
        keys = [int(self.keys[int(i)]) for i in ids]
        if not keys:
            return {}
        found = self.engine.client.get(self.engine.chunks, ids=keys, output_fields=fields)
        return {self.position[row["id"]]: row for row in found}

    def chunks(self, ids: list[int]) -> list[Chunk]:
        rows = self.rows(ids, ["row"])
        return [engine.entity_chunk(rows[int(i)], int(i)) for i in ids]

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        position = self.doc_order.index(doc_id)
        return self.chunks(np.flatnonzero(self.chunk_doc == position).tolist())

    def document_text(self, doc_id: str) -> str:
        if doc_id not in self.source_of_doc:
            return ""
        source, gen = self.source_of_doc[doc_id]
        payload = engine.live_payloads(self.engine, f'source == "{source}"').get(source)
        columns = layout.DOCUMENT_COLUMNS
        for row in (payload[1]["docs"] if payload and payload[0] == gen else []):
            if row[0] == doc_id:
                return row[columns.index("text")]
        return ""

    def sources(self) -> list[dict]:
        payloads = engine.live_payloads(self.engine)
        payloads.pop(engine.MANIFEST_KEY, None)
        return [{**p["source"], "info": json.dumps({k: p["source"].get(k) for k in
                                                    ("notes", "access", "overrides")})}
                for _, p in payloads.values()]


def expression(filters: Filters | None, unlocked: bool) -> str:
    """The engine's filter for what a session may see and the user's filters ask for."""
    terms = [] if unlocked else ['access == "public"']
    if filters and filters.date_from:
        terms.append(f"day >= {engine.day_number(filters.date_from)}")
    if filters and filters.date_to:
        terms.append(f"day > 0 and day <= {engine.day_number(filters.date_to)}")
    if filters and filters.committees:
        terms.append(f"committee in {json.dumps(list(filters.committees))}")
    if filters and filters.doc_types:
        terms.append(f"doc_type in {json.dumps(list(filters.doc_types))}")
    return " and ".join(terms) or "gen >= 0"


def engine_version(url: str, index_dir: Path) -> Path:
    """The engine's index for `index_dir`, named by its last publish (as EngineIndex.build)."""
    from .errors import IndexMissing

    eng = engine.connect(url, index_dir, 0, create=False)
    found = engine.live_payloads(eng, f'source == "{engine.MANIFEST_KEY}"')
    if engine.MANIFEST_KEY not in found:
        raise IndexMissing(f"no index for {index_dir} in {url}: run `rag ingest` first")
    return version_name(url, index_dir, found[engine.MANIFEST_KEY][0])


def version_name(url: str, index_dir: Path, gen: int) -> Path:
    return Path(f"{url}#{index_dir.resolve()}@{gen}")


def open_engine_index(url: str, index_dir: Path, encoder=None) -> Index:
    """The live contents of the engine's collections for `index_dir`."""
    from .errors import IndexMissing

    eng = engine.connect(url, index_dir, encoder.dimension if encoder else 0, create=False)
    payloads = engine.live_payloads(eng)
    gen, manifest = payloads.pop(engine.MANIFEST_KEY, (0, None))
    if manifest is None:
        raise IndexMissing(f"no index for {index_dir} in {url}: run `rag ingest` first")
    if encoder is not None:
        layout.check_manifest(manifest, encoder.name, encoder.dimension)
    docs, source_of_doc = {}, {}
    for source, (live, payload) in payloads.items():
        for row in payload["docs"]:
            values = dict(zip(layout.DOCUMENT_COLUMNS, row), text="")
            docs[row[0]] = layout.row_document(values)
            source_of_doc[row[0]] = (source, live)
    order = sorted(docs, key=lambda d: (docs[d].source, docs[d].start, d))
    where = {doc_id: i for i, doc_id in enumerate(order)}
    rows = sorted((r for r in engine.scan(eng, eng.chunks, "gen >= 0",
                                          ["source", "gen", "doc_id", "terms", "row"])
                   if payloads.get(r["source"], (None,))[0] == r["gen"]),
                  key=lambda r: (where[r["doc_id"]], r["id"]))
    counts = Counter(t for r in rows for t in set(r["terms"].split()))
    total = max(len(rows), 1)
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in counts.items()}
    keys = np.array([r["id"] for r in rows], dtype=np.int64)
    manifest = {**manifest, "chunks": len(rows), "documents": len(docs),
                "sources": len(payloads), "store": url.split("?")[0]}
    return EngineIndex(build=version_name(url, index_dir, gen), manifest=manifest, docs=docs,
                       doc_order=order, chunk_doc=np.array([where[r["doc_id"]] for r in rows],
                                                           dtype=np.int32),
                       vectors=None, bm25=None, db=None, embeddings=None, _idf=idf, engine=eng,
                       keys=keys, position={int(k): i for i, k in enumerate(keys)},
                       source_of_doc=source_of_doc, passages=passage_features.compute(
                           [docs[d] for d in order],
                           [engine.entity_chunk(r, i) for i, r in enumerate(rows)]))
