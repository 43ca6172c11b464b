"""Ingest files into the index: load -> split papers -> chunk -> embed -> store.

Incremental: a file whose content hash is already indexed is not read or embedded
again. A new build is written beside the old one and swapped in at the end, under a
lock, so a failed or killed ingest leaves the previous index as it was.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import config, store
from .backend import open_store
from .chunking import ChunkSettings, chunk_document, contextual_text
from .errors import IndexBusy, SkipFile
from .loading import Limits, load_file
from .papers import split_papers
from .sources import SIDECAR, allowed_roots, find_files, outside_roots
from .store import Entry, Store
from .types import Document

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FileOutcome:
    name: str
    status: str  # added | updated | moved | unchanged | skipped | removed
    reason: str = ""
    documents: int = 0
    chunks: int = 0


@dataclass(frozen=True)
class IngestReport:
    outcomes: list[FileOutcome]
    embedded: int
    published: bool
    chunks: int
    swept: tuple[str, ...] = ()  # what an interrupted or failed ingest had left, now removed


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time; the OS drops the lock if the process dies."""
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / ".ingest.lock", "a+")  # noqa: SIM115 (held for the whole block)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise IndexBusy(f"another ingest is already running on {index_dir}"
                        f"{f' (process {holder})' if holder.isdigit() else ''}; "
                        "wait for it to finish") from None
    try:
        handle.seek(0), handle.truncate(), handle.write(str(os.getpid())), handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def ingest(paths: list[Path], index_dir: Path | None = None, *, access: str = "public",
           rebuild: bool = False, remove: list[str] = (), limits: Limits = Limits(),
           settings: ChunkSettings = ChunkSettings(), encoder=None,
           progress: Progress | None = None, workers: int = 0) -> IngestReport:
    """Add, update and remove files in the index at `index_dir` (default config.index_dir());
    with `workers`, the embedding runs on that many Ray workers (rag/workers.py)."""
    from .embedding import Pipeline, load_encoder

    index_dir = index_dir or config.index_dir()
    identity = encoder_identity(encoder)
    get_encoder = (lambda: encoder) if encoder else load_encoder
    progress = progress or (lambda stage, done, total: None)
    with ingest_lock(index_dir):
        swept = tuple(store.recover(index_dir))
        for leftover in swept:
            log.info("removed %s left by an interrupted ingest", leftover)
        stored = open_store(index_dir, identity, settings.as_dict(), rebuild)
        old = dict(stored.entries)
        files = list(find_files(paths))
        roots = allowed_roots(paths)
        outcomes, pipeline = [], None if workers else Pipeline(get_encoder, progress)
        if pipeline and files and (rebuild or not old):
            pipeline.load()  # every file is new: the model loads while the first is read
        for done, path in enumerate(files, start=1):
            outside = outside_roots(path, roots)
            outcomes.append(FileOutcome(path.name, "skipped", outside) if outside else
                            ingest_file(path, stored, old, access, limits, settings))
            if pipeline and outcomes[-1].status in ("added", "updated"):
                pipeline.add(stored.entries[str(path.resolve())])  # embedded as reading goes on
            progress("read", done, len(files))
        outcomes += prune(stored, paths, remove)
        fill_texts(stored.entries, settings)
        embedded = sum(len(e.texts) for e in stored.entries.values() if e.vectors is None)
        finish = pipeline.finish if pipeline else \
            lambda: embed_entries(stored.entries, get_encoder, progress, workers)
        changed = rebuild or any(o.status in ("added", "updated", "moved", "removed")
                                   for o in outcomes)
        changed = changed and bool(stored.entries or old)  # nothing usable, nothing before
        if changed:  # the build's other parts are written while the last passages embed
            stored.publish(finish)
        else:
            finish()
        return IngestReport(outcomes, embedded, changed, stored.size, swept)


def sweep(index_dir: Path) -> list[str]:
    """At start: remove what an interrupted or failed ingest left (nothing while one runs)."""
    if not (index_dir / "builds").is_dir():
        return []
    try:
        with ingest_lock(index_dir):
            return store.recover(index_dir)
    except IndexBusy:
        return []


