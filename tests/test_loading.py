"""Every awkward file gets one clear outcome when loaded: text, or a specific reason."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rag.cleaning import clean_text, html_to_text
from rag.errors import SkipFile
from rag.loading import Limits, decode_text, load_file, sniff_kind
from rag.ocr import tesseract

from .badfiles import HTML, PDFS, SHARED_PDFS, flate_bomb, many_pages, scanned_pdf, slow_pdf


def reason(path: Path, limits: Limits = Limits()) -> str:
    with pytest.raises(SkipFile) as caught:
        load_file(path, limits)
    return str(caught.value)


@pytest.mark.parametrize("name", sorted(SHARED_PDFS))
def test_shared_awkward_pdfs(name):
    status, phrase = SHARED_PDFS[name]
    if status == "skipped":
        assert phrase in reason(PDFS / name)
    else:
        assert phrase in load_file(PDFS / name).text


def test_notes_say_what_was_done_to_read_a_pdf():
    assert load_file(PDFS / "r6-empty-password.pdf").notes == (
        "encrypted with an empty password: opened",)
    assert load_file(PDFS / "issue-297.pdf").notes[0].startswith("repaired: ")
    assert load_file(PDFS / "crazyones.pdf").notes == ()


def test_ocr_layer_is_read_page_by_page():
    source = load_file(PDFS / "Seige_of_Vicksburg_Sample_OCR.pdf")
    assert [n for n, _ in source.page_starts] == [1, 2, 3, 4, 5, 6]
    starts = [offset for _, offset in source.page_starts]
    assert starts == sorted(starts) and source.text[starts[1]:].strip()


def test_non_latin_scripts_survive():
    text = load_file(PDFS / "multilang.pdf").text
    assert "مرحبا" in text and "Привет, мир" in text


def scan_with_text_page(path: Path) -> Path:
    """Page 1 a picture of a typed page (rendered, then embedded as an image); page 2 text."""
    import pypdfium2
    from fpdf import FPDF

    typed = FPDF()
    typed.set_font("Helvetica", size=14)
    typed.add_page()
    typed.multi_cell(0, 8, "MINUTES OF THE CABINET\n\nThe Cabinet agreed to fund three youth "
                           "clubs in Fulham from April 2017.")
    image = pypdfium2.PdfDocument(bytes(typed.output()))[0].render(scale=200 / 72).to_pil()
    scan = FPDF()
    scan.set_font("Helvetica", size=14)
    scan.add_page()
    scan.image(image, x=0, y=0, w=210)
    scan.add_page()
    scan.multi_cell(0, 8, "Page two has a text layer about school meals.")
    scan.output(str(path))
    return path


needs_tesseract = pytest.mark.skipif(tesseract() is None, reason="tesseract-ocr not installed")


@needs_tesseract
def test_scanned_pages_are_read_by_ocr_and_marked(tmp_path):
    source = load_file(scan_with_text_page(tmp_path / "scan.pdf"))
    (one, first), (two, second) = source.page_starts
    assert (one, two, first, source.ocr_pages) == (1, 2, 0, (1,))
    page_one = " ".join(source.text[:second].split())
    assert "The Cabinet agreed to fund three youth clubs in Fulham from April 2017." in page_one
    assert source.text[second:].startswith("Page two has a text layer")
    assert source.notes == ("OCR: 1 of 2 pages read from their image",)
    assert "scanned, no" in load_file(scanned_pdf(tmp_path / "only.pdf")).text


@needs_tesseract
def test_an_ocr_page_is_cited_as_ocr(tmp_path, encoder):
    from rag.ask import search
    from rag.backend import open_index
    from rag.cite import hit_json
    from rag.ingest import ingest

    folder = tmp_path / "papers"
    folder.mkdir()
    scan_with_text_page(folder / "cabinet.pdf")
    ingest([folder], tmp_path / "index", encoder=encoder)
    answer = search(open_index(tmp_path / "index", encoder), encoder,
                    "youth clubs in Fulham", k=2)
    shown = {h["page"]: h for h in (hit_json(h, 1) for h in answer.hits)}
    assert shown[1]["ocr"] and "p. 1 (OCR)" in shown[1]["citation"]
    assert not shown.get(2, {"ocr": False})["ocr"]


def test_without_tesseract_scans_are_skipped_with_the_reason(tmp_path, monkeypatch):
    scan_with_text_page(tmp_path / "mixed.pdf")
    scanned_pdf(tmp_path / "only.pdf")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no tesseract on the path
    assert reason(tmp_path / "only.pdf") == (
        "no extractable text: 1 scanned page(s) not read by OCR, tesseract is not installed "
        "(apt-get install tesseract-ocr tesseract-ocr-eng)")
    mixed = load_file(tmp_path / "mixed.pdf")
    assert mixed.ocr_pages == () and mixed.text.strip().startswith("Page two")
    skipped = ("1 scanned page(s) skipped: tesseract is not installed "
               "(apt-get install tesseract-ocr tesseract-ocr-eng)")
    assert mixed.notes == (skipped,)


@pytest.mark.parametrize("content, name, expected", [
    (b"", "zero.pdf", "empty file"),
    (b"   \n\t\n", "blank.txt", "empty: no text"),
    (b"PK\x03\x04" + bytes(64), "paper.docx", "unsupported file type: a ZIP or Office"),
    (b"PK\x03\x04" + bytes(64), "paper.txt", "unsupported file type: a ZIP or Office"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "scan.pdf", "unsupported file type: a PNG image named"),
    (b"plain words", "notes.csv", "unsupported file type '.csv'"),
    (b"plain words", "README", "unsupported file type 'none'"),
    (bytes(range(256)) * 8, "random.pdf", "malformed PDF: no PDF header"),
    (bytes(range(256)) * 8, "random.txt", "binary content, not text"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 8, "garbage.pdf", "malformed PDF"),
])
def test_unusable_files_get_a_specific_reason(tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert expected in reason(path)


def test_truncated_pdf_is_malformed(tmp_path):
    data = (PDFS / "crazyones.pdf").read_bytes()
    for cut in (len(data) // 5, len(data) // 3, len(data) - 40):
        path = tmp_path / f"cut-{cut}.pdf"
        path.write_bytes(data[:cut])
        try:  # pypdf may recover the page; if not, the reason must say malformed
            assert "crazy ones" in load_file(path).text
        except SkipFile as exc:
            assert str(exc).startswith("malformed PDF")


def test_types_are_sniffed_from_content(tmp_path):
    pdf_as_text = tmp_path / "minutes.txt"
    pdf_as_text.write_bytes((PDFS / "crazyones.pdf").read_bytes())
    source = load_file(pdf_as_text)
    assert "crazy ones" in source.text and source.page_starts == ((1, 0),)
    assert source.notes == ("named .txt but is a PDF: read as PDF",)
    text_as_pdf = tmp_path / "minutes.pdf"
    text_as_pdf.write_text("The budget was agreed.")
    source = load_file(text_as_pdf)
    assert source.text == "The budget was agreed." and source.notes == (
        "named .pdf but is text: read as text",)
    assert sniff_kind(b"<!DOCTYPE html><p>x", ".txt") == "html"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8", "utf-8-sig", "utf-16"])
def test_text_in_other_encodings(tmp_path, encoding):
    words = "Café résumé for Señor Müller: £5 and ½ price"
    if encoding == "cp1252":
        words += " – the council’s “budget”"
    path = tmp_path / "note.txt"
    path.write_bytes(words.encode(encoding))
    assert load_file(path).text == words


def test_decode_never_fails():
    assert decode_text(bytes(range(256))) == bytes(range(256)).decode("latin-1")


def test_html_keeps_text_and_drops_scripts_and_styles(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML)
    text = load_file(path).text
    for kept in ("Cabinet & Council", "Library closures", "Fulham <Broadway> closes",
                 "Year | £1,200", "Last line."):
        assert kept in text
    for dropped in ("script words", "style words", "Hidden Style Font", "noscript", "comment",
                    "leaked", "<p>", "document.write"):
        assert dropped not in text


def test_unclosed_script_drops_the_rest_not_the_page():
    assert clean_text(html_to_text("<p>Shown</p><script>var x = 1;")) == "Shown"


def test_page_limit_is_configurable_and_a_raised_limit_reads_2000_pages(tmp_path):
    path = many_pages(tmp_path / "pack.pdf", 2000)
    assert reason(path) == "too many pages (2,000 > 1,000 limit; raise it with --max-pages)"
    started = time.perf_counter()
    source = load_file(path, Limits(max_pages=2500))
    assert time.perf_counter() - started < 45
    assert len(source.page_starts) == 2000 and source.text.count("long agenda pack") == 2000


def test_size_and_character_limits(tmp_path):
    assert reason(PDFS / "side-by-side-subfig.pdf", Limits(max_bytes=100_000)).startswith(
        "too large (0.8 MB > 0.0953674 MB limit")
    assert reason(PDFS / "Seige_of_Vicksburg_Sample_OCR.pdf", Limits(max_chars=1000)) == (
        "too large (over 1,000 characters of text)")


def test_flate_bomb_is_refused_quickly(tmp_path):
    started = time.perf_counter()
    text = reason(flate_bomb(tmp_path / "bomb.pdf"))
    assert text.startswith("too large: a safety limit was hit") and "bomb" in text
    assert time.perf_counter() - started < 20


def test_time_limit_interrupts_one_huge_page(tmp_path):
    path = slow_pdf(tmp_path / "slow.pdf")
    started = time.perf_counter()
    assert reason(path, Limits(max_seconds=1.5)) == (
        "took too long (over 1.5 s to read; raise it with --max-seconds)")
    assert time.perf_counter() - started < 6


def test_time_limit_outside_the_main_thread_checks_between_pages(tmp_path):
    path = many_pages(tmp_path / "pack.pdf", 1000)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(
        reason(path, Limits(max_seconds=0.05))))
    worker.start()
    worker.join()
    assert outcome == ["took too long (over 0.05 s to read; raise it with --max-seconds)"]
