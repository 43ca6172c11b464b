"""The Streamlit app through AppTest: real model, real tiny indexes, no mocks."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.export import to_csv, to_markdown
from rag.ingest import ingest

from .conftest import REPORT, ROOT, write_report, write_tiny_corpus

APP = str(ROOT / "ui" / "app.py")
KEY = "correct horse battery staple"
SECRET_TITLE = "ZANZIBAR ESTATE DISPOSAL"
SECRET_WORD = "Quillfeather"


def add_secret_paper(folder: Path) -> Path:
    return write_report(folder, "2016-09-19_exempt-disposal.txt", date="19 September 2016",
                        title=SECRET_TITLE, summary="This exempt report proposes a land "
                        "disposal.", heading="SCHOOL MEALS KITCHEN SITE", body=f"The school "
                        f"meals kitchen site will be sold to {SECRET_WORD} Holdings for "
                        "£2.4 million, subject to the school meals contract ending.")


@pytest.fixture(scope="module")
def library(tmp_path_factory, encoder) -> Path:
    """Three public papers and one restricted paper, indexed once for this module."""
    base = tmp_path_factory.mktemp("library")
    public, restricted = base / "corpus", base / "restricted"
    public.mkdir(), restricted.mkdir()
    write_tiny_corpus(public)
    index_dir = base / "index"
    ingest([public], index_dir, encoder=encoder)
    ingest([add_secret_paper(restricted)], index_dir, encoder=encoder, access="restricted")
    return index_dir


@pytest.fixture()
def app(library, monkeypatch):
    """A fresh public session on the shared library."""
    monkeypatch.setenv("RAG_INDEX", str(library))
    monkeypatch.setenv("RAG_MEMBER_KEY", KEY)
    return AppTest.from_file(APP, default_timeout=60)


def ask(at: AppTest, question: str) -> AppTest:
    at.text_input(key="question").set_value(question)
    return at.button(key="FormSubmitter:ask-Search").click().run()


def html(at: AppTest) -> list[str]:
    return [h.value for h in at.html if not h.value.startswith("<style>")]


def cards(at: AppTest) -> list[str]:
    return [h for h in html(at) if 'class="rag-title"' in h and "rag-passage" in h]


def everything(at: AppTest) -> str:
    """Every element's content as the browser would receive it, tables included."""
    out = []

    def walk(node):
        if getattr(node, "proto", None) is not None:
            out.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    out += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(out)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def test_ask_shows_cited_cards_with_highlight_and_reading(app):
    ok(app.run())
    ok(ask(app, "who was awarded the school meals contract in 2015"))
    first = cards(app)[0]
    assert "1. School Meals Contract" in first
    assert "2 March 2015" in first and "Officer report" in first
    assert "<mark>The school meals contract was awarded to Caterlink" in first
    assert any("How the question was read" in h and "2015" in h for h in html(app))
    assert app.code[0].value.startswith("School Meals Contract, Children and Education")
    assert "[officer report; 2015-03-02_school-meals.txt]" in app.code[0].value
    assert app.query_params["q"] == "who was awarded the school meals contract in 2015"
    assert [b.label for b in app.get("download_button")] == ["Download as Markdown",
                                                             "Download as CSV"]


def test_filters_apply_and_a_link_reproduces_the_search(app, library, monkeypatch):
    ok(app.run())
    ok(ask(app, "school meals contract"))
    assert any("School Meals Contract" in c for c in cards(app))
    app.date_input(key="date_from").set_value(date(2016, 1, 1))
    app.multiselect(key="doc_types").select("officer report")
    ok(app.run())
    assert cards(app) and not any("2 March 2015" in c for c in cards(app))
    assert app.query_params["from"] == "2016-01-01"
    assert app.query_params["type"] == "officer report"
    link = AppTest.from_file(APP, default_timeout=60)
    link.query_params.update(app.query_params)
    ok(link.run())
    assert link.text_input(key="question").value == "school meals contract"
    assert link.date_input(key="date_from").value == date(2016, 1, 1)
    assert cards(link) == cards(app)
    clear = next(b for b in link.button if b.label == "Clear filters")
    ok(clear.click().run())
    assert "from" not in link.query_params
    assert any("2 March 2015" in c for c in cards(link))


