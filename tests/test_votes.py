"""Motions and votes read from minutes as councils print them, and found by asking."""

from __future__ import annotations

from pathlib import Path

from rag.votes import read_vote, summary

ESCRIBE = """# 4.&nbsp;&nbsp;Depot Contract

Recommendation: That the contract for the Exeter Road depot BE AWARDED to Harmon Ltd.

Moved by Councillor B. Polhill

Seconded by Councillor D. Brown

Motion Passed

Vote:
Yeas:|Nays:
J.F. Fontana|D.G. Henderson (1) RECUSED: N. Branscombe (1)
J.B. Swan|
W.J. Armstrong (3)|
"""
UK = ("It was proposed by Cllr. P. Harries, seconded by Cllr. W. Loynton and unanimously "
      "agreed that the minutes be approved. CARRIED")
IRISH = "Proposed by Councillor Foley;\nSeconded by Councillor Galvin;\nAnd Resolved: that"


def test_escribe_roll_call_gives_mover_seconder_result_and_sides():
    vote = read_vote(ESCRIBE)
    assert (vote.mover, vote.seconder, vote.result) == ("B. Polhill", "D. Brown", "Motion passed")
    assert vote.yeas == ("J.F. Fontana", "J.B. Swan", "W.J. Armstrong")
    assert vote.nays == ("D.G. Henderson",) and vote.recused == ("N. Branscombe",)
    assert vote.count == "3 to 1"
    assert "voted against: D.G. Henderson" in summary(vote)


def test_uk_and_irish_minutes_give_mover_and_seconder():
    assert (read_vote(UK).mover, read_vote(UK).seconder) == ("P. Harries", "W. Loynton")
    assert read_vote(UK).result == "Carried"
    assert (read_vote(IRISH).mover, read_vote(IRISH).seconder) == ("Foley", "Galvin")


def test_an_attendance_list_is_no_vote():
    assert read_vote("Present:\nJ. Smith\n\nAbsent:\nP. Jones") is None
    assert read_vote("Application\nNo: 12\nYes: 2023/0456") is None  # numbers, not members
    assert read_vote("The committee noted the report.") is None


def test_asking_who_voted_against_finds_the_vote_with_its_heading(tmp_path: Path, encoder):
    from rag.ask import search
    from rag.backend import open_index
    from rag.cite import hit_json
    from rag.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "2014-03-03 Civic Works Committee.md").write_text(
        "---\ntitle: Civic Works Committee\ndate: 2014-03-03\n---\nMarch 3, 2014\n\n"
        "# 3.&nbsp;Snow Clearing Budget\n\nThat the snow clearing budget BE RECEIVED.\n\n"
        "Motion Passed (5 to 0)\n\n" + ESCRIBE)
    ingest([corpus], tmp_path / "index", encoder=encoder)
    index = open_index(tmp_path / "index", encoder)
    answer = search(index, encoder, "who voted against the depot contract?", k=3)
    top = hit_json(answer.hits[0], 1)
    assert list(top["vote"]["nays"]) == ["D.G. Henderson"] and top["vote"]["mover"] == "B. Polhill"
    assert "Depot Contract" in top["section"]
    assert top["committee"] == "Civic Works Committee" and top["doc_type"] == "minutes"


LEGISTAR = """5-A 2023-2781 Recommendation to Award a Contract to Harbor Paving for Resurfacing.
A motion was made by Vice Mayor Price, seconded by Councilmember Nguyen, that the Recommendation
be approved. The motion carried by the following vote:
Aye: 4 - Councilmember Moreno, Nguyen, Vice Mayor Price and Mayor Ellis Ward
Nay: 1 - Councilmember Garcia Lopez
"""
GRANICUS = """Motion by Commissioner Lee, seconded by Commissioner Park, to deny the appeal.
AYES: Lee, Park, Ortiz
NOES: None
ABSENT: Chen
"""


def test_legistar_and_granicus_roll_calls_on_one_line_each():
    vote = read_vote(LEGISTAR)
    assert (vote.mover, vote.seconder, vote.result) == ("Price", "Nguyen", "Motion carried")
    assert vote.yeas == ("Moreno", "Nguyen", "Price", "Ellis Ward")
    assert vote.nays == ("Garcia Lopez",) and vote.count == "4 to 1"
    other = read_vote(GRANICUS)
    assert (other.mover, other.seconder) == ("Lee", "Park")
    assert other.yeas == ("Lee", "Park", "Ortiz") and other.nays == () and other.absent == ("Chen",)
    assert other.count == "3 to 0" and "vote 3 to 0" in summary(other)


def test_a_uk_tally_gives_the_count():
    vote = read_vote("It was proposed by Councillor Green and seconded by Councillor Grey that "
                     "the application be refused.\nRESOLVED: That permission be refused.\n"
                     "(For 4, Against 2)")
    assert (vote.mover, vote.seconder, vote.count) == ("Green", "Grey", "4 to 2")
    assert read_vote("The motion was put to the vote: 9 for, 3 against.").count == "9 to 3"
