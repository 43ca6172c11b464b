"""Reading dates, document types and committees out of questions."""

from datetime import date

import pytest

from rag.question import read_question

PAPERS = [date(2011, 6, 6), date(2016, 2, 29), date(2016, 6, 13), date(2016, 9, 19),
          date(2016, 11, 21), date(2020, 11, 9)]


@pytest.mark.parametrize("question, start, end, label", [
    ("what did Ofsted recommend in 2011", date(2011, 1, 1), date(2011, 12, 31), "2011"),
    ("the executive director's update in June 2016", date(2016, 6, 1), date(2016, 6, 30),
     "June 2016"),
    ("minutes of 19 September 2016", date(2016, 9, 19), date(2016, 9, 19), "19 September 2016"),
    ("reports between 2015 and 2017", date(2015, 1, 1), date(2017, 12, 31), "2015–2017"),
    ("since 2016", date(2016, 1, 1), None, "since 2016"),
    ("what did Ofsted recommend after the January and February 2016 inspection",
     date(2016, 2, 1), None, "since February 2016"),
    ("what changed following its 2016 review", date(2016, 1, 1), None, "since 2016"),
    ("has the Centre for Social Work come to the committee before the November 2016 report",
     None, date(2016, 10, 31), "before November 2016"),
    ("when was it last inspected before the 2020 report", date(2020, 1, 1), date(2020, 12, 31),
     "2020"),  # an event's date, which the 2020 report gives
    ("child protection figures in 2015/16", date(2015, 4, 1), date(2016, 12, 31), "2015/16"),
    ("when did Ofsted inspect in early 2016", date(2016, 1, 1), date(2016, 4, 30), "early 2016"),
    ("what happened last year", date(2019, 1, 1), date(2019, 12, 31), "last year (2019)"),
])
def test_dates_are_read(question, start, end, label):
    query = read_question(question, PAPERS)
    assert (query.date_from, query.date_to, query.date_label) == (start, end, label)
    assert query.reading()["date"].removeprefix("for ").startswith(label)


@pytest.mark.parametrize("question, subject", [
    ("who became vice chair of the committee for 2013", True),
    ("who did the internal audit for 2019-20", True),
    ("the budget for the financial year 2016", True),
    ("child protection figures for 2015/16", True),
    ("what did Ofsted recommend in 2011", False),
    ("was anything agreed for the school in June 2016", False),
])
def test_a_period_the_matter_is_for_is_not_the_meetings_period(question, subject):
    query = read_question(question, PAPERS)
    assert query.period_of_subject is subject
    assert query.reading()["date"].startswith("for ") is subject
    if subject:  # half a year either side: appointments before it, audits after it
        plain = read_question(question.replace(" for ", " in "), PAPERS)
        assert query.date_from < plain.date_from and query.date_to > plain.date_to


def test_previous_meeting_resolves_against_the_papers():
    query = read_question("what was agreed at the previous meeting", PAPERS)
    assert query.date_from < date(2016, 11, 21) < query.date_to


def test_document_types_committee_and_latest():
    query = read_question("latest minutes of the Children and Education committee", PAPERS,
                          ["Children and Education Policy and Accountability Committee"])
    assert query.doc_types == ("minutes",)
    assert query.committee.startswith("Children and Education")
    assert query.wants_latest


def test_plain_question_reads_nothing():
    assert read_question("school meals contract").reading() == {}


def test_acronyms_defined_in_the_papers_expand_in_questions():
    from rag.terms import find_acronyms

    text = ("The Local Safeguarding Children Board (LSCB) met twice. Referrals went to the Multi "
            "Agency Safeguarding Hub (MASH), which handled child sexual exploitation (CSE) cases.")
    acronyms = find_acronyms(text)
    assert acronyms == {"LSCB": "Local Safeguarding Children Board",
                        "MASH": "Multi Agency Safeguarding Hub",
                        "CSE": "child sexual exploitation"}
    query = read_question("what did the MASH decide about CSE", acronyms=acronyms)
    assert query.expansions == ("Multi Agency Safeguarding Hub", "child sexual exploitation")
    assert "Multi Agency Safeguarding Hub" in query.search_text
    assert query.reading()["also searched"].startswith("Multi Agency")
    spelled = read_question("who chairs the local safeguarding children board?", acronyms=acronyms)
    assert spelled.expansions == ("LSCB",)  # the papers' own short form



def test_initialisms_of_paired_words_expand_in_questions():
    from rag.terms import find_initialisms

    text = ("Hammersmith & Fulham placed no one in bed and breakfast accommodation. "
            "Hammersmith and Fulham said bed and breakfast is a last resort; schools and "
            "parents agreed.")
    initialisms = find_initialisms(text)
    assert initialisms["H&F"] == "hammersmith and fulham"
    assert initialisms["B&B"] == "bed and breakfast"
    assert "S&P" not in initialisms  # "schools and parents" once only
    query = read_question("are any young people in b&bs in H&F?", acronyms=initialisms)
    assert query.expansions == ("hammersmith and fulham", "bed and breakfast")


MEETINGS = [date(2012, 2, 1), date(2012, 4, 1), date(2013, 1, 22), date(2014, 3, 3),
            date(2014, 4, 1)]


@pytest.mark.parametrize("question, start, end", [
    ("what happened on April 1", date(2014, 4, 1), date(2014, 4, 1)),
    ("decisions of 1 April", date(2014, 4, 1), date(2014, 4, 1)),
    ("the 1st of April meeting", date(2014, 4, 1), date(2014, 4, 1)),
    ("what did council decide in January", date(2013, 1, 1), date(2013, 1, 31)),
    ("at the April council meeting", date(2014, 4, 1), date(2014, 4, 30)),
    ("what was decided on April 1, 2012", date(2012, 4, 1), date(2012, 4, 1)),
    ("what did this year's meetings decide", date(2014, 1, 1), date(2014, 12, 31)),
])
def test_dates_without_a_year_resolve_to_the_most_recent_the_papers_hold(question, start, end):
    query = read_question(question, MEETINGS)
    assert (query.date_from, query.date_to) == (start, end)
    assert query.date_label


def test_may_the_verb_is_not_a_month():
    assert read_question("who may decide on the budget", MEETINGS).date_label == ""


@pytest.mark.parametrize("question, phrases", [
    ('who gets "free school meals"?', ("free school meals",)),
    ("“looked after  children” and \"care leavers\"", ("looked after children", "care leavers")),
    ('“ ” is empty; "a" and "a" repeat', ("a",)),
    ("no quotes at all", ()),
])
def test_quoted_phrases_are_read(question, phrases):
    query = read_question(question)
    assert query.phrases == phrases
    if phrases:
        assert query.reading()["exact phrase"].endswith("in every result")
    else:
        assert "exact phrase" not in query.reading()