def test_no_direct_answer_shows_message_then_nearest_passages(app):
    ok(app.run())
    ok(ask(app, "what is the council's policy on electric scooter parking permits"))
    assert app.warning and "The papers don't say" in app.warning[0].value
    assert "“scooter”" in app.warning[0].value  # a word no paper uses
    assert app.divider and [s.value for s in app.subheader] == ["Nearest passages"]
    assert cards(app)  # the nearest passages, below the line


def test_precedents_list_papers_on_the_matter_by_date(app):
    ok(app.run())
    ok(ask(app, "who was awarded the school meals contract"))
    ok(app.button(key="precedents-1").click().run())
    listed = [h for h in html(app) if 'class="rag-prec"' in h]
    dates = [datetime.strptime(re.search(r'rag-date">([^<]+)<', h)[1], "%d %B %Y").date()
             for h in listed]
    assert dates == sorted(dates)
    assert {date(2015, 3, 2), date(2016, 6, 13)} <= set(dates)
    assert all('class="rag-meta"' in h for h in listed)  # each one cited
    ok(app.button(key="precedents-1").click().run())
    assert not [h for h in html(app) if 'class="rag-prec"' in h]


def test_source_view_opens_the_paper_at_the_passage(app):
    ok(app.run())
    ok(ask(app, "who was awarded the school meals contract"))
    ok(app.button(key="open-1").click().run())
    page = "".join(html(app))
    assert 'class="rag-passage rag-cited"' in page and "<mark>" in page
    assert 'class="rag-passage rag-near"' in page  # its neighbours, readable
    assert app.query_params["doc"] == "2015-03-02_school-meals"
    assert any(b.label == "← Back to results" for b in app.button)
    assert not cards(app)
    whole = app.expander[0]
    assert whole.label == "The whole paper"
    assert "9,000 meals a day" in "".join(str(h.proto.body) for h in whole.children.values())
    ok(app.button(key="back").click().run())
    assert cards(app) and "doc" not in app.query_params


def test_export_holds_question_passage_citation_date_page(app):
    ok(app.run())
    ok(ask(app, "who was awarded the school meals contract"))
    answer = app.session_state["_memo"]["answer"][1]
    markdown, table = to_markdown(answer), to_csv(answer)
    assert markdown.startswith("# who was awarded the school meals contract")
    assert app.code[0].value in markdown
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows[0]["citation"] == app.code[0].value and rows[0]["date"] == "2015-03-02"
    assert {"question", "passage", "citation", "date", "page"} <= set(rows[0])
    labels = {b.label for b in app.get("download_button")}
    assert labels == {"Download as Markdown", "Download as CSV"}


def test_library_lists_papers_and_when_the_index_was_built(app):
    ok(app.run())
    frame = app.dataframe[0].value
    assert sorted(frame["Title"]) == ["Executive Director's Update", "School Meals Contract",
                                      "Youth Services Review"]
    assert {"Committee", "Date", "Type", "Pages", "Passages"} <= set(frame.columns)
    assert any("3 papers" in m.value and "Index built on" in m.value for m in app.markdown)


def test_restricted_paper_never_shown_to_the_public_but_shown_to_members(app):
    secret_title = SECRET_TITLE.title()
    probes = [secret_title, SECRET_TITLE, SECRET_WORD, "exempt-disposal"]
    ok(app.run())
    for question in ["who is buying the school meals kitchen site for 2.4 million",
                     "exempt report land disposal"]:
        ok(ask(app, question))
        if cards(app):
            ok(app.button(key="precedents-1").click().run())
        answer = app.session_state["_memo"]["answer"][1]
        seen = everything(app) + to_markdown(answer) + to_csv(answer)
        assert not [p for p in probes if p in seen]
        assert "4 papers" not in seen and "3 papers" in seen
    public_link = AppTest.from_file(APP, default_timeout=60)
    public_link.query_params.update({"doc": "2016-09-19_exempt-disposal", "at": "0"})
    ok(public_link.run())
    assert "not available" in public_link.warning[0].value
    assert not [p for p in probes if p in everything(public_link)]
    app.text_input(key="member_key").set_value("wrong key").run()
    assert not [p for p in probes if p in everything(app)]
    ok(app.text_input(key="member_key").set_value(KEY).run())
    ok(ask(app, "who is buying the school meals kitchen site for 2.4 million"))
    assert secret_title in cards(app)[0] and SECRET_WORD in cards(app)[0]
    assert secret_title in set(app.dataframe[0].value["Title"])


