"""Load a file (PDF, text, Markdown, HTML) into cleaned text with page offsets."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .cleaning import clean_text
from .errors import SkipFile
from .types import SourceFile

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 3000
    max_seconds: float = 120.0
    max_chars: int = 20_000_000


def sniff_kind(head: bytes, suffix: str) -> str:
    """Decide pdf / html / text from the content, falling back on the name."""
    stripped = head.lstrip()
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or suffix in HTML_SUFFIXES:
        return "html"
    if suffix == ".pdf":
        raise SkipFile("malformed PDF: no PDF header")
    if suffix in TEXT_SUFFIXES:
        return "text"
    raise SkipFile(f"unsupported file type '{suffix or 'none'}' (use PDF, text, Markdown or HTML)")


def load_file(path: Path, limits: Limits = Limits()) -> SourceFile:
    """Read one file; raises SkipFile with the reason when it cannot be used."""
    size = path.stat().st_size
    if size == 0:
        raise SkipFile("empty file")
    if size > limits.max_bytes:
        raise SkipFile(f"too large ({size / 1e6:.1f} MB > {limits.max_bytes / 1e6:.0f} MB limit)")
    data = path.read_bytes()
    kind = sniff_kind(data[:2048], path.suffix.lower())
    if kind == "pdf":
        pages, notes = read_pdf(data, limits)
    else:
        pages, notes = [(None, clean_text(decode_text(data)))], ()
    text, page_starts = join_pages(pages)
    if len(text) > limits.max_chars:
        raise SkipFile(f"too large ({len(text):,} characters of text)")
    if not text.strip():
        raise SkipFile("no extractable text (scanned without an OCR layer?)"
                       if kind == "pdf" else "empty: no text")
    return SourceFile(path=str(path), name=path.name, sha256=hashlib.sha256(data).hexdigest(),
                      text=text, page_starts=page_starts, notes=tuple(notes))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1: never fails."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def join_pages(pages: list[tuple[int | None, str]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    parts, starts, offset = [], [], 0
    for number, text in pages:
        if number is not None:
            starts.append((number, offset))
        parts.append(text)
        offset += len(text) + 2
    return "\n\n".join(parts), tuple(starts)


def read_pdf(data: bytes, limits: Limits) -> tuple[list[tuple[int, str]], list[str]]:
    import io

    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    notes: list[str] = []
    warnings: list[str] = []
    handler = _CollectWarnings(warnings)
    logging.getLogger("pypdf").addHandler(handler)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            open_encrypted(reader)
            notes.append("encrypted with an empty password: opened")
        count = len(reader.pages)
        if count > limits.max_pages:
            raise SkipFile(f"too many pages ({count} > {limits.max_pages} limit)")
        pages = extract_pages(reader, limits)
    except SkipFile:
        raise
    except FileNotDecryptedError:
        raise SkipFile("password-protected PDF") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, AssertionError, OSError, NotImplementedError) as exc:
        raise SkipFile(f"malformed PDF ({type(exc).__name__}: {str(exc)[:120]})") from None
    finally:
        logging.getLogger("pypdf").removeHandler(handler)
    if warnings:
        notes.append("repaired: " + warnings[0][:120])
    return pages, notes


def open_encrypted(reader) -> None:
    from pypdf.errors import DependencyError

    try:
        if not reader.decrypt(""):
            raise SkipFile("password-protected PDF")
    except DependencyError:
        raise SkipFile("encrypted PDF needs the 'cryptography' package (pip install "
                       "'pypdf[crypto]')") from None


def extract_pages(reader, limits: Limits) -> list[tuple[int, str]]:
    deadline = time.monotonic() + limits.max_seconds
    pages, total = [], 0
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() > deadline:
            raise SkipFile(f"took too long (over {limits.max_seconds:.0f} s to read)")
        text = clean_text(page.extract_text() or "")
        total += len(text)
        if total > limits.max_chars:
            raise SkipFile(f"too large (over {limits.max_chars:,} characters of text)")
        pages.append((number, text))
    return pages


class _CollectWarnings(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())
