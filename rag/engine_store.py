"""The write side of the store on Milvus: add, delete and publish, one source file at a time.

The same calls as rag/store.py's Store, but publish applies only what changed: a new or
changed file is upserted as a new generation of its rows and a removed one deleted by
key, with no rebuild-and-swap. The order of the writes (rag/engine.py) keeps the
previous version of a file searchable until its new version is complete.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from . import config, engine, layout
from .store import Entry, checkpoint
from .terms import index_terms

log = logging.getLogger(__name__)
WRITE_BATCH = 512


class EngineStore:
    def __init__(self, eng: engine.Engine, model: tuple[str, int], chunker: dict,
                 entries: dict[str, Entry], live: dict[str, int]):
        self.engine, self.model, self.chunker = eng, model, chunker
        self.entries = entries
        self.live = live  # source hash -> live generation, as found on opening
        self.changed: set[str] = set()

    @classmethod
    def open(cls, url: str, index_dir, model: tuple[str, int], chunker: dict,
             rebuild: bool = False) -> EngineStore:
        eng = engine.connect(url, index_dir, model[1])
        payloads = engine.live_payloads(eng)
        manifest = payloads.pop(engine.MANIFEST_KEY, (0, {}))[1]
        live = {source: gen for source, (gen, _) in payloads.items()}
        sweep(eng, live)
        same = manifest.get("format_version") == config.FORMAT_VERSION and \
            manifest.get("chunker") == chunker
        if manifest:
            layout.check_manifest({**manifest, "format_version": config.FORMAT_VERSION},
                                  *model)
        entries = {} if rebuild or not same else read_entries(eng, payloads)
        return cls(eng, model, chunker, entries, live)

    @property
    def size(self) -> int:
        return sum(len(e.chunks) for e in self.entries.values())

    def add(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry
        self.changed.add(key)

    def delete(self, key: str) -> None:
        del self.entries[key]

    def publish(self, embedded: Callable[[], object] = lambda: None) -> None:
        """Upsert the changed files, delete the removed ones, then record the manifest
        (once `embedded` has returned: every entry has its vectors then)."""
        embedded()
        kept = {engine.source_hash(k) for k in self.entries}
        for key in sorted(self.changed & set(self.entries)):
            upsert(self.engine, key, self.entries[key])
        for source in set(self.live) - kept:
            remove(self.engine, source)
        name, dimension = self.model
        manifest = {"model": name, "dimension": dimension, "chunker": self.chunker,
                    "format_version": config.FORMAT_VERSION,
                    "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
        gen = write_payload(self.engine, engine.MANIFEST_KEY, manifest)
        drop_older(self.engine, engine.MANIFEST_KEY, gen, chunks=False)
        checkpoint("published")


def upsert(eng: engine.Engine, key: str, entry: Entry) -> None:
    """Write the file's passages as a new generation, commit its source rows, then drop
    the older generation: until the commit the previous version stays the live one."""
    if len(entry.texts) != len(entry.chunks):
        raise ValueError(f"{key}: entry has no indexed texts (ingest.fill_texts)")
    source, gen = engine.source_hash(key), generation()
    docs = {d.doc_id: d for d in entry.docs}
    rows = [engine.chunk_entity(gen << engine.ID_SHIFT | i, source, gen, docs[c.doc_id], c,
                                " ".join(index_terms(text)), np.asarray(vector).tolist())
            for i, (c, text, vector) in enumerate(zip(entry.chunks, entry.texts,
                                                      entry.vectors))]
    for start in range(0, len(rows), WRITE_BATCH):
        eng.client.insert(eng.chunks, rows[start: start + WRITE_BATCH])
    checkpoint("engine-chunks")
    info = {k: entry.source[k] for k in entry.source}
    write_payload(eng, source, {"source": info, "docs": engine.document_payload(entry.docs)},
                  gen)
    checkpoint("engine-committed")
    drop_older(eng, source, gen)


def write_payload(eng: engine.Engine, source: str, payload: dict, gen: int | None = None) -> int:
    """Insert a payload's rows as a generation (a new one unless given); returns it."""
    gen = generation() if gen is None else gen
    eng.client.insert(eng.sources, engine.blob_rows(source, gen, payload))
    return gen


def drop_older(eng: engine.Engine, source: str, gen: int, chunks: bool = True) -> None:
    expr = f'source == "{source}" and gen < {gen}'
    eng.client.delete(eng.sources, filter=expr)
    if chunks:
        eng.client.delete(eng.chunks, filter=expr)


def remove(eng: engine.Engine, source: str) -> None:
    """Delete a file by key: its source rows first, so its passages stop being live."""
    eng.client.delete(eng.sources, filter=f'source == "{source}"')
    eng.client.delete(eng.chunks, filter=f'source == "{source}"')


def sweep(eng: engine.Engine, live: dict[str, int]) -> None:
    """Remove what a killed ingest left: passages and parts of generations never made live."""
    stale = [r["id"] for r in engine.scan(eng, eng.chunks, "gen >= 0", ["source", "gen"])
             if live.get(r["source"]) != r["gen"]]
    for start in range(0, len(stale), 4096):
        eng.client.delete(eng.chunks, ids=stale[start: start + 4096])
    parts = [r["pk"] for r in engine.scan(eng, eng.sources, "gen >= 0", ["source", "gen"])
             if r["source"] != engine.MANIFEST_KEY and live.get(r["source"]) != r["gen"]]
    if parts:
        eng.client.delete(eng.sources, ids=parts)
    if stale or parts:
        log.info("removed %d passages and %d source parts left by an interrupted ingest",
                 len(stale), len(parts))


def read_entries(eng: engine.Engine, payloads: dict[str, tuple[int, dict]]) -> dict[str, Entry]:
    """The live files, their papers and passages; their vectors stay in the engine (they are
    rewritten only when the file changes) and their indexed texts are left for ingest."""
    chunks: dict[str, list] = {}
    for row in engine.scan(eng, eng.chunks, "gen >= 0", ["source", "gen", "row"]):
        if payloads.get(row["source"], (None,))[0] == row["gen"]:
            chunks.setdefault(row["source"], []).append(row)
    entries = {}
    for source, (_, payload) in payloads.items():
        docs = [layout.row_document(dict(zip(layout.DOCUMENT_COLUMNS, d)))
                for d in payload["docs"]]
        rows = sorted(chunks.get(source, []), key=lambda r: r["id"])
        found = [engine.entity_chunk(r, i) for i, r in enumerate(rows)]
        vectors = np.zeros((len(found), eng.dimension), np.float32)  # not None: not re-embedded
        entries[payload["source"]["key"]] = Entry(payload["source"], docs, found, [], vectors)
    return entries


def generation() -> int:
    """A new generation number: milliseconds since 1970, one later than any before."""
    global _last
    _last = max(int(time.time() * 1000), _last + 1)
    return _last


_last = 0
