"""The store on Milvus: the connection, the two collections and how rows are encoded.

Chosen by RAG_STORE (rag/config.py): `milvus:///path/file.db` runs milvus-lite in-process
(tests, one machine), `milvus://host:19530` talks to Milvus Standalone or Distributed.
Each index folder gets its own pair of collections, named from the folder's path:

    <prefix>_chunks   one row per passage: its dense vector, its BM25 terms (Milvus builds
                      the sparse BM25 vector itself), access, committee, type and date for
                      filter expressions, and the passage's fields as JSON
    <prefix>_sources  one source file per row group: its source row, papers and texts as
                      JSON split into parts, plus the manifest row

A source file's rows carry a generation. rag/engine_store.py writes a new generation's
passages, then its source rows (the commit), then deletes the older generation, so a
crash mid-way leaves the previous version live; rag/engine_index.py serves only the live
generation of each source (the newest one whose source rows are complete).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from .errors import IndexMissing, RagError
from .layout import chunk_row, document_row
from .types import Chunk, Document

PART_CHARS = 16_000  # a VARCHAR holds 65,535 bytes: four per character at worst
ID_SHIFT = 22  # chunk primary key = generation << ID_SHIFT | passage number in that write
MANIFEST_KEY = "manifest"
BM25 = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's defaults, so both backends score alike
MAX_LIMIT = 16_384  # Milvus's largest top-k


@dataclass(frozen=True)
class Engine:
    """An open client and the names of one index's collections."""

    client: object
    chunks: str
    sources: str
    dimension: int


def connect(url: str, index_dir, dimension: int, create: bool = True) -> Engine:
    """Open the engine at `url` and the collections for `index_dir`: created if new when
    writing, IndexMissing when reading an index never written."""
    try:
        from pymilvus import MilvusClient, MilvusException
    except ImportError:
        raise RagError(f"RAG_STORE={url} needs pymilvus: pip install -e '.[engine]'") from None

    if not url.startswith("milvus://"):
        raise RagError(f"RAG_STORE={url} is not a milvus:// address")
    target = url.removeprefix("milvus://")
    uri = target if target.startswith("/") else f"http://{target}"
    try:
        client = MilvusClient(uri)
    except MilvusException as exc:
        raise RagError(f"cannot reach the search engine at {url} ({exc})") from None
    prefix = "rag_" + hashlib.sha256(str(index_dir.resolve()).encode()).hexdigest()[:16]
    engine = Engine(client, f"{prefix}_chunks", f"{prefix}_sources", dimension)
    if not create and not client.has_collection(engine.sources):
        raise IndexMissing(f"no index for {index_dir} in {url}: run `rag ingest` first")
    if not client.has_collection(engine.chunks):
        create_chunks(engine)
    if not client.has_collection(engine.sources):
        create_sources(engine)
    for name in (engine.chunks, engine.sources):
        client.load_collection(name)
    return engine


def create_chunks(engine: Engine) -> None:
    from pymilvus import DataType, Function, FunctionType

    schema = engine.client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("source", DataType.VARCHAR, max_length=64)
    schema.add_field("gen", DataType.INT64)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=1024)
    schema.add_field("access", DataType.VARCHAR, max_length=16)
    schema.add_field("committee", DataType.VARCHAR, max_length=1024)
    schema.add_field("doc_type", DataType.VARCHAR, max_length=256)
    schema.add_field("day", DataType.INT64)  # yyyymmdd; 0 when the paper has no date
    schema.add_field("terms", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                     analyzer_params={"tokenizer": "standard"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=engine.dimension)
    schema.add_field("row", DataType.VARCHAR, max_length=65_535)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                 input_field_names=["terms"], output_field_names=["sparse"]))
    indexes = engine.client.prepare_index_params()
    indexes.add_index("dense", index_type="AUTOINDEX", metric_type="IP")
    indexes.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                      params=BM25)
    engine.client.create_collection(engine.chunks, schema=schema, index_params=indexes,
                                    consistency_level="Strong")


def create_sources(engine: Engine) -> None:
    from pymilvus import DataType

    schema = engine.client.create_schema(auto_id=False)
    schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=128)
    schema.add_field("source", DataType.VARCHAR, max_length=64)
    schema.add_field("gen", DataType.INT64)
    schema.add_field("part", DataType.INT64)
    schema.add_field("parts", DataType.INT64)
    schema.add_field("blob", DataType.VARCHAR, max_length=65_535)
    schema.add_field("unused", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants one vector
    indexes = engine.client.prepare_index_params()
    indexes.add_index("unused", index_type="AUTOINDEX", metric_type="L2")
    engine.client.create_collection(engine.sources, schema=schema, index_params=indexes,
                                    consistency_level="Strong")


def source_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def blob_rows(source: str, gen: int, payload: dict) -> list[dict]:
    """A JSON payload as source rows of at most PART_CHARS characters each."""
    text = json.dumps(payload)
    parts = [text[i: i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
    return [{"pk": f"{source}:{gen}:{n}", "source": source, "gen": gen, "part": n,
             "parts": len(parts), "blob": part, "unused": [0.0, 0.0]}
            for n, part in enumerate(parts)]


def live_payloads(engine: Engine, expr: str = "gen >= 0") -> dict[str, tuple[int, dict]]:
    """Per source: its live generation and payload (the newest one with every part)."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for row in scan(engine, engine.sources, expr, ["source", "gen", "part", "parts", "blob"]):
        groups.setdefault((row["source"], row["gen"]), []).append(row)
    live: dict[str, tuple[int, dict]] = {}
    for (source, gen), rows in sorted(groups.items(), key=lambda item: item[0][1]):
        if len(rows) == rows[0]["parts"]:
            text = "".join(r["blob"] for r in sorted(rows, key=lambda r: r["part"]))
            live[source] = (gen, json.loads(text))
    return live


def scan(engine: Engine, collection: str, expr: str, fields: list[str]):
    """Every row matching `expr`, read in batches."""
    iterator = engine.client.query_iterator(collection, batch_size=4096, filter=expr,
                                            output_fields=fields)
    try:
        while batch := iterator.next():
            yield from batch
    finally:
        iterator.close()


def chunk_entity(pk: int, source: str, gen: int, doc: Document, chunk: Chunk, terms: str,
                 vector) -> dict:
    return {"id": pk, "source": source, "gen": gen, "doc_id": doc.doc_id, "access": doc.access,
            "committee": doc.committee or "", "doc_type": doc.doc_type or "",
            "day": day_number(doc.date), "terms": terms, "dense": vector,
            "row": json.dumps(chunk_row(chunk)[1:])}


def entity_chunk(row: dict, chunk_id: int) -> Chunk:
    doc_id, text, start, end, page, section, paragraph = json.loads(row["row"])
    return Chunk(chunk_id=chunk_id, doc_id=doc_id, text=text, start=start, end=end, page=page,
                 section=section, paragraph=paragraph)


def document_payload(docs: list[Document]) -> list[list]:
    return [list(document_row(d)) for d in docs]


def day_number(when: date | None) -> int:
    return when.year * 10_000 + when.month * 100 + when.day if when else 0


def release(url: str) -> None:
    """Let another process open a milvus-lite file this process had open (tests do this
    before running `rag ingest` in a subprocess); a server address needs nothing."""
    target = url.removeprefix("milvus://")
    if target.startswith("/"):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(target)