def test_document_text_is_escaped_not_rendered(tmp_path, encoder, monkeypatch):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_report(corpus, "2018-01-01_markup.txt", date="1 January 2018",
                 title="PLAYGROUND REPAIRS", summary="Playground repairs.",
                 heading="PLAYGROUNDS", body='The playground repairs cost £5,000 & the "swings" '
                 "budget is < 6,000 > 4,000; <3 #heading $x$ :red[y].")
    ingest([corpus], index_dir, encoder=encoder)
    monkeypatch.setenv("RAG_INDEX", str(index_dir))
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    ok(ask(at, "how much did the playground repairs cost"))
    page = "".join(html(at))
    assert "&amp; the &quot;swings&quot; budget is &lt; 6,000 &gt; 4,000; &lt;3" in page
    assert "<3" not in page


def test_markup_in_any_paper_field_is_escaped():
    from rag.types import Chunk, Document, Hit
    from ui import render

    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    doc = Document(doc_id="d", source=evil + ".txt", title=evil, committee=evil, date=None,
                   doc_type=evil, author="", agenda_item="", text=evil, start=0)
    chunk = Chunk(chunk_id=0, doc_id="d", text=evil, start=0, end=len(evil), page=None,
                  section=evil, paragraph="")
    hit = Hit(chunk=chunk, doc=doc, score=1.0, highlights=((0, 8), (8, 30)))
    for markup in [render.card_html(hit, 1), render.precedent_html(hit, True),
                   render.source_html(doc, [chunk], chunk, [(0, 8)]),
                   render.whole_text_html(doc.text)]:
        assert "<script" not in markup and "<img" not in markup
        assert "&lt;script&gt;" in markup


def test_a_card_says_when_its_page_was_read_by_ocr():
    from rag.types import Chunk, Document
    from ui import render

    doc = Document(doc_id="d", source="scan.pdf", title="Scanned minutes", committee="Cabinet",
                   date=None, doc_type="minutes", author="", agenda_item="", text="x", start=0,
                   ocr_pages=(2,))
    scanned = Chunk(chunk_id=0, doc_id="d", text="x", start=0, end=1, page=2, section="",
                    paragraph="")
    assert "page 2 (OCR)" in render.meta_line(doc, scanned)
    assert "OCR" not in render.meta_line(doc, Chunk(1, "d", "x", 0, 1, 1, "", ""))


def test_upload_adds_a_searchable_paper_without_restart(tmp_path, library, monkeypatch):
    import hashlib
    import shutil

    index_dir, corpus = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(library, index_dir, symlinks=True)
    monkeypatch.setenv("RAG_INDEX", str(index_dir))
    monkeypatch.setenv("RAG_CORPUS", str(corpus))
    monkeypatch.delenv("RAG_MEMBER_KEY", raising=False)
    monkeypatch.setenv("RAG_UPLOADS", "open")  # no key, uploads opened: a laptop install
    paper = REPORT.format(
        date="4 May 2018", title="LIBRARY OPENING HOURS", summary="Library opening hours.",
        heading="LIBRARIES", body="Libraries will open on Sundays from June 2018 at a cost "
        "of £40,000 a year.")
    at = ok(AppTest.from_file(APP, default_timeout=60).run())
    at.file_uploader[0].set_value([("../../Library hours.txt", paper.encode(), "text/plain"),
                                   ("virus.exe", b"MZ", "application/octet-stream")])
    ok(at.button(key="FormSubmitter:upload-Add to the library").click().run())
    outcomes = at.dataframe[-1].value
    saved = f"Library-hours-{hashlib.sha256(paper.encode()).hexdigest()[:8]}.txt"
    assert list(outcomes["File"]) == [saved, "virus.exe"]  # a visitor's name: hashed
    assert list(outcomes["Outcome"]) == ["Added", "Not added"]
    assert "unsupported" in outcomes["Reason / note"].iloc[1]
    assert sorted(p.name for p in corpus.iterdir()) == [saved]
    ok(ask(at, "when will libraries open on Sundays"))
    assert "Library Opening Hours" in cards(at)[0]
    assert "4 papers" in "".join(m.value for m in at.markdown)


