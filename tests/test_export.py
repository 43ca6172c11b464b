"""Results exported as Markdown and CSV carry the question, passage, citation, date, page."""

from __future__ import annotations

import csv
import io
from datetime import date

from rag.cite import citation
from rag.export import COLUMNS, result_rows, to_csv, to_markdown
from rag.types import Answer, Chunk, Document, Hit, Place, Query


def paper(doc_id: str, title: str, when: date | None, text: str) -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.pdf", title=title, committee="Children "
                    "and Education Policy and Accountability Committee", date=when,
                    doc_type="officer report", author="", agenda_item="5", text=text, start=0)


def hit(doc: Document, text: str, page: int | None, paragraph: str = "") -> Hit:
    chunk = Chunk(chunk_id=1, doc_id=doc.doc_id, text=text, start=0, end=len(text), page=page,
                  section="SCHOOL MEALS", paragraph=paragraph)
    return Hit(chunk=chunk, doc=doc, score=0.9, highlights=((0, 10),))


def sample_answer(abstain: bool = False) -> Answer:
    meals = paper("meals", "School meals contract", date(2015, 3, 2), "")
    update = paper("update", "Executive Director's update", date(2016, 6, 13), "")
    first = hit(meals, "The contract was awarded to Caterlink.\nIt serves 9,000 meals.", 4, "3.1")
    first = Hit(first.chunk, first.doc, first.score, first.highlights,
                also_in=(Place(update, first.chunk),))
    second = hit(update, "=HYPERLINK(\"http://x\") uptake rose to 85 per cent", None)
    query = Query(text="who won the school meals contract in 2015", date_label="2015")
    return Answer(query=query, hits=(first, second), abstain=abstain, confidence=0.7)


def test_csv_has_one_row_per_passage_with_citation_date_and_page():
    answer = sample_answer()
    rows = list(csv.DictReader(io.StringIO(to_csv(answer))))
    assert list(rows[0]) == COLUMNS
    assert [r["rank"] for r in rows] == ["1", "2"]
    first = rows[0]
    assert first["question"] == "who won the school meals contract in 2015"
    assert first["passage"].startswith("The contract was awarded to Caterlink.\nIt serves")
    assert first["citation"] == citation(answer.hits[0].doc, answer.hits[0].chunk)
    assert (first["date"], first["page"], first["paragraph"]) == ("2015-03-02", "4", "3.1")
    assert rows[1]["page"] == ""


def test_csv_neutralises_spreadsheet_formulas():
    rows = list(csv.DictReader(io.StringIO(to_csv(sample_answer()))))
    assert rows[1]["passage"].startswith("'=HYPERLINK")


def test_markdown_quotes_each_passage_under_its_citation():
    text = to_markdown(sample_answer())
    assert text.startswith("# who won the school meals contract in 2015\n")
    assert "Read as: date: 2015" in text
    assert "## 1. School meals contract" in text
    assert "> The contract was awarded to Caterlink.\n> It serves 9,000 meals." in text
    assert "Also in: Executive Director's update" in text
    assert "**Direct answer.** The first passage answers the question." in text


def test_markdown_says_when_nothing_answers_directly():
    assert "**Related passages only.** No passage in the papers answers this directly. The " \
        "nearest passages follow." in to_markdown(sample_answer(abstain=True))
    empty = Answer(query=Query(text="anything"), hits=(), abstain=True, confidence=0.0)
    assert "No passages found." in to_markdown(empty)
    assert to_csv(empty).strip() == ",".join(COLUMNS)


def test_rows_are_plain_strings():
    for row in result_rows(sample_answer()):
        assert all(isinstance(value, str) for value in row.values())


def test_markdown_escapes_html_from_papers():
    doc = paper("x", "Report <script>alert(1)</script>", date(2016, 6, 13), "")
    answer = Answer(query=Query(text="what <b>happened</b>"), confidence=0.7, abstain=False,
                    hits=(hit(doc, 'Uptake rose. <img src=x onerror="alert(1)"> & more', 2),))
    text = to_markdown(answer)
    assert "<img" not in text and "<script>" not in text and "<b>" not in text
    assert '&lt;img src=x onerror="alert(1)"&gt; &amp; more' in text
    assert "Report &lt;script&gt;" in text
