"""Awkward files made on the spot: the faults councils' uploads really have.

Each maker writes one file and returns its path; `make_bad_folder` writes them all
with the outcome each should get.
"""

from __future__ import annotations

import io
import random
import shutil
import zlib
from pathlib import Path

from rag.ocr import tesseract

from .conftest import FIXTURES, make_pdf

PDFS = FIXTURES / "pdfs"

# file -> (status, words the reason must contain, or a phrase the text must contain)
SHARED_PDFS = {
    "crazyones.pdf": ("added", "Heres to the crazy ones"),
    "crazyones-encrypted-256.pdf": ("skipped", "password-protected"),
    "r6-empty-password.pdf": ("added", "pdf encryption test"),
    "r4-user-password.pdf": ("skipped", "password-protected"),
    "Seige_of_Vicksburg_Sample_OCR.pdf": ("added", "SIEGE OF VICKSBURG"),
    "jpeg.pdf": ("added", "A PDF with a JPEG image."),
    "issue-297.pdf": ("added", "test example"),
    "multilang.pdf": ("added", "Привет"),
    "side-by-side-subfig.pdf": ("added", "Lorem ipsum"),
    "attachment.pdf": ("added", "crazy ones"),
}


def raw_pdf(path: Path, content: bytes, *, compress_chunks: int = 0) -> Path:
    """A one-page PDF written by hand around a content stream.

    With compress_chunks, the stream is `content` repeated that many times, deflated
    piece by piece so that even a huge inflated size costs little memory here.
    """
    if compress_chunks:
        deflate = zlib.compressobj(9)
        stream = b"".join(deflate.compress(content) for _ in range(compress_chunks))
        stream += deflate.flush()
        head = f"<< /Length {len(stream)} /Filter /FlateDecode >>".encode()
    else:
        stream, head = content, f"<< /Length {len(content)} >>".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>"),
               head + b"\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.writelines(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
              "%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path


def flate_bomb(path: Path) -> Path:
    """200 MB of spaces deflated into about 200 KB: past pypdf's inflate limit."""
    return raw_pdf(path, b" " * (1 << 20), compress_chunks=200)


def slow_pdf(path: Path) -> Path:
    """One page of 4 million tiny text operators: inflates within limits, reads for ages."""
    return raw_pdf(path, b"BT /F1 12 Tf 72 700 Td\n" + b"(x) Tj\n" * 4_000_000 + b"ET")


def many_pages(path: Path, pages: int) -> Path:
    """A PDF of `pages` one-line pages, cheaply: one page made, then repeated."""
    import pypdf

    one = make_pdf(path.with_suffix(".one.pdf"), ["Page of the long agenda pack."])
    writer = pypdf.PdfWriter()
    page = pypdf.PdfReader(one).pages[0]
    for _ in range(pages):
        writer.add_page(page)
    writer.write(path)
    one.unlink()
    return path


def scanned_pdf(path: Path) -> Path:
    """A page that is only a picture of text: no text layer at all."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 300), "white")
    ImageDraw.Draw(image).text((40, 120), "Minutes of the meeting: scanned, no OCR", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


HTML = """<!DOCTYPE html><html><head><title>Cabinet &amp; Council</title>
<style>body { font-family: "Hidden Style Font"; } .x::before { content: "style words" }</style>
<script>var leaked = "<p>script words</p>"; document.write("more script words");</script>
</head><body><h1>Library closures</h1><p>The library at Fulham &lt;Broadway&gt; closes.</p>
<noscript>noscript words</noscript><table><tr><td>Year</td><td>£1,200</td></tr></table>
<script src="a.js"></script><!-- a comment words --><p>Last line.</p></body></html>"""


def make_bad_folder(folder: Path) -> dict[str, tuple[str, str]]:
    """Every awkward file in one folder, with (status, words in reason or text) for each."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, outcome in SHARED_PDFS.items():
        shutil.copy(PDFS / name, folder / name)
        expected[name] = (outcome[0], outcome[1] if outcome[0] == "skipped" else "")
    crazy = (PDFS / "crazyones.pdf").read_bytes()
    (folder / "zero.pdf").write_bytes(b"")
    expected["zero.pdf"] = ("skipped", "empty")
    (folder / "truncated.pdf").write_bytes(crazy[: len(crazy) // 3])
    expected["truncated.pdf"] = ("skipped", "malformed PDF")
    (folder / "random.pdf").write_bytes(random.Random(6).randbytes(8192))
    expected["random.pdf"] = ("skipped", "malformed PDF")
    (folder / "really-a-pdf.txt").write_bytes(crazy + b"\n")  # not a copy of crazyones.pdf
    expected["really-a-pdf.txt"] = ("added", "named .txt but is a PDF")
    (folder / "really-text.pdf").write_text("Really text: the youth club budget is £9,000.\n")
    expected["really-text.pdf"] = ("added", "named .pdf but is text")
    (folder / "cp1252.txt").write_bytes("The council’s café budget is £1.2m – agreed.".encode(
        "cp1252"))
    expected["cp1252.txt"] = ("added", "")
    (folder / "latin1.txt").write_bytes("Señora Müller’s résumé: £5".replace("’", "'").encode(
        "latin-1"))
    expected["latin1.txt"] = ("added", "")
    (folder / "page.html").write_text(HTML)
    expected["page.html"] = ("added", "")
    (folder / "blank.txt").write_text("  \n\n \t \n")
    expected["blank.txt"] = ("skipped", "empty")
    (folder / "report.docx").write_bytes(b"PK\x03\x04" + bytes(200))
    expected["report.docx"] = ("skipped", "unsupported file type")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    expected["photo.png"] = ("skipped", "unsupported file type")
    scanned_pdf(folder / "scanned.pdf")
    expected["scanned.pdf"] = (("added", "Minutes of the meeting") if tesseract() else
                               ("skipped", "tesseract is not installed"))
    flate_bomb(folder / "bomb.pdf")
    expected["bomb.pdf"] = ("skipped", "too large")
    many_pages(folder / "long-pack.pdf", 2000)
    expected["long-pack.pdf"] = ("skipped", "too many pages")
    return expected
