"""Loading, cleaning and reading the metadata of the five real papers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rag import tokens
from rag.chunking import ChunkSettings, chunk_document, contextual_text
from rag.cleaning import clean_text
from rag.loading import load_file
from rag.papers import split_papers
from rag.types import Document

from .conftest import ROOT

CORPUS = ROOT / "corpus"


def papers(name: str):
    return split_papers(load_file(CORPUS / name))


def test_cleaning_removes_markup_and_keeps_table_rows():
    raw = ("<p><b>Item</b> &amp; more</p>\n| Year | Grant |\n|---|---|\n| 2016 | £1,611,600 |\n"
           "**Bold** words\tand a cell\n- 3.4. Numbered")
    text = clean_text(raw)
    assert "<" not in text and "**" not in text and "&amp;" not in text
    assert "Item & more" in text
    assert "Year | Grant" in text and "2016 | £1,611,600" in text
    assert "Bold words | and a cell" in text
    assert "3.4. Numbered" in text and "---" not in text


@pytest.mark.parametrize("name, title, when, doc_type, author", [
    ("2016-02-29_cepac_executive-directors-update.txt", "Executive Director's Update",
     date(2016, 2, 29), "officer report", "Executive Director of Children's Services"),
    ("2016-06-13_cepac_executive-directors-update.txt", "Executive Director's Update",
     date(2016, 6, 13), "officer report", "Executive Director of Children's Services"),
    ("2020-11-09_cepac_ofsted-inspection-of-childrens-services.txt",
     "Ofsted Inspection of Children's Services", date(2020, 11, 9), "officer report",
     "Bev Sharpe, Director Children and Young Peoples Service"),
    ("2011-07-22_ofsted-inspection-safeguarding-and-looked-after-children.txt",
     "Inspection of safeguarding and looked after children services", date(2011, 6, 6),
     "inspection report", "Stephen Hart HMI (Ofsted)"),
])
def test_single_papers_metadata(name, title, when, doc_type, author):
    (doc,) = papers(name)
    assert (doc.title, doc.date, doc.doc_type, doc.author) == (title, when, doc_type, author)
    if doc_type == "officer report":
        assert doc.committee == "Children and Education Policy and Accountability Committee"


def test_agenda_pack_is_split_into_its_papers():
    docs = papers("2016-11-21_cepac_agenda-pack.txt")
    summary = [(d.doc_type, d.title, d.date, d.agenda_item) for d in docs]
    assert summary[0] == ("agenda", "Agenda of the meeting of 21 November 2016",
                          date(2016, 11, 21), "")
    assert summary[1][:3] == ("minutes", "Minutes of the meeting of 19 September 2016",
                              date(2016, 9, 19))
    reports = {item: title for kind, title, _, item in summary if kind == "officer report"}
    assert reports == {"5": "Executive Director's Update", "7": "Travel Care and Support Services",
                       "8": "Partners in Practice and Focus on Practice Update",
                       "9": "Child Protection Report 2015-2016",
                       "10": "Annual Report of the Local Safeguarding Children Board",
                       "11": "Work Programme"}
    assert all(d.committee.startswith("Children and Education") for d in docs)
    source = load_file(CORPUS / "2016-11-21_cepac_agenda-pack.txt")
    for doc in docs:  # each paper's text sits where its offset says in the cleaned file
        assert source.text[doc.start: doc.start + len(doc.text)] == doc.text


def test_chunks_keep_provenance_and_fit_the_model():
    (doc,) = papers("2016-02-29_cepac_executive-directors-update.txt")
    chunks = chunk_document(doc)
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)
    assert max(tokens.embedded_count(contextual_text(doc, c)) for c in chunks) <= 256
    ofsted = next(c for c in chunks if "eight inspectors" in c.text)
    assert ofsted.paragraph.startswith("3") and ofsted.section.startswith("3. OFSTED")


def test_pdf_pages_survive_into_chunks(tmp_path: Path):
    from .conftest import make_pdf

    pdf = make_pdf(tmp_path / "report.pdf", [
        "Report of the Director – page one.\n\n1.1. The budget is £5,000 for outreach.",
        "2.1. The second page talks about adoption panels and their timeliness.",
        "3.1. The third page covers fostering recruitment in Fulham."])
    source = load_file(pdf)
    assert [n for n, _ in source.page_starts] == [1, 2, 3]
    assert "–" in source.text and "£5,000" in source.text
    (doc,) = split_papers(source)
    chunks = chunk_document(doc, ChunkSettings(max_tokens=16, min_tokens=1))
    pages = {c.page for c in chunks if "adoption" in c.text} | \
        {c.page for c in chunks if "fostering" in c.text}
    assert pages == {2, 3}


def test_text_after_a_table_starts_a_new_chunk():
    table = "\n".join(f"Member {i} | y | x | y" for i in range(6))
    text = ("Attendance\n\nThe table shows who attended each meeting of the Board this year.\n\n"
            f"{table}\n\nThis report was prepared by the Independent Chair, Jean Daintith.")
    doc = Document(doc_id="d", source="d.txt", title="T", committee="", date=None,
                   doc_type="document", author="", agenda_item="", text=text, start=0,
                   page_starts=())
    chunks = chunk_document(doc)
    assert "Member 5" in chunks[0].text and "Daintith" not in chunks[0].text
    assert chunks[-1].text == "This report was prepared by the Independent Chair, Jean Daintith."


OTHER_COUNCILS = ROOT.parent / "shared" / "corpus-other"  # development papers, not bundled
EXPECTED = json.loads((ROOT / "eval" / "papers_expected.json").read_text())


def read_all(folder: Path) -> dict[str, Document]:
    from rag.loading import load_file

    return {d.doc_id: d for path in sorted(folder.iterdir()) if path.name != "README.md"
            for d in split_papers(load_file(path))}


@pytest.mark.parametrize("corpus", ["hf", "other"])
def test_committee_date_and_type_match_the_hand_made_list(corpus: str):
    """Every paper of both councils' corpora against eval/papers_expected.json."""
    folder = ROOT / "corpus" if corpus == "hf" else OTHER_COUNCILS
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here (the development papers sit beside the repo)")
    docs = read_all(folder)
    wrong = []
    for row in (r for r in EXPECTED if r["corpus"] == corpus):
        doc = docs[row.get("doc_id") or row["file"].rsplit(".", 1)[0]]
        got = (doc.committee, doc.date.isoformat() if doc.date else None, doc.doc_type)
        if got != (row["committee"], row["date"], row["doc_type"]):
            wrong.append((doc.doc_id, got))
        assert doc.access == "public", doc.access_reasons
    assert not wrong


