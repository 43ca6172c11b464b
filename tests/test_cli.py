"""The `rag` command end to end: ingest, ask, precedents, info, eval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from rag.cli import main

from .conftest import write_report


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_ingest_is_incremental_and_reports_each_file(tiny_corpus: Path, tmp_path: Path, encoder):
    index = str(tmp_path / "index")
    first = run("ingest", str(tiny_corpus), "--index", index)
    assert first.exit_code == 0 and first.output.count("added") == 3
    again = run("ingest", str(tiny_corpus), "--index", index)
    assert "unchanged" in again.output and "0 embedded" in again.output
    write_report(tiny_corpus, "2017-01-30_youth-clubs.txt", date="30 January 2017",
                 title="YOUTH SERVICES REVIEW", summary="Revised.", heading="YOUTH CLUBS",
                 body="Four youth clubs will now open on Sunday afternoons.")
    (tiny_corpus / "2015-03-02_school-meals.txt").unlink()
    changed = run("ingest", str(tiny_corpus), "--index", index)
    assert "updated" in changed.output and "removed" in changed.output
    papers = json.loads(run("info", "--index", index, "--json").output)["papers"]
    assert sorted(p["title"] for p in papers) == ["Executive Director's Update",
                                                  "Youth Services Review"]


def test_ask_json_precedents_and_info(tiny_index: Path):
    index = str(tiny_index)
    asked = run("ask", "how many meals a day under the school meals contract", "--json",
                "--index", index)
    result = json.loads(asked.output)
    assert not result["abstain"]
    assert any("9,000 meals" in p["text"] and p["date"] == "2015-03-02"
               for p in result["passages"][:3])
    readable = run("ask", "youth clubs in 2017", "--index", index, "--k", "2")
    assert "Read as: date: 2017" in readable.output and "Youth Services Review" in readable.output
    earlier = run("precedents", "school meals contract", "--json", "--index", index)
    papers = json.loads(earlier.output)["papers"]
    assert [p["date"] for p in papers] == sorted(p["date"] for p in papers)


def test_eval_prints_tables_and_writes_results(tiny_index: Path, tmp_path: Path):
    questions = tmp_path / "questions.jsonl"
    rows = [{"id": "q1", "question": "school meals provider 2015", "kind": "keyword",
             "evidence": ["The school meals contract was awarded to Caterlink"]},
            {"id": "q2", "question": "dragon licensing fees", "kind": "negative",
             "evidence": []}]
    questions.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "out"
    results = tmp_path / "results.jsonl"
    shown = run("eval", str(questions), "--index", str(tiny_index), "--out", str(out),
                "--results", str(results))
    assert shown.exit_code == 0 and "full" in shown.output and "bm25" in shown.output
    metrics = json.loads(run("eval", str(questions), "--index", str(tiny_index), "--out",
                             str(out), "--json", "--configs", "full").output)
    assert metrics["full"]["overall"]["recall@5"] == 1.0
    assert metrics["full"]["negatives"] == 1
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"] and lines[0]["passages"]
    assert (out / "recall_at_k.png").stat().st_size > 0
    assert (out / "diagnostics.jsonl").read_text().count("\n") == 2


def test_console_script_runs_and_errors_are_one_line(tmp_path: Path):
    env = {**os.environ, "RAG_INDEX": str(tmp_path / "nothing-here")}
    rag = Path(sys.executable).with_name("rag")
    done = subprocess.run([str(rag), "ask", "anything"], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 1
    assert "no index" in done.stderr and "rag ingest" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_first_ingest_without_the_model_fails_in_one_line(tiny_corpus: Path, tmp_path: Path):
    """The model is loaded early, on a thread, for a first ingest: its failure is still one
    line, from the ingest itself, and no index is left behind."""
    env = {**os.environ, "RAG_MODEL": str(tmp_path / "no-model")}
    rag = Path(sys.executable).with_name("rag")
    done = subprocess.run([str(rag), "ingest", str(tiny_corpus), "--index", str(tmp_path / "ix")],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1
    assert "no embedding model" in done.stderr and "RAG_MODEL" in done.stderr
    assert "Traceback" not in done.stderr and "Exception in thread" not in done.stderr
    assert not (tmp_path / "ix" / "current").exists()


def test_same_file_name_in_two_folders_gets_a_stable_distinct_id(tmp_path: Path, encoder):
    import hashlib

    from rag.backend import open_index
    from rag.ingest import ingest

    from .conftest import write_tiny_corpus

    name = "2017-01-30_youth-clubs.txt"
    first = write_tiny_corpus(tmp_path / "a", (name,))
    second = write_tiny_corpus(tmp_path / "b", (name,))
    copy = second / name  # another paper of the same name (an identical one is a copy)
    copy.write_text(copy.read_text().replace("Saturday", "Sunday"))
    index_dir = tmp_path / "index"
    ingest([first, second], index_dir, encoder=encoder)
    ids = sorted(open_index(index_dir).docs)
    suffix = hashlib.sha256(str((second / name).resolve()).encode()).hexdigest()[:6]
    assert ids == ["2017-01-30_youth-clubs", f"2017-01-30_youth-clubs~{suffix}"]


def test_empty_questions_and_unknown_filters_are_refused(tiny_index: Path):
    index = str(tiny_index)
    empty = CliRunner().invoke(main, ["ask", "  ", "--index", index])
    assert empty.exit_code == 2 and "the question is empty" in empty.output
    papers = json.loads(run("info", "--index", index, "--json").output)["papers"]
    committee = papers[0]["committee"]
    wrong = CliRunner().invoke(main, ["ask", "school meals", "--index", index,
                                      "--committee", "childrens"])
    assert wrong.exit_code == 2 and f"no committee 'childrens'; did you mean '{committee}'?" \
        in " ".join(wrong.output.split())
    unknown = CliRunner().invoke(main, ["ask", "school meals", "--index", index,
                                        "--doc-type", "dragon"])
    flat = " ".join(unknown.output.split())
    assert "no document type 'dragon'. Valid values: " in flat and "officer report" in flat
    short = run("ask", "school meals contract", "--index", index, "--json", "--committee",
                committee.split()[0].lower(), "--doc-type", "Officer")
    passages = json.loads(short.stdout)["passages"]
    assert "--doc-type 'Officer' read as 'officer report'" in short.stderr
    assert passages and {p["doc_type"] for p in passages} == {"officer report"}
