"""Read the pages of a PDF that have no text layer (scans) with tesseract.

Each page is rendered by pypdfium2 and read by the `tesseract` program (Debian packages
`tesseract-ocr` and `tesseract-ocr-eng`). Where tesseract is missing, fails or runs out
of time, the page stays blank and a note says why; only a paper with no page read at all
is skipped (SkipFile), with that reason.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from dataclasses import dataclass

from .cleaning import clean_text, reflow
from .errors import SkipFile

DPI = 300  # tesseract reads best at about 300 dots per inch
LANGUAGE = "eng"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng"


@dataclass(frozen=True)
class OcrResult:
    """Text per page number that was read, and why any page was not."""

    texts: dict[int, str]
    problem: str = ""


def tesseract() -> str | None:
    return shutil.which("tesseract")


def read_scans(data: bytes, pages: list[tuple[int, str]],
               deadline: float) -> tuple[list[tuple[int, str]], tuple[int, ...], str]:
    """Pages with no text layer read by OCR: the pages, the numbers read so, and a note.
    A paper whose every page is a scan that could not be read is skipped, saying why."""
    blank = [number for number, text in pages if not text.strip()]
    if not blank:
        return pages, (), ""
    result = read_scanned(data, blank, deadline)
    read = {n: reflow(clean_text(t)) for n, t in result.texts.items()}
    read = {n: t for n, t in read.items() if t.strip()}
    pages = [(number, read.get(number, text)) for number, text in pages]
    unread = len(blank) - len(read)
    if result.problem and unread == len(pages):
        raise SkipFile(f"no extractable text: {unread} scanned page(s) not read by OCR, "
                       f"{result.problem}")
    notes = [f"OCR: {len(read)} of {len(pages)} pages read from their image"] if read else []
    if result.problem and unread:
        notes.append(f"{unread} scanned page(s) skipped: {result.problem}")
    return pages, tuple(sorted(read)), "; ".join(notes)


def read_scanned(data: bytes, numbers: list[int], deadline: float) -> OcrResult:
    """OCR the 1-based pages `numbers` of the PDF `data`, stopping at `deadline`
    (a time.monotonic() value)."""
    program = tesseract()
    if not numbers:
        return OcrResult({})
    if program is None:
        return OcrResult({}, f"tesseract is not installed ({INSTALL})")
    import pypdfium2

    texts: dict[int, str] = {}
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        return OcrResult({}, f"pdfium could not open the file to render its pages ({exc})")
    try:
        for number in numbers:
            left = deadline - time.monotonic()
            if left <= 0:
                return OcrResult(texts, "ran out of time reading scanned pages")
            text, problem = read_page(program, pdf[number - 1], left)
            if problem:
                return OcrResult(texts, problem)
            texts[number] = text
    finally:
        pdf.close()
    return OcrResult(texts)


def read_page(program: str, page, seconds: float) -> tuple[str, str]:
    """(text, "") or ("", what went wrong) for one pypdfium2 page."""
    image = page.render(scale=DPI / 72, grayscale=True).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        done = subprocess.run([program, "stdin", "stdout", "-l", LANGUAGE], input=png.getvalue(),
                              capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        return "", "ran out of time reading scanned pages"
    except OSError as exc:
        return "", f"tesseract could not run ({exc.strerror or exc})"
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return "", f"tesseract failed ({message[-1][:100] if message else done.returncode})"
    return done.stdout.decode("utf-8", "replace"), ""
