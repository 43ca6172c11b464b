"""Retrieval, answers and precedents with the real model and real indexes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rag.ask import precedents, search, unmentioned_words
from rag.backend import open_index
from rag.cite import answer_json
from rag.errors import IndexMismatch
from rag.ingest import ingest
from rag.types import Filters

from .conftest import write_report


def test_ofsted_2011_recommendations_come_first(corpus_index, encoder):
    index = open_index(corpus_index, encoder)
    answer = search(index, encoder, "what did Ofsted recommend in 2011", k=3)
    hit = answer.hits[0]  # not para. 70, on the recommendations of a 2009 inspection
    assert "Areas for improvement" in hit.chunk.section, [h.chunk.text[:80] for h in answer.hits]
    assert hit.doc.date == date(2011, 6, 6) and hit.doc.doc_type == "inspection report"
    assert hit.chunk.paragraph in ("14", "61")  # the two 2011 "Areas for improvement" lists
    assert answer.query.reading() == {"date": "2011"} and not answer.abstain


def test_json_answer_has_the_promised_fields(tiny_index, encoder):
    index = open_index(tiny_index, encoder)
    result = answer_json(search(index, encoder, "who won the school meals contract in 2015"))
    json.dumps(result)  # serialisable as printed by `rag ask --json`
    assert set(result) >= {"question", "abstain", "passages", "reading"}
    top = next(p for p in result["passages"][:3] if "Caterlink" in p["text"])
    assert set(top) >= {"rank", "score", "text", "doc_id", "title", "committee", "date",
                        "doc_type", "page", "section", "paragraph", "citation", "highlights",
                        "also_in"}
    assert top["date"] == "2015-03-02"
    assert "School Meals Contract" in top["citation"] and "2 March 2015" in top["citation"]
    marked = top["highlights"][0]
    assert "Caterlink" in top["text"][marked["start"]:marked["end"]] == marked["text"]


def test_repeated_passages_collapse_into_also_in(tiny_corpus, tmp_path, encoder):
    body = ("The fostering panel approved 14 new foster carers in Hammersmith and the "
            "recruitment campaign will continue through the winter months.")
    for name, when in (("2016-01-11_report.txt", "11 January 2016"),
                       ("2016-03-14_minutes-repeat.txt", "14 March 2016")):
        write_report(tiny_corpus, name, date=when, title="FOSTERING UPDATE",
                     summary="An update on fostering.", heading="FOSTERING", body=body)
    index_dir = tmp_path / "dup-index"
    ingest([tiny_corpus], index_dir, encoder=encoder)
    answer = search(open_index(index_dir, encoder), encoder, "how many foster carers were approved")
    top = answer.hits[0]
    assert "14 new foster carers" in top.chunk.text
    assert len(top.also_in) == 1 and top.also_in[0].doc.doc_id != top.doc.doc_id
    assert sum("14 new foster carers" in h.chunk.text for h in answer.hits) == 1


def test_abstains_when_nothing_answers(tiny_index, encoder):
    index = open_index(tiny_index, encoder)
    assert search(index, encoder, "what is the policy on licensing street food markets").abstain
    assert not search(index, encoder, "when will the youth clubs open on Saturdays").abstain


def test_filters_are_hard_and_readings_are_soft(tiny_index, encoder):
    index = open_index(tiny_index, encoder)
    soft = search(index, encoder, "school meals contract in 2017", k=3)
    assert any("meals" in h.chunk.text for h in soft.hits)  # the misread year hides nothing
    hard = search(index, encoder, "school meals contract", k=5,
                  filters=Filters(date_from=date(2016, 1, 1), date_to=date(2016, 12, 31)))
    assert hard.hits and {h.doc.date.year for h in hard.hits} == {2016}


def test_precedents_are_earlier_papers_oldest_first(tiny_index, encoder):
    index = open_index(tiny_index, encoder)
    hits = precedents(index, encoder, "school meals contract re-procured")
    dates = [h.doc.date for h in hits]
    assert dates == sorted(dates) and len({h.doc.doc_id for h in hits}) == len(hits)
    assert {date(2015, 3, 2), date(2016, 6, 13)} <= set(dates)


def test_index_built_with_another_model_is_refused(tiny_index, encoder):
    manifest_path = Path(tiny_index) / "current" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "model": "other-model"}))
    with pytest.raises(IndexMismatch, match="other-model"):
        open_index(tiny_index, encoder)


def test_a_quoted_phrase_is_in_every_result(tiny_index, encoder):
    index = open_index(tiny_index, encoder)
    loose = search(index, encoder, "who provides the new school meals", k=5)
    assert any("new provider" not in h.chunk.text for h in loose.hits)
    exact = search(index, encoder, 'who provides the "New  Provider" of school meals', k=5)
    assert exact.hits and all("new provider" in h.chunk.text for h in exact.hits)
    assert answer_json(exact)["reading"]["exact phrase"] == "“New Provider” in every result"
    assert search(index, encoder, 'meals "provider new"', k=5).hits == ()
    assert search(index, encoder, 'meals "zzyzx provider"', k=5).hits == ()


def test_precedents_leave_out_unrelated_papers(corpus_index, encoder):
    index = open_index(corpus_index, encoder)
    question = "has the committee looked at school meals contracts before"
    every = {h.doc.title for h in precedents(index, encoder, question, cutoff=0)}
    assert {"Work Programme", "Travel Care and Support Services"} <= every
    kept = precedents(index, encoder, question)
    assert all("meals" in h.chunk.text.lower() for h in kept)
    assert [h.doc.date for h in kept] == [date(2016, 6, 13), date(2016, 9, 19),
                                          date(2016, 11, 21)]
    passage = kept[0].chunk.text  # from a card, as "This matter over time" asks
    assert all("meals" in h.chunk.text.lower() for h in precedents(index, encoder, passage))


def test_a_period_the_matter_is_for_does_not_hide_the_meeting_before_it(tmp_path, encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    minutes = "Minutes of the meeting of the Parks Committee held on {when}\n\nPresent: " \
              "Councillors A. Lee, B. Armstrong and C. Khan.\n\n{body}\n"
    (corpus / "2012-12-03 parks.txt").write_text(minutes.format(
        when="3 December 2012", body="4. Election of Vice Chair\n\nThat Councillor B. Armstrong "
        "BE ELECTED Vice Chair of the Parks Committee for the term ending 30 November 2013."))
    (corpus / "2013-02-11 parks.txt").write_text(minutes.format(
        when="11 February 2013", body="3. Vice Chair's Report\n\nThe Vice Chair reported on "
        "the winter maintenance of the parks and thanked the grounds staff."))
    ingest([corpus], tmp_path / "index", encoder=encoder)
    index = open_index(tmp_path / "index", encoder)
    answer = search(index, encoder, "who became vice chair of the parks committee for 2013")
    assert answer.query.period_of_subject and "ELECTED" in answer.hits[0].chunk.text
    meetings = search(index, encoder, "what did the vice chair report in 2013")
    assert meetings.hits[0].doc.date == date(2013, 2, 11)


def test_the_verdict_says_so_in_words(tiny_index, encoder):
    index = open_index(tiny_index, encoder)
    answered = search(index, encoder, "when will the youth clubs open on Saturdays")
    assert answered.verdict == "direct answer" and answered.unmentioned == ()
    absent = search(index, encoder, "what is the policy on licensing street food markets")
    assert absent.verdict == "the papers don't say"
    assert "markets" in absent.unmentioned and "policy" not in absent.unmentioned
    printed = answer_json(absent)
    assert printed["verdict"] == "the papers don't say" and "markets" in printed["unmentioned"]
    chatty = unmentioned_words(index, "so what happened with the B&Bs and the street markets")
    assert chatty == ("street", "markets")  # not "happened", nor the "bs" of "B&Bs"


def test_a_question_the_papers_touch_but_do_not_answer_gets_related_passages(corpus_index,
                                                                              encoder):
    index = open_index(corpus_index, encoder)
    near = search(index, encoder, "Has the committee discussed air quality around school gates?")
    assert near.abstain and near.hits and near.verdict == "related passages only"
