"""Papers added through the app: safe file names in the corpus folder, then ingest.

An uploaded name is never trusted: directories are stripped, odd characters replaced,
hidden and metadata-sidecar names refused, and an existing different file is never
overwritten (the new one gets a numbered name). A visitor who cannot see restricted papers
gets a name carrying the content's hash instead, so no name taken by a restricted file
shows through a "-2".
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import SkipFile
from .ingest import FileOutcome, Progress, file_sha256, ingest
from .loading import SUPPORTED, Limits

MAX_UPLOAD_BYTES = Limits.max_bytes  # one limit for uploads and `rag ingest` (--max-mb)
FILE_MODE = 0o644  # as a paper copied into the corpus folder: readable, not executable
MAX_NAME_CHARS = 120
UPLOAD_TYPES = sorted(s.lstrip(".") for s in SUPPORTED)
ODD = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser sent it
    data: bytes


def safe_name(name: str) -> str:
    """A plain file name for the corpus folder, keeping a supported suffix."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = ODD.sub("-", base).strip(".-_ ")
    stem, dot, suffix = base.rpartition(".")
    if not dot or "." + suffix.lower() not in SUPPORTED:
        raise SkipFile(f"unsupported file type (use {', '.join(UPLOAD_TYPES)})")
    stem = re.sub(r"[.-]{2,}", "-", stem).strip(".-_")[: MAX_NAME_CHARS] or "paper"
    return f"{stem}.{suffix.lower()}"


def save_upload(upload: Upload, folder: Path, max_bytes: int = MAX_UPLOAD_BYTES,
                member: bool = True) -> Path:
    """Write the upload into `folder` under a safe name; never replace a different file.

    A non-member's name always carries the content's hash, whatever else is in the folder."""
    if not upload.data:
        raise SkipFile("empty file")
    if len(upload.data) > max_bytes:
        raise SkipFile(f"too large ({len(upload.data) / 2**20:.1f} MB > "
                       f"{max_bytes / 2**20:g} MB limit)")
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_name(upload.name) if member else hashed_name(upload)
    target = free_path(folder, name, upload.data)
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(upload.data)
        os.chmod(tmp, FILE_MODE)  # mkstemp makes it private to this process's user
        os.replace(tmp, target)  # replaces a link itself, never writes through it
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def hashed_name(upload: Upload) -> str:
    """NAME-<first 8 hex of the SHA-256>.suffix: the same bytes always get the same name."""
    import hashlib

    stem, suffix = safe_name(upload.name).rsplit(".", 1)
    return f"{stem}-{hashlib.sha256(upload.data).hexdigest()[:8]}.{suffix}"


def free_path(folder: Path, name: str, data: bytes) -> Path:
    """`name` if free or already holding these bytes, else name-2, name-3, ..."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    stem, suffix = name.rsplit(".", 1)
    for number in range(1, 1000):
        target = folder / (name if number == 1 else f"{stem}-{number}.{suffix}")
        if not target.exists() and not target.is_symlink():
            return target
        if target.is_file() and not target.is_symlink() and file_sha256(target) == digest:
            return target
    raise SkipFile(f"too many files named {name}")


def add_uploads(uploads: list[Upload], corpus_dir: Path, index_dir: Path, *,
                access: str = "public", max_bytes: int = MAX_UPLOAD_BYTES, member: bool = True,
                encoder=None, progress: Progress | None = None) -> list[FileOutcome]:
    """Save each upload into the corpus folder and ingest the saved files.

    Returns one outcome per upload: added, updated, unchanged, or skipped with the reason.
    `member`: the uploader can see restricted papers (else names carry a hash, save_upload).
    A file already in the library is left as it is (its access level included).
    """
    saved, done = [], []
    indexed = indexed_keys(index_dir)
    for upload in uploads:
        try:
            path = save_upload(upload, corpus_dir, max_bytes, member)
        except SkipFile as exc:
            done.append(FileOutcome(upload.name, "skipped", str(exc)))
            continue
        if str(path.resolve()) in indexed:
            done.append(FileOutcome(path.name, "unchanged", "already in the library"))
        elif path not in saved:
            saved.append(path)
    if not saved:
        return done
    report = ingest(saved, index_dir, access=access, encoder=encoder, progress=progress)
    return report.outcomes + done


def indexed_keys(index_dir: Path) -> set[str]:
    """The source files the current index holds (resolved paths)."""
    from . import layout
    from .errors import IndexMissing

    try:
        db = layout.connect(layout.current_build(index_dir))
    except IndexMissing:
        return set()
    try:
        return {row["key"] for row in db.execute("SELECT key FROM sources")}
    finally:
        db.close()
