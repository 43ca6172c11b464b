"""What a passage shows: its sentences, highlights, paragraph labels and re-flowed lines."""

from __future__ import annotations

from datetime import date

import pytest

from rag.ask import same_passage, search
from rag.backend import open_index
from rag.chunking import chunk_document, paragraph_units
from rag.cite import highlight
from rag.cleaning import reflow
from rag.terms import INDEX_STOPWORDS, content_terms, sentences
from rag.types import Chunk, Document


def split(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


def weights(question: str) -> dict[str, float]:
    return {term: 1.0 for term in content_terms(question)}


@pytest.mark.parametrize("text, expected", [
    ("A budget of 3.2 million pounds for the programme. Work starts in May.",
     ["A budget of 3.2 million pounds for the programme.", "Work starts in May."]),
    ("10.7 It is long. It ends here.", ["It is long.", "It ends here."]),
    ("Intro line\n10. Members noted the report. They agreed.",
     ["Intro line", "Members noted the report.", "They agreed."]),
    ("12\n  3.1. Held on 5 May.", ["12", "Held on 5 May."]),
    ("24 hours is the target.\n14 March 2024 Minutes.\n7.00 Tea.",
     ["24 hours is the target.", "14 March 2024 Minutes.", "7.00 Tea."]),
    ("Cllr. Smith and Mr. Jones met Dr. Patel at St. Paul's. Next item.",
     ["Cllr. Smith and Mr. Jones met Dr. Patel at St. Paul's.", "Next item."]),
    ("See minute No. 5 and e.g. the annex. J. Smith agreed. Done!",
     ["See minute No. 5 and e.g. the annex.", "J. Smith agreed.", "Done!"]),
    ("The answer was No. Then we left.", ["The answer was No.", "Then we left."]),
    ("Is it? Yes.\n\n  Second paragraph  ", ["Is it?", "Yes.", "Second paragraph"]),
])
def test_sentences_respect_decimals_numbers_abbreviations_and_initials(text, expected):
    assert split(text) == expected


def test_the_index_drops_bm25s_own_english_stopwords():
    from bm25s.stopwords import STOPWORDS_EN

    assert INDEX_STOPWORDS == frozenset(STOPWORDS_EN)


def test_highlight_keeps_the_whole_figure():
    text = ("The Cabinet noted the report. The committee approves a capital budget of 3.2 million "
            "pounds for the rooftop solar programme. Officers will report back.")
    (start, end), = highlight(text, weights("capital budget rooftop solar"))
    assert text[start:end].startswith("The committee approves a capital budget of 3.2 million")


def test_highlight_starts_after_the_paragraph_number():
    text = "10.6 Members asked about costs.\n10.7 It is long and the rooftop solar delay matters."
    (start, end), = highlight(text, weights("rooftop solar delay"))
    assert text[start:end] == "It is long and the rooftop solar delay matters."


def paper(text: str) -> Document:
    return Document(doc_id="d", source="d.txt", title="T", committee="", date=None,
                    doc_type="minutes", author="", agenda_item="", text=text, start=0)


def test_dates_and_times_are_not_paragraph_numbers():
    text = ("14 March 2024\n\nThe meeting started at\n7.00 pm in the Town Hall.\n\n"
            "5.00 Tea was served to members.\n\n2.7 The council agreed the budget.\n\n"
            "3 MAY 2024\n\n12 noon The meeting closed.")
    # a date or a time never starts a paragraph; "2.7" runs on until the next number
    assert [u.paragraph for u in paragraph_units(text)] == ["", "", "", "2.7", "2.7", "2.7"]
    assert all(c.paragraph in ("", "2.7") for c in chunk_document(paper(text)))


def test_real_numbering_still_labels_paragraphs():
    text = "1 INTRODUCTION\n\n1.1 This report sets out the plan.\n\n1.2 Members are asked to note."
    assert [u.paragraph for u in paragraph_units(text)] == ["1", "1.1", "1.2"]


def test_a_heading_the_paper_repeats_says_whose_it_is():
    text = ("Safeguarding services\n\nOverall effectiveness\n\n8. It is good.\n\n"
            "Areas for improvement\n\n14. Improve supervision.\n\n"
            "Services for looked after children\n\nOverall effectiveness\n\n57. It is fine.\n\n"
            "Areas for improvement\n\n61. Improve health assessments.\n\n"
            "7. SEN POLICY\n\nMembers discussed it.\n\nRESOLVED\n\nThat it be noted.\n\n"
            "8. CARE LEAVERS\n\nMembers asked.\n\nRESOLVED\n\nThat the plan be agreed.")
    section = {text[u.start:u.end]: u.section for u in paragraph_units(text)}
    assert section["14. Improve supervision."] == "Safeguarding services › Areas for improvement"
    assert section["57. It is fine."] == \
        "Services for looked after children › Overall effectiveness"
    assert section["61. Improve health assessments."] == \
        "Services for looked after children › Areas for improvement"
    assert section["That it be noted."] == "7. SEN POLICY › RESOLVED"
    assert section["That the plan be agreed."] == "8. CARE LEAVERS › RESOLVED"
    assert section["Members asked."] == "8. CARE LEAVERS"  # heard once: a heading of its own


def test_reflow_joins_lines_broken_inside_a_sentence_only():
    page = ("Budget risks\nThe contractor reported delays which could\ndelay the programme by "
            "the\nCouncil into 2025.\n\n1. Recommendations\n(a) note the report; and\n"
            "(b) agree the plan\nNext Steps\nItem | Cost\nRoof | 3.2")
    flowed = reflow(page)
    assert len(flowed) == len(page)  # offsets within the page hold
    assert flowed.split("\n") == [
        "Budget risks",
        "The contractor reported delays which could delay the programme by the Council into 2025.",
        "", "1. Recommendations", "(a) note the report; and", "(b) agree the plan", "Next Steps",
        "Item | Cost", "Roof | 3.2"]


def test_reflowed_pdf_keeps_page_offsets(tmp_path):
    from fpdf import FPDF

    from rag.loading import load_file

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for words in ("first page which could", "second page whose programme could"):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"The {words}\ndelay the programme.\n\nNext Steps")
    path = tmp_path / "flow.pdf"
    pdf.output(str(path))
    loaded = load_file(path)
    assert "could delay the programme." in loaded.text and "could\ndelay" not in loaded.text
    (_, first), (_, second) = loaded.page_starts
    assert loaded.text[first:].startswith("The first page")
    assert loaded.text[second:].startswith("The second page")


