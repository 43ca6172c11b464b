"""PDF pages rendered for the source view, with the cited sentence marked on the page."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from rag.page_image import page_png

from .conftest import FIXTURES, make_pdf

FIRST = "The council approved the rooftop solar programme for the civic centre."
SECOND = "Work on the library roof will begin in the spring and end in the autumn."


def marks(png: bytes) -> np.ndarray:
    """Where the translucent yellow mark coloured the page (paper white stays white)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return (rgb[..., 0] > 230) & (rgb[..., 1] > 200) & (rgb[..., 2] < 160)


def yellow(png: bytes) -> int:
    return int(marks(png).sum())


def test_the_cited_sentence_is_marked_on_the_page(tmp_path):
    pdf = make_pdf(tmp_path / "paper.pdf", ["Cover page", f"{FIRST}\n\n{SECOND}"])
    plain = page_png(pdf, 2)
    assert plain.startswith(b"\x89PNG") and yellow(plain) == 0
    first, second = page_png(pdf, 2, (FIRST,)), page_png(pdf, 2, (SECOND,))
    assert yellow(first) > 1000 and yellow(second) > 1000
    top_first, top_second = (np.flatnonzero(marks(p).any(axis=1))[0] for p in (first, second))
    assert top_first < top_second  # each mark sits on its own sentence
    assert yellow(page_png(pdf, 1, (FIRST,))) == 0  # not on a page that lacks it


def test_what_cannot_be_rendered_gives_none(tmp_path):
    pdf = make_pdf(tmp_path / "paper.pdf", [FIRST])
    assert page_png(pdf, 2) is None and page_png(pdf, 0) is None
    assert page_png(FIXTURES / "pdfs" / "r4-user-password.pdf", 1) is None
    assert page_png(tmp_path / "missing.pdf", 1) is None
    (tmp_path / "fake.pdf").write_text("not a pdf")
    assert page_png(tmp_path / "fake.pdf", 1) is None
