"""Readers during an ingest see one build, old or new; one ingest at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from rag.ask import search
from rag.backend import open_index
from rag.errors import IndexBusy
from rag.ingest import ingest, ingest_lock

from .conftest import ROOT, write_report

HOLD_LOCK = """
import sys, time
from pathlib import Path
from rag.ingest import ingest_lock
with ingest_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def add_paper(corpus: Path, number: int) -> None:
    month = ["January", "February", "March"][number - 1]
    write_report(corpus, f"2019-0{number}-01_parks-{number}.txt", date=f"1 {month} 2019",
                 title=f"PARKS REVIEW {number}", summary="A review of parks.",
                 heading="PARKS", body=f"Park number {number} will get new benches and "
                 "a playground for the summer.")


def hold_lock(index_dir: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_ingest_is_refused_and_a_killed_holder_frees_the_lock(tiny_corpus, tmp_path,
                                                                       encoder):
    index_dir = tmp_path / "index"
    holder = hold_lock(index_dir)
    try:
        second = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(tiny_corpus),
                                 "--index", str(index_dir)], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, check=False)
        assert second.returncode == 1
        assert (f"Error: another ingest is already running on {index_dir} (process "
                f"{holder.pid}); wait for it to finish") in second.stderr
        with pytest.raises(IndexBusy):
            ingest([tiny_corpus], index_dir, encoder=encoder)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    report = ingest([tiny_corpus], index_dir, encoder=encoder)  # not stuck after the kill
    assert report.published and {o.status for o in report.outcomes} == {"added"}
    with ingest_lock(index_dir):  # and released after a normal ingest too
        pass


def test_an_open_index_keeps_answering_from_its_build_after_an_ingest(tiny_corpus, tiny_index,
                                                                      encoder):
    reader = open_index(tiny_index, encoder)
    before = search(reader, encoder, "youth clubs on Saturday evenings", k=3)
    add_paper(tiny_corpus, 1)
    ingest([tiny_corpus], tiny_index, encoder=encoder)
    assert (tiny_index / "current").resolve() != reader.build
    again = search(reader, encoder, "youth clubs on Saturday evenings", k=3)
    assert [(h.chunk.chunk_id, h.score) for h in again.hits] == [
        (h.chunk.chunk_id, h.score) for h in before.hits]
    assert reader.size == len(reader.embeddings) == reader.vectors.ntotal


def test_an_open_index_survives_two_ingests(tiny_corpus, tiny_index, encoder):
    reader = open_index(tiny_index, encoder)
    before = search(reader, encoder, "youth clubs on Saturday evenings", k=3)
    for number in (1, 2):
        add_paper(tiny_corpus, number)
        ingest([tiny_corpus], tiny_index, encoder=encoder)
    assert not reader.build.exists()  # its files are gone from the folder, still open here
    again = search(reader, encoder, "youth clubs on Saturday evenings", k=3)
    assert [h.chunk.text for h in again.hits] == [h.chunk.text for h in before.hits]


def consistent(index) -> int:
    """The parts of one loaded index agree; returns how many passages it holds."""
    n = index.size
    assert index.vectors.ntotal == n == len(index.embeddings)
    assert int(index.bm25.scores["num_docs"]) == n
    assert len(index.chunks(list(range(n)))) == n
    assert np.allclose(index.vectors.reconstruct(n - 1), index.embeddings[n - 1], atol=1e-5)
    return n


def test_readers_during_ingests_see_one_whole_build(tiny_corpus, tiny_index, encoder):
    seen, errors, done = set(), [], threading.Event()

    def read_repeatedly():
        while not done.is_set():
            try:
                index = open_index(tiny_index, encoder)
                seen.add(consistent(index))
                search(index, encoder, "parks benches", k=2)
                index.db.close()
            except Exception as exc:  # noqa: BLE001 (reported below, in the main thread)
                errors.append(repr(exc))
                return

    start = consistent(open_index(tiny_index, encoder))
    thread = threading.Thread(target=read_repeatedly)
    thread.start()
    try:
        for number in (1, 2, 3):
            add_paper(tiny_corpus, number)
            ingest([tiny_corpus], tiny_index, encoder=encoder)
    finally:
        done.set()
        thread.join(60)
    final = consistent(open_index(tiny_index, encoder))
    assert not errors, errors
    assert start in seen or final in seen
    assert seen <= {start, *range(start, final + 1)}
    assert len(os.listdir(tiny_index / "builds")) == 2  # the current build and the one before
