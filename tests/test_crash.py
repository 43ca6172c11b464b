"""Kill a real `rag ingest` with SIGKILL mid-way: the old index survives, the next one recovers.

The ingest stalls at a named stage when RAG_TEST_PAUSE_AT is set (rag.store.checkpoint),
so each kill lands exactly where it is meant to.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.ask import search
from rag.backend import open_index
from rag.check import check_index
from rag.cli import main
from rag.ingest import ingest

from .conftest import ROOT, write_report

QUESTION = "When do the youth clubs open on Saturday evenings?"


def answers(index_dir: Path, encoder) -> list[tuple[str, str]]:
    answer = search(open_index(index_dir, encoder), encoder, QUESTION, k=3)
    return [(h.doc.doc_id, h.chunk.text) for h in answer.hits]


def add_paper(corpus: Path) -> None:
    write_report(corpus, "2018-05-14_library-hours.txt", date="14 May 2018",
                 title="LIBRARY OPENING HOURS", summary="Library hours change.",
                 heading="LIBRARIES", body="Fulham library will open on Sundays from June 2018.")


def ingest_until(stage: str, corpus: Path, index_dir: Path) -> subprocess.Popen:
    """Start `rag ingest` in a subprocess and return once it stalls at `stage`."""
    env = {**os.environ, "RAG_TEST_PAUSE_AT": stage, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index",
                             str(index_dir)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline, seen = time.monotonic() + 120, b""
    while time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([proc.stderr], [], [], 1)
        if ready:
            seen += os.read(proc.stderr.fileno(), 4096)
            if f"paused at {stage}".encode() in seen:
                return proc
    proc.kill()
    raise AssertionError(f"ingest never reached {stage}: {seen.decode()[-2000:]}")


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stderr.close()


@pytest.mark.parametrize("stage, goes_live", [
    ("build-sqlite", False),  # a half-written build
    ("build-written", False),  # a complete build, not yet published
    ("published", True),  # swapped in, old builds not yet removed
])
def test_sigkill_mid_ingest_keeps_a_working_index(tiny_corpus, tiny_index, encoder, stage,
                                                  goes_live):
    before = answers(tiny_index, encoder)
    old_build = (tiny_index / "current").resolve()
    add_paper(tiny_corpus)
    kill(ingest_until(stage, tiny_corpus, tiny_index))

    report = check_index(tiny_index)
    assert report.ok, report.lines(True)
    current = (tiny_index / "current").resolve()
    assert (current == old_build) != goes_live
    papers = {d.source for d in open_index(tiny_index, encoder).docs.values()}
    assert ("2018-05-14_library-hours.txt" in papers) == goes_live
    now = answers(tiny_index, encoder)
    assert now[:1] == before[:1] if goes_live else now == before
    if stage == "build-sqlite":
        assert [p.endswith(".partial") for p in report.leftovers] == [True]

    after = ingest([tiny_corpus], tiny_index, encoder=encoder)  # recovers by itself
    assert {o.status for o in after.outcomes} == {"unchanged"} if goes_live else {
        "unchanged", "added"}
    result = CliRunner().invoke(main, ["check", "--index", str(tiny_index)])
    assert result.exit_code == 0 and "OK" in result.output and "interrupted" not in result.output
    assert not list((tiny_index / "builds").glob("*.partial"))
    assert len(list((tiny_index / "builds").iterdir())) <= 2
    assert "2018-05-14_library-hours.txt" in {
        d.source for d in open_index(tiny_index, encoder).docs.values()}


def test_leftovers_of_a_killed_ingest_are_swept_by_the_next(tiny_corpus, tiny_index, encoder):
    """What a kill between any two steps of publishing can leave, made by hand."""
    (tiny_index / ".current-99999").symlink_to("builds/nowhere")
    (tiny_index / "builds" / "20200101-000000-99999-abcdef.partial" / "bm25").mkdir(parents=True)
    report = check_index(tiny_index)
    assert report.ok and len(report.leftovers) == 2
    assert any("interrupted ingest" in line for line in report.lines(False))
    add_paper(tiny_corpus)
    ingest([tiny_corpus], tiny_index, encoder=encoder)
    assert check_index(tiny_index).leftovers == []
    assert not (tiny_index / ".current-99999").is_symlink()


def test_check_says_exactly_what_is_wrong(tiny_index, monkeypatch):
    import sqlite3

    import numpy as np

    build = (tiny_index / "current").resolve()
    vectors = np.load(build / "embeddings.npy")
    np.save(build / "embeddings.npy", vectors[:-1])
    roles = np.load(build / "passages" / "roles.npy")
    np.save(build / "passages" / "roles.npy", roles[:-1])
    db = sqlite3.connect(build / "meta.sqlite")
    with db:
        db.execute("UPDATE chunks SET start = start + 1 WHERE chunk_id = 0")
        db.execute("DELETE FROM documents WHERE doc_id = '2015-03-02_school-meals'")
    db.close()
    monkeypatch.setenv("RAG_MEMBER_KEY", "operator-key")
    result = CliRunner().invoke(main, ["check", "--index", str(tiny_index),
                                       "--key", "operator-key"])
    assert result.exit_code == 1
    n = len(vectors)
    for expected in (f"embeddings.npy has shape ({n - 1}, 384), expected ({n}, 384)",
                     "passages belong to papers missing from SQLite: 2015-03-02_school-meals",
                     "manifest counts 3 documents but SQLite holds 2",
                     f"passages/ holds [{n - 1}, {n}] passages, expected {n}"):
        assert expected in result.output
    (build / "vectors.faiss").unlink()
    result = CliRunner().invoke(main, ["check", "--index", str(tiny_index)])
    assert result.exit_code == 1 and "missing from the build: vectors.faiss" in result.output
