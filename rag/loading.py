"""Load a file (PDF, text, Markdown, HTML) into cleaned text with page offsets.

Every way a file can be unusable ends in SkipFile with a reason a user can act on:
empty, too large, unsupported type, malformed or password-protected PDF, no
extractable text, or taking too long. Types are sniffed from the content; the name
only breaks ties. PDF pages with no text layer are read by OCR (rag/ocr.py) and every
PDF page is re-flowed (cleaning.reflow) without changing its length.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .cleaning import clean_text, clean_with_headings, html_to_text, reflow, split_front_matter
from .errors import SkipFile
from .ocr import read_scans
from .textfiles import stream_text
from .types import SourceFile

log = logging.getLogger(__name__)
CLEANING = __name__.rpartition(".")[0] + ".cleaning"  # the time limit may stop cleaning too

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".php", ".asp", ".aspx"}  # pages saved from council sites
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf"}
BINARY_MAGIC = {  # common files that are not papers this tool can read
    b"PK\x03\x04": "a ZIP or Office (docx/xlsx) file",
    b"\xd0\xcf\x11\xe0": "an old Office (doc/xls) file",
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image", b"{\\rtf": "an RTF file",
}


@dataclass(frozen=True)
class Limits:
    """Per-file limits; `rag ingest --max-mb/--max-pages/--max-seconds` set them.

    The options read RAG_MAX_MB, RAG_MAX_PAGES and RAG_MAX_SECONDS too.
    """

    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 1000
    max_seconds: float = 60.0
    max_chars: int = 20_000_000


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so no `except Exception` in a reader swallows it."""


