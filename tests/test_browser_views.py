"""The officer's views in a real headless Chromium: the PDF page, scrolling to the passage,
a matter over time, the library, and a phone-width screen."""

from __future__ import annotations

import shutil

import pytest

from .test_app_views import papers  # noqa: F401 (a fixture)
from .test_browser import ask, card_titled, chromium

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not "
                                "installed (scripts/test.sh installs it with apt-get as root)")


@pytest.fixture(scope="module")
def url(papers):  # noqa: F811
    from .test_browser import app_server

    with app_server(papers) as address:
        yield address


def in_view(page, selector: str) -> bool:
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
                                   return r.top >= 0 && r.top < window.innerHeight; }""", selector)


def test_the_pdf_page_beside_the_text_scrolled_to_the_passage(url):
    with chromium(1280, 640) as page:
        ask(page, url, "how much will the rooftop solar programme cost")
        card = card_titled(page, "Rooftop Solar Programme")
        card.wait_for(timeout=60_000)
        card.get_by_role("button", name="Open source").click()
        image = page.locator('[data-testid="stImage"] img')
        image.wait_for(timeout=30_000)
        page.wait_for_function("() => { const i = document.querySelector("
                               "'[data-testid=\"stImage\"] img'); return i && i.complete "
                               "&& i.naturalWidth > 0; }", timeout=30_000)  # loaded
        assert image.evaluate("i => i.naturalWidth") > 800  # rendered, not a broken link
        assert "Page 2 of 2018-02-05_rooftop-solar.pdf" in page.locator(
            '[data-testid="stImage"]').inner_text()
        page.wait_for_function("() => { const r = document.getElementById('rag-cited')"
                               ".getBoundingClientRect(); return r.top >= 0 && "
                               "r.top < window.innerHeight; }", timeout=10_000)
        image_box, text_box = image.bounding_box(), page.locator("#rag-cited").bounding_box()
        assert image_box["x"] + image_box["width"] <= text_box["x"]  # side by side
        assert page.get_by_role("button", name="Download the original file").is_visible()


def test_a_long_text_paper_scrolls_to_the_passage(corpus_index):
    from .test_browser import INSPECTION_2011, QUESTION, app_server

    with app_server(corpus_index) as address, chromium(1280, 600) as page:
        ask(page, address, QUESTION)
        card = card_titled(page, INSPECTION_2011)
        card.wait_for(timeout=60_000)
        card.get_by_role("button", name="Open source").click()
        page.locator("#rag-cited").wait_for(timeout=30_000)
        page.wait_for_function("() => { const r = document.getElementById('rag-cited')"
                               ".getBoundingClientRect(); return r.top >= 0 && "
                               "r.top < window.innerHeight; }", timeout=10_000)
        assert not in_view(page, '[data-testid="stHeading"]')  # scrolled past the title


def test_this_matter_over_time_in_chromium(url):
    with chromium() as page:
        ask(page, url, "who was awarded the school meals contract")
        card = card_titled(page, "School Meals Contract")
        card.wait_for(timeout=60_000)
        card.get_by_role("button", name="This matter over time").click()
        steps = page.locator(".rag-prec")
        steps.nth(1).wait_for(timeout=60_000)
        dates = steps.locator(".rag-date").all_inner_texts()
        assert dates[:2] == ["2 March 2015", "16 March 2015"]
        decision = steps.nth(1).locator(".rag-decision mark")
        assert decision.inner_text().startswith("RESOLVED:")


GRID = '[data-testid="stDataFrame"]'


def test_the_library_fits_1280_px_with_every_column_readable(url):
    with chromium(1280, 800) as page:
        page.goto(url)
        page.get_by_role("tab", name="Library").click()
        page.locator(f"{GRID} .dvn-scroller").wait_for(timeout=60_000)
        page.locator(f"{GRID} td", has_text="2018-02-05_rooftop-solar.pdf").wait_for(
            state="attached", timeout=30_000)  # the grid's accessible copy of its cells
        box = page.locator(GRID).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        widths = page.evaluate(f"() => {{ const s = document.querySelector('{GRID} .dvn-scroller');"
                               " return [s.scrollWidth, s.clientWidth]; }")
        assert widths[0] <= widths[1], widths  # every column in view: no sideways scrolling
        headers = page.locator(f"{GRID} th").all_inner_texts()
        assert [h.strip() for h in headers][-2:] == ["Passages", "File"]
        assert page.locator(f"{GRID} td", has_text="2018-02-05_rooftop-solar.pdf").count() == 1


def test_a_library_row_opens_the_paper(url):
    with chromium(1280, 800) as page:
        page.goto(url)
        page.get_by_role("tab", name="Library").click()
        grid = page.locator(GRID)
        grid.wait_for(timeout=60_000)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + 36 + 44)  # the first row's selector
        read = page.get_by_role("button", name="Read “Rooftop Solar Programme”")
        read.wait_for(timeout=30_000)
        assert page.get_by_text("File: 2018-02-05_rooftop-solar.pdf").is_visible()
        read.click()
        page.locator(".rag-title", has_text="Rooftop Solar Programme").wait_for(timeout=30_000)
        assert page.get_by_role("tab", name="Ask").get_attribute("aria-selected") == "true"


def test_a_phone_width_screen(url):
    with chromium(390, 844) as page:
        page.goto(url)
        box = page.get_by_label("Your question")
        box.wait_for(timeout=60_000)
        filters = page.get_by_role("button", name="Filters")
        assert filters.is_visible()
        filters.click()
        page.get_by_role("group", name="Papers from").wait_for(timeout=10_000)
        page.keyboard.press("Escape")
        box.fill("who was awarded the school meals contract")
        assert not page.get_by_text("Press Enter to submit form").is_visible()
        box.press("Enter")
        first = page.locator('[class*="st-key-card-1"]')
        first.wait_for(timeout=60_000)
        title = first.locator(".rag-title").bounding_box()
        assert title["y"] + title["height"] < 844  # the answer starts above the fold
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_role("tab", name="Library").click()
        page.locator(f"{GRID} .dvn-scroller").wait_for(timeout=30_000)
        box = page.locator(GRID).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the grid scrolls, not the page
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
