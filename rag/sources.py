"""Which files an ingest reads: the files under the folders given, never a file that a link
leads to outside them, never hidden files or metadata sidecars."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .errors import RagError

SIDECAR = ".meta.json"


def find_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if exists(path) and path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and not child.name.endswith(SIDECAR):
                    yield child
        elif exists(path):
            yield path
        else:
            raise RagError(f"no such file or folder: {path}")


def exists(path: Path) -> bool:
    """Whether `path` exists; a name the system cannot take is a one-line error."""
    try:
        return path.exists()
    except OSError as exc:
        raise RagError(f"cannot read {str(path)[:80]}…: {exc.strerror}") from None


def allowed_roots(paths: list[Path]) -> list[Path]:
    """Where ingested files must really live: each folder given, or a named file's folder."""
    return [(p if p.is_dir() else p.parent).resolve() for p in paths]


def outside_roots(path: Path, roots: list[Path]) -> str | None:
    """Why a file reached through a link that leads out of the folders ingested is skipped."""
    target = path.resolve()
    if any(target.is_relative_to(root) for root in roots):
        return None
    return "a link to a file outside the folders being ingested: not indexed"