def encoder_identity(encoder) -> tuple[str, int]:
    """The model's name and dimension: the encoder's, else read from the model folder."""
    if encoder is not None:
        return encoder.name, encoder.dimension
    return config.model_identity(config.model_path())


def ingest_file(path: Path, stored: Store, old: dict[str, Entry], access: str,
                limits: Limits, settings: ChunkSettings) -> FileOutcome:
    key = str(path.resolve())
    try:
        overrides = read_sidecar(path)
        level = overrides.pop("access", access)
        previous, sha = old.get(key), file_sha256(path)
        if previous and same_file(previous, sha, level, overrides):
            return FileOutcome(path.name, "unchanged", documents=len(previous.docs),
                               chunks=len(previous.chunks))
        twin = next((k for k, e in stored.entries.items()
                     if k != key and same_file(e, sha, level, overrides)), None)
        if twin and (outcome := copy_or_move(path, key, twin, stored)):
            return outcome
        source = load_file(path, limits)
        docs = [apply_overrides(d, overrides) for d in split_papers(source, level)]
        docs = unique_doc_ids(docs, stored.entries, key)
        chunks = [c for d in docs for c in chunk_document(d, settings)]
    except SkipFile as exc:
        return FileOutcome(path.name, "skipped", str(exc))
    except OSError as exc:
        return FileOutcome(path.name, "skipped", f"cannot read file ({exc.strerror})")
    except Exception as exc:  # a bug or an unforeseen file must not stop the batch
        log.exception("could not process %s", path)
        return FileOutcome(path.name, "skipped",
                           f"could not process ({type(exc).__name__}: {str(exc)[:120]})")
    stored.add(key, Entry(source_row(source, key, level, overrides), docs, chunks,
                          indexed_texts(docs, chunks, settings)))
    note = "; ".join(source.notes)
    restricted = [d for d in docs if d.access == "restricted"]
    if restricted and level != "restricted":
        note = "; ".join(filter(None, [note, "restricted: " + ", ".join(
            restricted[0].access_reasons)]))
    return FileOutcome(path.name, "updated" if key in old else "added", note, len(docs),
                       len(chunks))


def same_file(entry: Entry, sha: str, access: str, overrides: dict) -> bool:
    source = entry.source
    return source["sha256"] == sha and source["access"] == access and \
        source["overrides"] == overrides