def sniff_kind(head: bytes, suffix: str) -> str:
    """Decide pdf / html / text from the content, falling back on the name."""
    stripped = head.lstrip()
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, what in BINARY_MAGIC.items():
        if stripped.startswith(magic):
            raise SkipFile(f"unsupported file type: {what}"
                           + (" named .pdf" if suffix == ".pdf" else ""))
    if suffix not in SUPPORTED:
        raise SkipFile(f"unsupported file type '{suffix or 'none'}' "
                       "(use PDF, text, Markdown or HTML)")
    if looks_binary(head):
        raise SkipFile("malformed PDF: no PDF header" if suffix == ".pdf"
                       else "unsupported file type: binary content, not text")
    lowered = stripped[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or suffix in HTML_SUFFIXES:
        return "html"
    return "text"


def looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not text (UTF-16 with a BOM is text)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or not head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\x1b")
    return b"\x00" in head or controls / len(head) > 0.02


def load_file(path: Path, limits: Limits = Limits()) -> SourceFile:
    """Read one file; raises SkipFile with the reason when it cannot be used."""
    size = path.stat().st_size
    if size == 0:
        raise SkipFile("empty file")
    if size > limits.max_bytes:
        raise SkipFile(f"too large ({size / 2**20:.1f} MB > {limits.max_bytes / 2**20:g} MB "
                       "limit; raise it with --max-mb)")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    suffix = path.suffix.lower()
    kind = sniff_kind(head, suffix)
    notes: list[str] = []
    front: dict[str, str] = {}
    headings: tuple[int, ...] = ()
    ocr: tuple[int, ...] = ()
    if kind == "pdf":
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        pages, notes, ocr = read_pdf(data, limits)
    else:
        front, text, headings, digest = read_text_file(path, kind, limits)
        pages = [(None, text)]
    if kind == "pdf" and suffix not in ("", ".pdf"):
        notes.insert(0, f"named {suffix} but is a PDF: read as PDF")
    elif kind != "pdf" and suffix == ".pdf":
        notes.insert(0, f"named .pdf but is {kind}: read as {kind}")
    text, page_starts = join_pages(pages)
    if len(text) > limits.max_chars:
        raise SkipFile(f"too large ({len(text):,} characters of text)")
    if not text.strip():
        raise SkipFile("no extractable text (not even by OCR)"
                       if kind == "pdf" else "empty: no text")
    return SourceFile(path=str(path), name=path.name, sha256=digest, text=text,
                      page_starts=page_starts, notes=tuple(notes), ocr_pages=ocr,
                      front_matter=tuple(front.items()), headings=headings)


def read_text_file(path: Path, kind: str,
                   limits: Limits) -> tuple[dict[str, str], str, tuple[int, ...], str]:
    """A text or HTML file's front matter, cleaned text, heading offsets and SHA-256, within
    the time and character limits."""
    timer = Timer()
    try:
        with time_limit(limits.max_seconds, timer):
            raw, digest = stream_text(path, limits.max_chars, limits.max_seconds)
            front, raw = split_front_matter(raw)
            text, headings = clean_with_headings(html_to_text(raw) if kind == "html" else raw)
            return front, text, headings, digest
    except (_TimeUp, TimeoutError):
        raise too_long(limits) from None


def too_long(limits: Limits) -> SkipFile:
    return SkipFile(f"took too long (over {limits.max_seconds:g} s to read; raise it "
                    "with --max-seconds)")


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM, UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
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


def read_pdf(data: bytes,
             limits: Limits) -> tuple[list[tuple[int, str]], list[str], tuple[int, ...]]:
    """Pages of text, notes on what was done to get them, and the pages read by OCR;
    bounded in time and size."""
    started = time.monotonic()
    warnings: list[str] = []
    handler = _CollectWarnings(warnings)
    logging.getLogger("pypdf").addHandler(handler)
    timer = Timer()
    try:
        with time_limit(limits.max_seconds, timer):
            pages, notes = parse_pdf(data, limits)
    except _TimeUp:
        raise too_long(limits) from None
    except SkipFile:
        if timer.fired:  # the alarm was swallowed somewhere and something else gave way
            raise too_long(limits) from None
        raise
    except MemoryError:
        raise SkipFile("too large: ran out of memory reading it") from None
    finally:
        logging.getLogger("pypdf").removeHandler(handler)
    pages, ocr, note = read_scans(data, pages, started + limits.max_seconds)  # rag/ocr.py
    blank = sum(1 for _, text in pages if not text.strip())
    if note:
        notes.append(note)
    elif 0 < blank < len(pages):
        notes.append(f"{blank} of {len(pages)} pages had no text (scanned?)")
    if warnings:
        notes.append("repaired: " + warnings[0][:120])
    return pages, notes, ocr


def parse_pdf(data: bytes, limits: Limits) -> tuple[list[tuple[int, str]], list[str]]:
    import io

    import pypdf
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    notes: list[str] = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            open_encrypted(reader)
            notes.append("encrypted with an empty password: opened")
        count = len(reader.pages)
        if count > limits.max_pages:
            raise SkipFile(f"too many pages ({count:,} > {limits.max_pages:,} limit; raise it "
                           "with --max-pages)")
        return extract_pages(reader, limits), notes
    except FileNotDecryptedError:
        raise SkipFile("password-protected PDF") from None
    except LimitReachedError as exc:
        raise SkipFile(f"too large: a safety limit was hit while reading (pypdf: "
                       f"{str(exc)[:80]}); a compression bomb?") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, AssertionError, OSError, NotImplementedError, UnicodeError,
            ZeroDivisionError, OverflowError) as exc:
        raise SkipFile(f"malformed PDF ({type(exc).__name__}: {str(exc)[:120]})") from None


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
        if time.monotonic() > deadline:  # where no alarm can interrupt (not the main thread)
            raise _TimeUp()
        text = reflow(clean_text(page.extract_text() or ""))
        total += len(text)
        if total > limits.max_chars:
            raise SkipFile(f"too large (over {limits.max_chars:,} characters of text)")
        pages.append((number, text))
    if time.monotonic() > deadline:  # the alarm fired where it was swallowed (a finalizer)
        raise _TimeUp()
    return pages


class Timer:
    """Whether time_limit's alarm went off, even where its exception was swallowed."""

    fired = False


@contextmanager
def time_limit(seconds: float, timer: Timer):
    """Interrupt the block with _TimeUp after `seconds`.

    The alarm only raises inside pypdf or this module; landing anywhere else (a gc
    callback, an interpreter hook) it tries again 50 ms later, so it is never swallowed.
    Uses SIGALRM, so only in the main thread; elsewhere the check between pages and
    pypdf's own decompression limits are what bound the work.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        timer.fired = True
        if frame is not None and not frame.f_globals.get("__name__", "").startswith(
                ("pypdf", __name__, CLEANING)):  # a gc callback or hook of someone else's
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    other, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if other:  # someone else's alarm was pending: set it going again
            signal.setitimer(signal.ITIMER_REAL, max(other - (time.monotonic() - started), 1e-3))


class _CollectWarnings(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())
