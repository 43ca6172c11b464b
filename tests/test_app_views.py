"""The officer's views through AppTest: more results, meetings, a matter over time, the page
of a PDF, the original file, the library, exact phrases. Real model, real files, no mocks."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.ingest import ingest

from .conftest import REPORT, ROOT, make_pdf, write_tiny_corpus
from .test_app import cards, html, ok
from .test_timeline import MINUTES

APP = str(ROOT / "ui" / "app.py")
SOLAR = REPORT.format(date="5 February 2018", title="ROOFTOP SOLAR PROGRAMME",
                      summary="This report proposes rooftop solar panels on schools.",
                      heading="SOLAR PANELS", body="The rooftop solar programme will fit "
                      "panels to twelve primary schools at a cost of £310,000.")


@pytest.fixture(scope="module")
def papers(tmp_path_factory, encoder) -> Path:
    """The tiny corpus, minutes that decide on school meals, and a PDF report."""
    base = tmp_path_factory.mktemp("views")
    corpus = write_tiny_corpus(base / "corpus")
    (corpus / "2015-03-16_minutes.txt").write_text(MINUTES)
    head, tail = SOLAR.split("3. SOLAR PANELS")
    make_pdf(corpus / "2018-02-05_rooftop-solar.pdf", [head, "3. SOLAR PANELS" + tail])
    ingest([corpus], base / "index", encoder=encoder)
    return base / "index"


@pytest.fixture()
def app(papers, monkeypatch):
    monkeypatch.setenv("RAG_INDEX", str(papers))
    monkeypatch.delenv("RAG_MEMBER_KEY", raising=False)
    return AppTest.from_file(APP, default_timeout=60)


def ask(at: AppTest, question: str) -> AppTest:
    at.text_input(key="question").set_value(question)
    return ok(at.button(key="FormSubmitter:ask-Search").click().run())


def count(at: AppTest) -> str:
    return next(re.sub("<[^>]+>", "", h) for h in html(at) if "rag-count" in h)


def test_a_count_show_more_and_grouping_by_meeting(app):
    ask(ok(app.run()), "school meals")
    assert len(cards(app)) == 5 and count(app).startswith("5 passages from ")
    ok(app.button(key="more").click().run())
    shown = len(cards(app))
    assert shown > 5 and count(app).startswith(f"{shown} passages")
    numbers = [int(re.search(r'rag-title">(\d+)\.', c)[1]) for c in cards(app)]
    assert numbers == list(range(1, shown + 1))
    ok(app.toggle(key="grouped").set_value(True).run())
    meetings = [re.sub("<[^>]+>", "", h) for h in html(app) if 'class="rag-meeting"' in h]
    assert len(meetings) == len(set(meetings)) == int(count(app).split(" from ")[1].split()[0])
    assert any(m.startswith("16 March 2015") for m in meetings)
    ask(app, "youth clubs")  # a new question starts again from five
    assert len(cards(app)) <= 5


def test_this_matter_over_time_dates_cites_and_gives_decisions(app):
    ask(ok(app.run()), "who was awarded the school meals contract")
    button = app.button(key="precedents-1")
    assert button.label == "This matter over time"
    ok(button.click().run())
    steps = [h for h in html(app) if 'class="rag-prec"' in h]
    dates = [re.search(r'rag-date">([^<]+)<', h)[1] for h in steps]
    assert dates[:2] == ["2 March 2015", "16 March 2015"]
    minutes = steps[1]
    assert 'class="rag-decision"' in minutes and "<mark>RESOLVED:" in minutes
    assert "endorsed" in minutes and 'class="rag-decision"' not in steps[0]
    citations = [c.value for c in app.code]
    assert any("16 March 2015" in c and "2015-03-16_minutes.txt" in c for c in citations)


def test_a_pdf_opens_at_its_page_with_the_passage_marked(app):
    ask(ok(app.run()), "how much will the rooftop solar programme cost")
    assert "Rooftop Solar Programme" in cards(app)[0]
    ok(app.button(key="open-1").click().run())
    image = app.get("image")[0]
    assert "Page 2 of 2018-02-05_rooftop-solar.pdf" in str(image.proto)
    page = "".join(html(app))
    assert 'id="rag-cited"' in page and "<mark>" in page
    assert any("scrollIntoView" in h.value for h in app.html)
    download = app.get("download_button")[0]
    assert download.proto.label == "Download the original file"


def test_a_text_paper_scrolls_to_the_passage_and_downloads(app):
    ask(ok(app.run()), "when will the youth clubs open")
    ok(app.button(key="open-1").click().run())
    assert not app.get("image")
    assert any("scrollIntoView" in h.value for h in app.html)
    assert app.get("download_button")[0].proto.label == "Download the original file"


def test_the_library_follows_the_filters_and_a_row_opens_the_paper(app):
    ok(app.run())
    titles = list(app.dataframe[0].value["Title"])
    assert len(titles) == 5 and titles[0] == "Rooftop Solar Programme"  # newest first
    app.date_input(key="date_from").set_value(date(2016, 1, 1))
    ok(app.run())
    assert list(app.dataframe[0].value["Title"]) == ["Rooftop Solar Programme",
                                                     "Youth Services Review",
                                                     "Executive Director's Update"]
    assert any("matching the filters" in m.value for m in app.markdown)
    app.session_state["library"] = {"selection": {"rows": [1], "columns": []}}
    ok(app.run())
    ok(app.button(key="read-paper").click().run())
    assert app.session_state["tab"] == "Ask"
    assert app.query_params["doc"] == "2017-01-30_youth-clubs"
    assert '<div class="rag-title">Youth Services Review</div>' in "".join(html(app))


def test_filters_sit_behind_a_labelled_button_that_counts_them(app):
    ok(app.run())
    assert app.get("popover")[0].proto.popover.label == "Filters"
    app.date_input(key="date_from").set_value(date(2016, 1, 1))
    ok(app.run())
    assert app.get("popover")[0].proto.popover.label == "Filters (1 set)"


def test_a_quoted_phrase_is_in_every_card_and_the_reading_says_so(app):
    ask(ok(app.run()), 'what is said about "school meals contract"')
    assert cards(app) and all("school meals contract" in c.lower() for c in cards(app))
    reading = next(h for h in html(app) if "How the question was read" in h)
    assert "exact phrase: “school meals contract” in every result" in reading
