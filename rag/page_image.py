"""A PDF page as an image, with the cited sentences marked where they are on the page.

pypdfium2 renders the page and finds the sentences in the page's own text layer, so the
marks sit on the words as printed. A sentence the text layer does not hold (a scan, a
line that the loader re-flowed differently) is simply not marked: the text beside the
image still shows it.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)
MARK = (255, 221, 0, 110)  # translucent yellow
PREFIXES = (8, 5, 3)  # words of a sentence's start tried, longest first


def page_png(path: Path, page: int, sentences: tuple[str, ...] = (),
             scale: float = 1.5) -> bytes | None:
    """Page `page` (1-based) of the PDF at `path` as PNG with `sentences` marked; None when
    the file cannot be rendered (missing, encrypted, not a PDF, no such page)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        log.info("cannot render %s: %s", path, exc)
        return None
    try:
        if not 1 <= page <= len(pdf):
            return None
        sheet = pdf[page - 1]
        image = sheet.render(scale=scale).to_pil().convert("RGBA")
        boxes = [box for s in sentences for box in sentence_boxes(sheet, s)]
        return png(marked(image, boxes, sheet.get_height(), scale))
    finally:
        pdf.close()


def sentence_boxes(sheet, sentence: str) -> list[tuple[float, float, float, float]]:
    """Rectangles (PDF points: left, bottom, right, top) covering `sentence` on the page."""
    words = re.findall(r"\S+", sentence)
    if not words:
        return []
    text = sheet.get_textpage()
    for size in PREFIXES:
        found = text.search(" ".join(words[:size]), match_case=False).get_next()
        if found:
            start = found[0]
            length = min(len(" ".join(words)), text.count_chars() - start)
            return [text.get_rect(i) for i in range(text.count_rects(start, length))]
    return []


def marked(image, boxes: list, height: float, scale: float):
    from PIL import Image, ImageDraw

    if not boxes:
        return image
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for left, bottom, right, top in boxes:
        draw.rectangle([left * scale - 2, (height - top) * scale - 2,
                        right * scale + 2, (height - bottom) * scale + 2], fill=MARK)
    return Image.alpha_composite(image, layer)


def png(image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()