def test_upload_needs_the_member_key_when_one_is_set(app):
    ok(app.run())
    assert any("enter the member key" in i.value for i in app.info)
    assert not app.file_uploader
    ok(app.text_input(key="member_key").set_value(KEY).run())
    assert app.file_uploader and app.radio  # members choose who may read the papers


def test_first_run_builds_the_index_from_the_corpus(tiny_corpus, tmp_path, monkeypatch):
    index_dir = tmp_path / "new-index"
    monkeypatch.setenv("RAG_INDEX", str(index_dir))
    monkeypatch.setenv("RAG_CORPUS", str(tiny_corpus))
    at = ok(AppTest.from_file(APP, default_timeout=90).run())
    assert (index_dir / "current").exists()
    assert len(at.dataframe[0].value) == 3
    assert at.text_input(key="question")


def test_an_index_of_an_earlier_format_is_read_again_from_its_own_files(tmp_path, encoder,
                                                                        monkeypatch):
    import json

    from rag import config
    from rag.backend import open_index

    public, restricted = write_tiny_corpus(tmp_path / "corpus"), tmp_path / "restricted"
    restricted.mkdir()
    index_dir = tmp_path / "index"
    ingest([public], index_dir, encoder=encoder)
    ingest([add_secret_paper(restricted)], index_dir, encoder=encoder, access="restricted")
    manifest = index_dir / "current" / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format_version": 1}))
    monkeypatch.setenv("RAG_INDEX", str(index_dir))
    monkeypatch.setenv("RAG_CORPUS", str(tmp_path / "elsewhere"))  # the index's files count
    ok(AppTest.from_file(APP, default_timeout=90).run())
    manifest = json.loads((index_dir / "current" / "manifest.json").read_text())
    assert manifest["format_version"] == config.FORMAT_VERSION
    index = open_index(index_dir, encoder)
    public_titles = {p["title"].upper() for p in index.papers(unlocked=False)}
    assert len(public_titles) == 3 and SECRET_TITLE not in public_titles
    assert SECRET_TITLE in {p["title"].upper() for p in index.papers(unlocked=True)}


def test_errors_are_one_friendly_line(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS", str(tmp_path / "no-such-folder"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "no-such-folder" in at.error[0].value


def test_member_key_can_come_from_streamlit_secrets(library, monkeypatch):
    monkeypatch.setenv("RAG_INDEX", str(library))
    monkeypatch.delenv("RAG_MEMBER_KEY", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["member_key"] = "from secrets"
    ok(at.run())
    assert SECRET_TITLE.title() not in set(at.dataframe[0].value["Title"])
    ok(at.text_input(key="member_key").set_value("from secrets").run())
    assert SECRET_TITLE.title() in set(at.dataframe[0].value["Title"])


def test_card_names_the_other_papers_holding_the_same_passage():
    from rag.types import Chunk, Document, Hit, Place
    from ui import render

    def paper(doc_id, title, when):
        return Document(doc_id=doc_id, source=f"{doc_id}.pdf", title=title, committee="CEPAC",
                        date=when, doc_type="minutes", author="", agenda_item="", text="",
                        start=0)

    chunk = Chunk(chunk_id=0, doc_id="a", text=" Agreed.", start=0, end=8, page=3, section="",
                  paragraph="4.2")
    hit = Hit(chunk=chunk, doc=paper("a", "Minutes", date(2016, 9, 19)), score=1.0,
              highlights=((1, 8),),
              also_in=(Place(paper("b", "Agenda pack", date(2016, 11, 21)), chunk),))
    markup = render.card_html(hit, 1)
    assert "Also in: Agenda pack (21 November 2016)" in markup
    assert "CEPAC · 19 September 2016 · page 3, paragraph 4.2 · Minutes" in markup
    assert '<div class="rag-passage"><mark>Agreed.</mark></div>' in markup
