"""Screenshots of the app's main states, for docs/APP.md.

    .venv/bin/python docs/screenshots.py [INDEX_DIR]

Runs the app against INDEX_DIR (default: a fresh index of corpus/ in a temporary folder)
and saves PNGs beside this file, using the same server and Chromium helpers as the
browser test.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import INSPECTION_2011, QUESTION, app_server, ask, card_titled, chromium

OUT = Path(__file__).parent
UNANSWERABLE = "what is the council's policy on electric scooter parking"
TIMELINE_QUESTION = "has the committee looked at school meals contracts before"


def settle(page, top: bool = False) -> None:
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=60_000)
    if top:
        page.evaluate("document.querySelectorAll('[data-testid=stMain], "
                      "[data-testid=stAppViewContainer]').forEach(e => e.scrollTo(0, 0))")
    page.wait_for_timeout(600)


def shoot(url: str) -> None:
    with chromium(1280, 1700) as page:
        ask(page, url, QUESTION)
        card = card_titled(page, INSPECTION_2011)
        card.wait_for(timeout=60_000)
        settle(page)
        page.screenshot(path=OUT / "app-answer.png")
        shoot_timeline(page, url)
        ask(page, url, QUESTION)
        card_titled(page, INSPECTION_2011).wait_for(timeout=60_000)
        page.locator('[class*="st-key-card-2"]').get_by_role("button", name="Open source").click()
        page.locator(".rag-cited").wait_for(timeout=30_000)
        settle(page, top=True)
        page.screenshot(path=OUT / "app-source.png")
        ask(page, url, UNANSWERABLE)
        page.get_by_text("The papers don't say").wait_for(timeout=60_000)
        settle(page)
        page.screenshot(path=OUT / "app-no-answer.png")
        page.get_by_role("tab", name="Library").click()
        page.locator('[data-testid="stDataFrame"]').wait_for(timeout=30_000)
        settle(page)
        page.screenshot(path=OUT / "app-library.png")
    with chromium(390, 1400) as page:
        ask(page, url, QUESTION)
        card_titled(page, INSPECTION_2011).wait_for(timeout=60_000)
        settle(page)
        page.screenshot(path=OUT / "app-narrow.png")


def shoot_timeline(page, url: str) -> None:
    """"This matter over time" from a card on the school meals contract."""
    ask(page, url, TIMELINE_QUESTION)
    card = page.locator('[class*="st-key-card-1"]')
    card.wait_for(timeout=60_000)
    card.get_by_role("button", name="This matter over time").click()
    card.locator(".rag-prec").first.wait_for(timeout=60_000)
    settle(page)
    card.screenshot(path=OUT / "app-timeline.png")


def shoot_page(index_dir: Path) -> None:
    """The source view of a PDF: the page image beside the text, on a copy of the index
    with one PDF report added."""
    from rag.ingest import ingest
    from tests.conftest import make_pdf
    from tests.test_app_views import SOLAR

    scratch = Path(tempfile.mkdtemp())
    shutil.copytree(index_dir, scratch / "index", symlinks=True)
    (scratch / "pdf").mkdir()
    head, tail = SOLAR.split("3. SOLAR PANELS")
    make_pdf(scratch / "pdf" / "2018-02-05_rooftop-solar.pdf", [head, "3. SOLAR PANELS" + tail])
    ingest([scratch / "pdf"], scratch / "index")
    with app_server(scratch / "index") as url, chromium(1280, 1000) as page:
        ask(page, url, "how much will the rooftop solar programme cost")
        card = card_titled(page, "Rooftop Solar Programme")
        card.wait_for(timeout=60_000)
        card.get_by_role("button", name="Open source").click()
        page.locator('[data-testid="stImage"] img').wait_for(timeout=30_000)
        settle(page, top=True)
        page.screenshot(path=OUT / "app-page.png")
    shutil.rmtree(scratch, ignore_errors=True)


def shoot_upload(index_dir: Path) -> None:
    """Add a paper through the upload form, on a copy of the index and a scratch corpus."""
    from tests.conftest import REPORT

    scratch = Path(tempfile.mkdtemp())
    shutil.copytree(index_dir, scratch / "index", symlinks=True)
    paper = scratch / "Library opening hours.txt"
    paper.write_text(REPORT.format(date="4 May 2018", title="LIBRARY OPENING HOURS",
                                   summary="Library opening hours.", heading="LIBRARIES",
                                   body="Libraries will open on Sundays from June 2018."))
    env = {"RAG_CORPUS": str(scratch / "corpus"), "RAG_UPLOADS": "open"}  # no key in this run
    with app_server(scratch / "index", env) as url, chromium(1280, 900) as page:
        page.goto(url)
        page.get_by_role("tab", name="Add papers").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(paper)
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="Add to the library").click()
        page.get_by_text("files added to the library").wait_for(timeout=120_000)
        settle(page)
        page.screenshot(path=OUT / "app-upload.png")
    shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    if len(sys.argv) > 1:
        index_dir = Path(sys.argv[1])
    else:
        from rag.ingest import ingest

        index_dir = Path(tempfile.mkdtemp()) / "index"
        ingest([ROOT / "corpus"], index_dir)
    with app_server(index_dir) as url:
        shoot(url)
    shoot_page(index_dir)
    shoot_upload(index_dir)
    print(f"screenshots saved in {OUT}")


if __name__ == "__main__":
    main()