def copy_or_move(path: Path, key: str, twin: str, stored: Store) -> FileOutcome | None:
    """A file whose content is indexed under another path, `twin`. A copy is skipped (its
    papers would show twice); the same file moved keeps its papers and vectors under the new
    path; moved and renamed, it is read again (None), as its papers carry its name."""
    entry = stored.entries[twin]
    if Path(twin).exists():
        if key in stored.entries:  # it held other content before: that is gone now
            stored.delete(key)
            return FileOutcome(path.name, "removed", f"now a copy of {twin}, already indexed")
        return FileOutcome(path.name, "skipped", f"a copy of {twin}, already indexed")
    stored.delete(twin)
    if Path(twin).name != path.name:
        return None
    stored.add(key, replace(entry, source={**entry.source, "key": key}))
    return FileOutcome(path.name, "moved", f"from {Path(twin).parent}",
                       len(entry.docs), len(entry.chunks))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sidecar(path: Path) -> dict:
    """Optional NAME.meta.json beside a file: access, title, committee, date, doc_type."""
    sidecar = path.with_name(path.name + SIDECAR)
    try:
        if not sidecar.exists():
            return {}
    except OSError as exc:  # a legal long name leaves no room for NAME.meta.json
        if exc.errno == errno.ENAMETOOLONG:
            return {}
        raise
    try:
        data = json.loads(sidecar.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SkipFile(f"unreadable metadata file {sidecar.name} ({exc})") from None
    allowed = {"access", "title", "committee", "date", "doc_type", "author"}
    if not isinstance(data, dict) or set(data) - allowed:
        raise SkipFile(f"{sidecar.name} may only set {', '.join(sorted(allowed))}")
    if data.get("access", "public") not in ("public", "restricted"):
        raise SkipFile(f"{sidecar.name}: access must be 'public' or 'restricted'")
    return data


def apply_overrides(doc: Document, overrides: dict) -> Document:
    from datetime import date

    values = {k: v for k, v in overrides.items() if k != "date"}
    if "date" in overrides:
        try:
            values["date"] = date.fromisoformat(overrides["date"])
        except (TypeError, ValueError):
            raise SkipFile(f"metadata date {overrides['date']!r} is not YYYY-MM-DD") from None
    return replace(doc, **values)


def unique_doc_ids(docs: list[Document], entries: dict[str, Entry], key: str) -> list[Document]:
    taken = {d.doc_id for k, e in entries.items() if k != key for d in e.docs}
    if not any(d.doc_id in taken for d in docs):
        return docs
    suffix = hashlib.sha256(key.encode()).hexdigest()[:6]  # the same on every run
    return [replace(d, doc_id=f"{d.doc_id}~{suffix}") for d in docs]


def source_row(source, key: str, access: str, overrides: dict) -> dict:
    return {"key": key, "name": source.name, "sha256": source.sha256,
            "pages": len(source.page_starts), "access": access, "overrides": overrides,
            "notes": "; ".join(source.notes),
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds")}


def prune(stored: Store, paths: list[Path], remove: list[str]) -> list[FileOutcome]:
    """Drop files that vanished from a scanned folder, and those named in `remove`."""
    folders = [str(p.resolve()) + os.sep for p in paths if p.is_dir()]
    outcomes = []
    for key in list(stored.entries):
        gone = any(key.startswith(f) for f in folders) and not Path(key).exists()
        named = Path(key).name in remove or key in remove
        if gone or named:
            outcomes.append(FileOutcome(Path(key).name, "removed",
                                        "file no longer exists" if gone else "removed on request"))
            stored.delete(key)
    return outcomes


def indexed_texts(docs: list[Document], chunks: list, settings: ChunkSettings) -> list[str]:
    """What each passage is embedded and BM25-indexed by: its context header and its text."""
    by_id = {d.doc_id: d for d in docs}
    return [contextual_text(by_id[c.doc_id], c, settings) for c in chunks]


def fill_texts(entries: dict[str, Entry], settings: ChunkSettings) -> None:
    """Entries read back from the previous build come without their indexed texts."""
    for entry in entries.values():
        if len(entry.texts) != len(entry.chunks):
            entry.texts = indexed_texts(entry.docs, entry.chunks, settings)


def embed_entries(entries: dict[str, Entry], get_encoder, progress: Progress,
                  workers: int = 0) -> int:
    """Embed the chunks of new and changed files only; the model loads only if needed."""
    pending = [e for e in entries.values() if e.vectors is None]
    if not pending:
        return 0
    texts = [text for entry in pending for text in entry.texts]
    if workers:
        from .workers import embed_on_workers

        vectors = embed_on_workers(texts, workers, progress)
    else:
        vectors = embed_in_batches(texts, get_encoder(), progress)
    offset = 0
    for entry in pending:
        entry.vectors = vectors[offset: offset + len(entry.chunks)]
        offset += len(entry.chunks)
    return len(texts)


def embed_in_batches(texts: list[str], encoder, progress: Progress, batch: int = 128) -> np.ndarray:
    """Embed each distinct text once, longest first so batches pad least; report progress."""
    import time

    distinct = list(dict.fromkeys(texts))
    order = sorted(range(len(distinct)), key=lambda i: -len(distinct[i]))
    vectors = np.zeros((len(distinct), encoder.dimension), dtype=np.float32)
    began = time.perf_counter()
    progress("embed", 0, len(distinct))
    for start in range(0, len(order), batch):
        rows = order[start: start + batch]
        vectors[rows] = encoder.embed([distinct[i] for i in rows])
        progress("embed", min(start + batch, len(order)), len(distinct))
    seconds = time.perf_counter() - began
    log.info("embedded %d passages (%d distinct) in %.1f s: %.1f/s", len(texts), len(distinct),
             seconds, len(distinct) / seconds if seconds else 0.0)
    position = {text: i for i, text in enumerate(distinct)}
    return vectors[[position[t] for t in texts]] if texts else vectors