def test_one_list_in_the_top_results_is_one_card(corpus_index, encoder):
    index = open_index(corpus_index, encoder)
    answer = search(index, encoder, "What were the areas for improvement in the 2011 Ofsted "
                                    "inspection?")
    cards = [h for h in answer.hits if h.doc.date == date(2011, 6, 6)
             and "Areas for improvement" in h.chunk.section and h.chunk.paragraph == "14"]
    assert len(cards) == 1, [(h.chunk.chunk_id, h.chunk.paragraph) for h in answer.hits]
    card = cards[0]
    assert card.chunk.paragraph == "14" and "supervision records" in card.chunk.text
    assert card.highlights and all(card.chunk.text[s:e].strip() for s, e in card.highlights)
    whole = index.document_text(card.doc.doc_id)
    assert whole[card.chunk.start:card.chunk.end] == card.chunk.text
    keys = [(h.doc.doc_id, h.chunk.paragraph) for h in answer.hits if h.chunk.paragraph]
    assert len(keys) == len(set(keys))


def test_only_near_chunks_of_one_paragraph_or_section_are_one_passage():
    def piece(chunk_id: int, paragraph: str, section: str = "S", doc_id: str = "d") -> Chunk:
        return Chunk(chunk_id=chunk_id, doc_id=doc_id, text="x", start=0, end=1, page=None,
                     section=section, paragraph=paragraph)

    assert same_passage(piece(22, "14"), piece(23, "14"))
    assert same_passage(piece(10, "3–3.3"), piece(12, "3.3"))
    assert same_passage(piece(5, ""), piece(6, ""))  # the next chunk of one section's list
    assert not same_passage(piece(5, ""), piece(7, ""))
    assert not same_passage(piece(5, "", section=""), piece(6, "", section=""))
    assert not same_passage(piece(484, "4"), piece(700, "4"))  # an appendix's own "4"
    assert not same_passage(piece(22, "14"), piece(23, "14", doc_id="other"))
    assert not same_passage(piece(22, "14"), piece(23, "15"))


def test_a_legistar_sub_item_with_its_file_number_is_a_section():
    from pathlib import Path

    from rag.chunking import ChunkSettings
    from rag.loading import load_file
    from rag.papers import split_papers

    layouts = Path(__file__).parent / "fixtures" / "layouts"
    [doc] = split_papers(load_file(layouts / "legistar-city-council-2023-03-07.txt"))
    vote = next(c for c in chunk_document(doc, ChunkSettings()) if "Nay: 1" in c.text)
    assert vote.section.startswith("5. CONSENT CALENDAR › 5-A 2023-2781 Recommendation to Award")
