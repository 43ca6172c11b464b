"""Read the pages of a PDF that have no text layer (scans) with tesseract.

Each page is rendered by pypdfium2 and read by the `tesseract` program (Debian packages
`tesseract-ocr` and `tesseract-ocr-eng`). Where tesseract is missing, fails or runs out
of time, the page stays blank and the reason is said; nothing here raises for that.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

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
    pdf = pypdfium2.PdfDocument(data)
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
