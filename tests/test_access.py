"""Restricted (exempt) papers never reach a public session, through any CLI output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.access import unlocks
from rag.backend import open_index
from rag.cli import main
from rag.metadata import exempt_reasons
from rag.papers import split_papers

from .conftest import ROOT, write_report, write_tiny_corpus

KEY = "correct horse battery staple"
# (file, title, distinctive phrase) of each restricted paper, and how it is restricted
SECRETS = {
    "cover": ("2019-04-01_depot.txt", "Zanzibar Depot Purchase", "zanzibar depot acquisition"),
    "sidecar": ("2019-05-01_sponsor.txt", "Quokka Sponsorship", "quokka sponsorship agreement"),
    "option": ("2019-06-01_lease.txt", "Wombat Lease Renewal", "wombat lease renewal terms"),
}
EXEMPT_COVER = """London Borough of Hammersmith & Fulham

CABINET

1 April 2019

ZANZIBAR DEPOT PURCHASE

Report of the Director of Finance

NOT FOR PUBLICATION by virtue of paragraph 3 of Schedule 12A to the Local Government Act 1972:
this report contains exempt information.

1. SUMMARY

1.1. The zanzibar depot acquisition will cost the council £4.2m, paid to Quayside Holdings.
"""


@pytest.fixture(scope="module")
def restricted_index(tmp_path_factory, encoder) -> Path:
    """The tiny corpus with three restricted papers, one restricted each way."""
    from rag.ingest import ingest

    root = tmp_path_factory.mktemp("access")
    folder = make_public(root)
    (folder / SECRETS["cover"][0]).write_text(EXEMPT_COVER)
    name, title, phrase = SECRETS["sidecar"]
    write_report(folder, name, date="1 May 2019", title=title.upper(), summary=f"The {phrase}.",
                 heading="SPONSORSHIP", body=f"The {phrase} brings £50,000 a year.")
    (folder / (name + ".meta.json")).write_text(json.dumps({"access": "restricted"}))
    extra = root / "members"
    extra.mkdir()
    name, title, phrase = SECRETS["option"]
    write_report(extra, name, date="1 June 2019", title=title.upper(), summary=f"The {phrase}.",
                 heading="LEASES", body=f"The {phrase} set the rent at £80,000.")
    index_dir = root / "index"
    ingest([folder], index_dir, encoder=encoder)
    result = CliRunner().invoke(main, ["ingest", str(extra), "--index", str(index_dir),
                                       "--access", "restricted"])
    assert result.exit_code == 0, result.output
    return index_dir


def make_public(root: Path) -> Path:
    return write_tiny_corpus(root / "corpus", ("2017-01-30_youth-clubs.txt",
                                               "2015-03-02_school-meals.txt"))


def leaks(text: str, asked: str = "") -> list[str]:
    """Any restricted title, phrase or file name in `text`, besides the question echoed, whole
    or as the words it says no paper mentions (“lease” in text, "lease" in JSON)."""
    lowered = text.lower().replace(asked.lower(), " ") if asked else text.lower()
    for word in re.findall(r"\w+", asked.lower()):
        lowered = lowered.replace(f"“{word}”", " ").replace(f'"{word}"', " ")
    marks = [m for name, title, phrase in SECRETS.values() for m in (name, title, phrase)]
    marks += ["quayside", "zanzibar", "quokka", "wombat", "depot", "sponsor", "lease"]
    return [m for m in marks if m.lower() in lowered]


def run(*args: str, key: str | None = None, configured: str | None = KEY) -> str:
    env = {"RAG_MEMBER_KEY": configured or "", "RAG_KEY": key or ""}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


QUERIES = [SECRETS[k][2] for k in SECRETS] + ["Zanzibar Depot Purchase £4.2m Quayside",
                                               "When was the lease renewed and the rent set?"]


def test_access_levels_are_set_three_ways(restricted_index):
    docs = {d.source: d for d in open_index(restricted_index).docs.values()}
    assert docs["2019-04-01_depot.txt"].access_reasons == (
        "exempt information", "not for publication", "Schedule 12A")
    assert {d.source for d in docs.values() if d.access == "restricted"} == {
        name for name, _, _ in SECRETS.values()}
    assert docs["2017-01-30_youth-clubs.txt"].access == "public"


@pytest.mark.parametrize("query", QUERIES)
def test_ask_and_precedents_never_leak_to_the_public(restricted_index, query):
    index = str(restricted_index)
    for args in (["ask", query], ["ask", query, "--json", "--k", "10"],
                 ["precedents", query], ["precedents", query, "--json", "--limit", "20"]):
        assert leaks(run(*args, "--index", index), query) == [], args
        assert leaks(run(*args, "--index", index, "--key", "wrong key"), query) == [], args
        assert leaks(run(*args, "--index", index, "--key", KEY, configured=None), query) == []


def test_members_see_restricted_papers(restricted_index):
    index = str(restricted_index)
    for kind, (_, title, phrase) in SECRETS.items():
        found = json.loads(run("ask", phrase, "--json", "--index", index, "--key", KEY))
        assert phrase in found["passages"][0]["text"].lower(), kind
        assert title.lower() in run("precedents", phrase, "--index", index, key=KEY).lower()
    assert "Zanzibar" in run("info", "--index", index, "--key", KEY)  # the table may wrap it


def test_info_and_check_show_no_restricted_titles_or_counts(restricted_index):
    index = str(restricted_index)
    public = run("info", "--index", index)
    assert leaks(public) == [] and "2 papers" in public
    member = run("info", "--index", index, "--key", KEY)
    assert "5 papers" in member
    check = run("check", "--index", index)
    assert leaks(check) == [] and "2 papers" in check and "restricted" not in check
    full = run("check", "--index", index, "--key", KEY)
    assert "5 papers" in full and "3 restricted papers" in full


def test_eval_results_and_diagnostics_never_leak(restricted_index, tmp_path):
    questions = tmp_path / "questions.jsonl"
    rows = [{"id": f"q{i}", "question": q, "evidence": [SECRETS["cover"][2]], "docs": [],
             "kind": "keyword"} for i, q in enumerate(QUERIES)]
    rows.append({"id": "neg", "question": "Wombat sponsorship", "evidence": [], "docs": [],
                 "kind": "negative"})
    questions.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "eval"
    printed = run("eval", str(questions), "--index", str(restricted_index), "--configs",
                  "bm25,full", "--out", str(out), "--results", str(tmp_path / "results.jsonl"),
                  key=KEY)
    assert leaks(printed) == [] and leaks((out / "metrics.json").read_text()) == []
    for path in [tmp_path / "results.jsonl", out / "diagnostics.jsonl"]:
        for line in path.read_text().splitlines():
            row = json.loads(line)
            asked = row.pop("question", "")
            assert leaks(json.dumps(row, ensure_ascii=False), asked) == [], path.name


def test_unlocking_needs_the_configured_credential(monkeypatch):
    monkeypatch.delenv("RAG_MEMBER_KEY", raising=False)
    assert not unlocks(KEY) and not unlocks("") and not unlocks(None)
    monkeypatch.setenv("RAG_MEMBER_KEY", KEY)
    assert unlocks(KEY) and not unlocks(KEY + " ") and not unlocks("") and not unlocks("ćwierć")
    assert not unlocks(KEY, secret="") and unlocks("x", secret="x")


def test_bundled_papers_stay_public_and_exempt_covers_are_caught():
    from rag.loading import load_file

    for path in sorted((ROOT / "corpus").iterdir()):
        assert all(d.access == "public" for d in split_papers(load_file(path))), path.name
    for cover in ("PART II - NOT FOR PUBLICATION", "Classification: Exempt",
                  "Appendix 2 is exempt from publication", "Private and Confidential",
                  "Exempt appendix 1 attached", "This is a Part II item"):
        assert exempt_reasons(cover), cover
    for open_text in ("List of Exempt Appendices:", "Exempt Appendices: None",
                      "Part 2 of the report sets out", "Part II of the Children Act 1989",
                      "Classification: For Information", "Open Report"):
        assert not exempt_reasons(open_text), open_text
