"""The same item at a committee and at the council meeting that took its report."""

from __future__ import annotations

from pathlib import Path

from rag.links import clauses_named

COMMITTEE = """---
title: Corporate Services Committee
date: 2013-01-22
---
January 22, 2013

# 3.&nbsp;Fleet Replacement

That the fleet replacement schedule BE RECEIVED.

# 4.&nbsp;Request from Harbour Tools Inc. to Extend its Option on Lot 7, Riverside Park

That the request submitted by Harbour Tools Inc. to extend its option to purchase Lot 7 in
Riverside Park BE APPROVED for a further six months.
"""
COUNCIL = """---
title: Council
date: 2013-01-29
---
January 29, 2013

The Council meets in Regular Session in the Council Chambers.

# 5.&nbsp;Reports

That clause 4 of the 3rd Report of the Corporate Services Committee, having to do with
the option held by Harbour Tools Inc. on Lot 7 in Riverside Park, BE APPROVED.
"""


def test_clause_references_are_read():
    assert clauses_named("clause 4 of the 3rd Report of the Corporate Services Committee") == [
        ("Corporate Services Committee", 4)]
    assert clauses_named("clauses 6 to 8, inclusive, of the 2nd Report of the Civic Works "
                         "Committee") == [("Civic Works Committee", n) for n in (6, 7, 8)]


def indexed_and_asked(tmp_path: Path, encoder, papers: dict[str, str], question: str):
    """The index of `papers` (file name: text), and the question's top 5 as ask --json."""
    from rag.ask import search
    from rag.backend import open_index
    from rag.cite import hit_json
    from rag.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in papers.items():
        (corpus / name).write_text(text)
    ingest([corpus], tmp_path / "index", encoder=encoder)
    index = open_index(tmp_path / "index", encoder)
    hits = search(index, encoder, question, k=5).hits
    return index, [hit_json(h, i) for i, h in enumerate(hits, start=1)]


def test_committee_item_and_council_adoption_link_both_ways(tmp_path: Path, encoder):
    _, hits = indexed_and_asked(tmp_path, encoder, {
        "2013-01-22 Corporate Services Committee.md": COMMITTEE, "2013-01-29 Council.md": COUNCIL},
        "Harbour Tools option on Lot 7 Riverside Park")
    by_committee = {h["committee"]: h for h in hits}
    committee, council = by_committee["Corporate Services Committee"], by_committee["Council"]
    assert [(a["committee"], a["date"]) for a in committee["also_at"]] == [
        ("Council", "2013-01-29")]
    assert [(a["committee"], a["date"]) for a in council["also_at"]] == [
        ("Corporate Services Committee", "2013-01-22")]
    assert "4. Request from Harbour Tools" in council["also_at"][0]["citation"]


CABINET = """CABINET

MINUTES of the meeting held on Monday, 4 March 2024 at 7.00 pm

PRESENT: Councillor J Smith (Leader), Councillors A Brown and C Green.

87. TREASURY MANAGEMENT STRATEGY 2024/25
RESOLVED: That Council be recommended to approve the Treasury Management Strategy for
2024/25, with a borrowing limit of £45 million.

88. LIBRARY OPENING HOURS
RESOLVED: That the libraries open on Sunday afternoons from April.
"""
FULL_COUNCIL = """COUNCIL

MINUTES of the meeting held on Wednesday, 20 March 2024 at 7.30 pm

PRESENT: The Mayor, Councillor P Jones (in the Chair), and 40 Councillors.

12. RECOMMENDATIONS FROM CABINET
The recommendations of the Cabinet meeting held on 4 March 2024 on the Treasury Management
Strategy 2024/25 were moved by Councillor Smith.
RESOLVED: That the Treasury Management Strategy for 2024/25 be approved.
"""


def test_uk_minutes_that_take_a_committee_meetings_recommendations_link_both_ways(
        tmp_path: Path, encoder):
    from rag.ask import search
    from rag.cite import hit_json

    index, hits = indexed_and_asked(tmp_path, encoder, {
        "cabinet-2024-03-04.txt": CABINET, "council-2024-03-20.txt": FULL_COUNCIL},
        "treasury management strategy 2024/25 approved")
    by_committee = {h["committee"]: h for h in reversed(hits)}  # each committee's first
    cabinet, council = by_committee["Cabinet"], by_committee["Council"]
    assert [(a["committee"], a["date"]) for a in council["also_at"]] == [("Cabinet", "2024-03-04")]
    assert "para. 87" in council["also_at"][0]["citation"]  # its item on the same matter
    assert [(a["committee"], a["date"]) for a in cabinet["also_at"]] == [("Council", "2024-03-20")]
    libraries = search(index, encoder, "library Sunday opening hours", k=1).hits[0]
    assert "LIBRARY" in libraries.chunk.text and hit_json(libraries, 1)["also_at"] == []
