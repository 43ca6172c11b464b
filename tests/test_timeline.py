"""A matter over time: the papers where it came up, oldest first, with their decisions."""

from __future__ import annotations

from datetime import date

import pytest

from rag.backend import open_index
from rag.ingest import ingest
from rag.timeline import decision_sentences, timeline

from .conftest import write_tiny_corpus

MINUTES = """London Borough of Hammersmith & Fulham

CHILDREN AND EDUCATION POLICY & ACCOUNTABILITY COMMITTEE

Minutes

Monday 16 March 2015

3. SCHOOL MEALS CONTRACT

The Committee considered the report on the school meals contract.

RESOLVED:
That the award of the school meals contract to Caterlink be endorsed.

4. ANY OTHER BUSINESS

The chair thanked officers. The meeting agreed to meet again in June.
"""


@pytest.fixture(scope="module")
def matter_index(tmp_path_factory, encoder):
    base = tmp_path_factory.mktemp("matter")
    corpus = write_tiny_corpus(base / "corpus")
    (corpus / "2015-03-16_minutes.txt").write_text(MINUTES)
    ingest([corpus], base / "index", encoder=encoder)
    return base / "index"


def test_timeline_is_oldest_first_with_the_decision(matter_index, encoder):
    index = open_index(matter_index, encoder)
    steps = timeline(index, encoder, "the school meals contract awarded to Caterlink")
    dates = [s.hit.doc.date for s in steps]
    assert dates == sorted(dates)
    assert {date(2015, 3, 2), date(2015, 3, 16), date(2016, 6, 13)} <= set(dates)
    assert date(2017, 1, 30) not in dates  # the youth clubs are another matter
    minutes = next(s for s in steps if s.hit.doc.date == date(2015, 3, 16))
    (start, end), = minutes.decision.highlights
    assert minutes.decision.chunk.text[start:end].startswith("RESOLVED:")
    assert "endorsed" in minutes.decision.chunk.text[start:end]
    report = next(s for s in steps if s.hit.doc.date == date(2015, 3, 2))
    assert report.decision is None  # an officer's report decides nothing


def test_only_decisions_on_the_matter_count():
    weights = {"meal": 2.0, "caterlink": 5.0}
    text = "The meeting agreed to meet again in June. RESOLVED: That Caterlink serve meals."
    found = [text[s:e] for s, e, _ in decision_sentences(text, weights)]
    assert found == ["RESOLVED: That Caterlink serve meals."]