@pytest.mark.parametrize("name, committee, when", [
    ("legistar-city-council-2023-03-07.txt", "Council", date(2023, 3, 7)),
    ("legistar-planning-commission.txt", "Planning Commission", date(2023, 5, 10)),
    ("uk-planning-committee-minutes.txt", "Planning Committee", date(2023, 3, 14)),
])
def test_layouts_of_other_publishers_give_committee_date_and_type(name, committee, when):
    """Legistar's "Meeting Minutes - Final" header and a UK committee's minutes, written for
    these tests in those publishers' layouts."""
    [paper] = split_papers(load_file(ROOT / "tests" / "fixtures" / "layouts" / name))
    assert (paper.committee, paper.date, paper.doc_type) == (committee, when, "minutes")
    assert paper.access == "public"


@pytest.mark.parametrize("head, front, meeting", [
    ("The 5th Meeting of the Community and Protective Services Committee", {}, "5th meeting"),
    ("", {"title": "MINUTES 3RD MEETING"}, "3rd meeting"),
    ("Minutes of Special Meeting of Limerick City and County Council", {}, "special meeting"),
    ("Planning Board Meeting No. 12", {}, "meeting 12"),
    ("Minutes of the meeting of the Planning Committee held on 14 March 2023", {}, ""),
])
def test_the_meeting_number_is_read_where_the_paper_gives_it(head, front, meeting):
    from rag.metadata import read_meeting

    assert read_meeting(head, front) == meeting
