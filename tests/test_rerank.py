"""The model-free reranker's signals on small, hand-made passages."""

from __future__ import annotations

import numpy as np
import pytest

from rag.dates import latest_year
from rag.passage_features import compute
from rag.question import read_question
from rag.rerank import NAME, names_earlier_years, passage_scores
from rag.terms import ROLES, content_terms, plain_words
from rag.types import Chunk, Document

WEIGHTS = {"chair": 2.0, "board": 1.0, "meet": 1.0}


def chunk(text: str, section: str = "") -> Chunk:
    return Chunk(chunk_id=0, doc_id="d", text=text, start=0, end=len(text), page=None,
                 section=section, paragraph="")


def passage_features(weights: dict[str, float], question: str, passage: Chunk,
                     title: str = "") -> dict[str, float]:
    """The reranker's figures for one passage, from its features as a build stores them."""
    doc = Document(doc_id="d", source="d.txt", title=title, committee="", date=None,
                   doc_type="", author="", agenda_item="", text=passage.text, start=0)
    found = compute([doc], [passage])
    scores = passage_scores(found, np.array([0]), np.array([0]), question, weights)
    return {name: float(value[0]) for name, value in scores.items()}


def test_a_passage_using_the_other_form_of_an_acronym_covers_it():
    acronyms = {"LSCB": "Local Safeguarding Children Board"}
    long = "Local Safeguarding Children Board"
    for question, text, used in (
            (f"Who is the independent chair of the {long}?",
             "The LSCB Independent Chair, Jean Daintith, wrote it.", ((long, "LSCB"),)),
            ("Who is the independent chair of the LSCB?",
             f"Jean Daintith is the {long}'s independent chair.", (("LSCB", long),))):
        aliases = read_question(question, acronyms=acronyms).aliases
        weights = {t: 1.0 for t in content_terms(question)}
        doc = Document(doc_id="d", source="d.txt", title="", committee="", date=None,
                       doc_type="", author="", agenda_item="", text=text, start=0)
        found = compute([doc], [chunk(text)])
        plain, known = (passage_scores(found, np.array([0]), np.array([0]), question, weights,
                                       given) for given in ((), aliases))
        assert aliases == used
        assert plain["coverage"][0] < 1.0 and known["coverage"][0] == 1.0
        assert known["sentence"][0] == 1.0


def answer_type_match(question: str, weights: dict[str, float], text: str) -> float:
    return passage_features(weights, question, chunk(text))["answer_type"]


def test_a_date_the_question_already_gives_is_not_an_answer():
    question = "When is the meeting after 21 November 2016?"
    assert plain_words("the 21st of November") == ["the", "21", "of", "november"]
    same = "The next meeting will be held on 21st November 2016."
    later = "The next meeting will be held on 30 January 2017."
    assert answer_type_match(question, WEIGHTS, same) == 0.0
    assert answer_type_match(question, WEIGHTS, later) == 1.0


def test_names_of_people_and_organisations_answer_who():
    assert [m.group() for m in NAME.finditer("a new provider (CT Plus) won")] == ["CT Plus"]
    question = "Who won the Jack Tizard contract?"
    assert answer_type_match(question, {"contract": 1.0}, "The Jack Tizard contract is new.") == 0
    assert answer_type_match(question, {"contract": 1.0}, "The contract went to CT Plus.") == 1


@pytest.mark.parametrize("question", ["What share of children had a say at their reviews?",
                                      "what fraction of children had a say at reviews"])
def test_a_share_asks_for_a_number(question):
    weights = {t: 1.0 for t in content_terms(question)}
    assert answer_type_match(question, weights, "96% of children had a say at reviews.") == 1
    assert answer_type_match(question, weights, "Children had a say at their reviews.") == 0


def test_a_paragraph_number_is_not_a_number_that_answers():
    question = "How quickly are referrals dealt with?"
    weights = {t: 1.0 for t in content_terms(question)}
    assert answer_type_match(question, weights, "34. The referral point has no waiting list.") == 0
    assert answer_type_match(question, weights, "27. Referrals are dealt with in 24 hours.") == 1
    assert answer_type_match(question, weights, "The 3.2 referral target was met.") == 1


def test_single_letters_are_not_terms():
    assert content_terms("H&F children's services") == ["children", "servic"]


def test_a_chair_in_brackets_is_an_authorship_line():
    assert ROLES["authorship"].search("Councillors Caroline Needham (Chair), Alan De'Ath")


def test_a_report_of_someone_is_authorship_only_where_a_line_or_heading_opens_with_it():
    authorship = ROLES["authorship"]
    assert authorship.search("29 FEBRUARY 2016\nReport of the Executive Director")
    assert authorship.search("EXECUTIVE DIRECTOR'S UPDATE › Report of the Executive Director")
    assert not authorship.search("Appendix 1 – Annual Report of the Local Safeguarding Board")
    assert not authorship.search("19. 5th Report of the Trees and Forests Advisory Committee")


def test_a_question_on_a_vote_looks_for_the_passage_that_records_it():
    question = "Who voted against the Springbank Drive recommendation?"
    weights = {t: 1.0 for t in content_terms(question)}
    motion = chunk("That the Springbank Drive application BE REFUSED for its height.")
    recorded = chunk("Motion Passed\nVote: Yeas: J. Smith A. Brown (2)\nNays: P. Hubert (1)")
    assert passage_features(weights, question, motion)["role"] == 0.0
    assert passage_features(weights, question, recorded)["role"] == 0.5
    assert passage_features(weights, "What was recommended for Springbank Drive?",
                            recorded)["role"] == 0.0


def test_words_of_the_papers_context_count_less_in_coverage():
    passage = chunk("The Board meets four times a year.")
    plain = passage_features(WEIGHTS, "board meeting chair", passage)
    in_context = passage_features(WEIGHTS, "board meeting chair", passage,
                                  title="Annual Report of the Board")
    assert plain["coverage"] == 0.5  # board and meet, of chair 2 + board 1 + meet 1
    assert 0 < in_context["coverage"] < plain["coverage"]


@pytest.mark.parametrize(("text", "year"), [
    ("recommendations from the 2009 Ofsted inspection", 2009),
    ("the budget for 2011/12 and the plan for 2011-2012", 2012),
    ("in 2009 and again in 2013.", 2013),
    ("file 2023-2781, tel. 020 8753 2000, under the Children Act 1989", 0),
    ("the Localism Act 2011 and a £2000 grant", 0),
])
def test_the_latest_year_a_passage_names(text: str, year: int):
    assert latest_year(text) == year


def test_only_years_before_the_question_count_against_a_passage():
    query = read_question("what did Ofsted recommend in 2011")
    latest = np.array([0, 2009, 2010, 2011, 2015])  # none, earlier, the year before, same, later
    assert names_earlier_years(latest, query).tolist() == [0, 1, 0, 0, 0]
    assert not names_earlier_years(latest, read_question("what did Ofsted recommend")).any()
