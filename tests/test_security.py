"""Safe by default (issue 12): nothing outside the corpus, no raw tracebacks, no key guessing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rag.ask import search
from rag.backend import open_index
from rag.check import check_index
from rag.cli import main
from rag.errors import IndexMismatch, IndexWriteFailed, SkipFile
from rag.ingest import ingest, sweep
from rag.loading import Limits, load_file

from .conftest import TINY_PAPERS, write_report, write_tiny_corpus


def test_a_link_out_of_the_corpus_is_skipped_not_indexed(tmp_path, encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = "2015-03-02_school-meals.txt"
    write_report(corpus, name, **TINY_PAPERS[name])
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:nologin\n" * 20)
    (corpus / "p.txt").symlink_to(outside)
    (corpus / "inside.txt").symlink_to(corpus / name)  # a link within the corpus is fine
    report = ingest([corpus], tmp_path / "index", encoder=encoder)
    outcomes = {o.name: o for o in report.outcomes}
    assert outcomes["p.txt"].status == "skipped"
    assert "outside the folders being ingested" in outcomes["p.txt"].reason
    assert outcomes[name].status == "added"
    index = open_index(tmp_path / "index", encoder)
    assert {d.source for d in index.docs.values()} <= {name, "inside.txt"}
    answer = search(index, encoder, "root bash nologin")
    assert all("nologin" not in h.chunk.text for h in answer.hits)
    named = ingest([corpus / "p.txt"], tmp_path / "index", encoder=encoder)
    assert named.outcomes[0].status == "skipped"


def test_legal_long_file_names_are_ingested(tmp_path, encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for length in (246, 255):
        stem = "2015-03-02_school-meals-" + "x" * (length - len("2015-03-02_school-meals-.txt"))
        paper = TINY_PAPERS["2015-03-02_school-meals.txt"]  # two papers, not copies
        write_report(corpus, stem + ".txt", **{**paper, "body": f"{paper['body']} ({length})"})
    assert all(len(os.fsencode(p.name)) in (246, 255) for p in corpus.iterdir())
    report = ingest([corpus], tmp_path / "index", encoder=encoder)
    assert [o.status for o in report.outcomes] == ["added", "added"], report.outcomes


def test_a_path_too_long_for_the_system_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / ("p" * 300)), "--index",
                                       str(tmp_path / "index")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert result.output.strip().startswith("Error: cannot read")
    assert "File name too long" in result.output and len(result.output.strip().splitlines()) == 1


def test_text_files_stop_reading_at_the_character_cap(tmp_path):
    import tracemalloc

    path = tmp_path / "huge.txt"
    path.write_bytes(b"The committee noted the report on school meals.\n" * 600_000)  # 29 MB
    tracemalloc.start()
    try:
        assert reason(path, Limits(max_bytes=200 * 2**20, max_chars=1_000_000)) == (
            "too large (over 1,000,000 characters of text)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12 * 2**20, f"{peak / 2**20:.0f} MiB held to refuse it"


def test_the_time_limit_applies_to_text_and_html_files(tmp_path):
    import threading

    for name in ("slow.txt", "slow.html"):
        path = tmp_path / name
        path.write_text("<p>The committee noted the report.</p>\n" * 200_000)
        limits = Limits(max_seconds=1e-4)
        assert reason(path, limits) == (
            "took too long (over 0.0001 s to read; raise it with --max-seconds)")
        outcome = []
        worker = threading.Thread(target=lambda p=path, o=outcome, lim=limits:
                                  o.append(reason(p, lim)))
        worker.start(), worker.join()
        assert outcome == [reason(path, limits)]
    assert load_file(path).text.startswith("The committee noted")  # the default limit reads it


def reason(path: Path, limits: Limits) -> str:
    try:
        load_file(path, limits)
    except SkipFile as exc:
        return str(exc)
    return "loaded"


def flip_sqlite_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for start in range(4096, len(data), 4096):  # every page after the schema's
        data[start + 8: start + 4096] = bytes(range(256)) * 15 + bytes(range(248))
    path.write_bytes(bytes(data))


CORRUPTIONS = {
    "vectors.faiss": lambda build: os.truncate(build / "vectors.faiss", 1000),
    "meta.sqlite": lambda build: flip_sqlite_page(build / "meta.sqlite"),
    "embeddings.npy": lambda build: os.truncate(build / "embeddings.npy", 1000),
    "bm25": lambda build: next((build / "bm25").glob("*.index.json")).unlink(),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_a_damaged_index_file_is_one_line_naming_it_and_the_fix(tiny_index, name):
    build = (tiny_index / "current").resolve()
    CORRUPTIONS[name](build)
    assert not check_index(tiny_index).ok
    result = CliRunner().invoke(main, ["ask", "school meals", "--index", str(tiny_index)])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit, result.output
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert line.startswith("Error: the index file ") and str(build / name) in line
    assert "rag ingest --rebuild" in line


def test_an_incremental_ingest_on_a_damaged_sqlite_is_one_line(tiny_index, tiny_corpus):
    flip_sqlite_page((tiny_index / "current").resolve() / "meta.sqlite")
    result = CliRunner().invoke(main, ["ingest", str(tiny_corpus), "--index", str(tiny_index)])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit, result.output
    assert "meta.sqlite is damaged" in result.output and "rag ingest --rebuild" in result.output
    assert "Traceback" not in result.output


def test_a_full_disk_keeps_the_previous_index_and_removes_the_partial_build(
        tiny_index, tiny_corpus, encoder):
    import resource
    import signal

    before = (tiny_index / "current").resolve()
    write_report(tiny_corpus, "2018-01-01_new.txt",
                 **{**TINY_PAPERS["2017-01-30_youth-clubs.txt"], "date": "1 January 2018"})
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, limits[1]))  # files past 8 KiB: EFBIG
    try:
        with pytest.raises(IndexWriteFailed) as failure:
            ingest([tiny_corpus], tiny_index, encoder=encoder)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)
    message = str(failure.value)
    assert "free disk space" in message and "previous index is unchanged" in message
    assert (tiny_index / "current").resolve() == before
    assert not list((tiny_index / "builds").glob("*.partial"))
    assert check_index(tiny_index).ok and open_index(tiny_index, encoder).size


def test_leftover_builds_are_removed_at_the_next_start_and_reported(tiny_index, tiny_corpus):
    import shutil

    current = (tiny_index / "current").resolve()
    never_published = tiny_index / "builds" / "99991231-235959-1-abcdef"
    shutil.copytree(current, never_published)
    (tiny_index / "builds" / "20990101-000000-2-abcdef.partial").mkdir()
    assert len(check_index(tiny_index).leftovers) == 2
    result = CliRunner().invoke(main, ["ingest", str(tiny_corpus), "--index", str(tiny_index)])
    assert result.exit_code == 0, result.output
    assert "removed builds/99991231-235959-1-abcdef" in result.output
    assert "removed builds/20990101-000000-2-abcdef.partial" in result.output
    assert sorted((tiny_index / "builds").iterdir()) == [current]
    shutil.copytree(current, never_published)
    assert sweep(tiny_index) == ["builds/99991231-235959-1-abcdef"]  # what the app does at start
    assert sorted((tiny_index / "builds").iterdir()) == [current]


def test_restricted_words_shape_no_public_score(tmp_path, encoder):
    from rag.rerank import term_weights

    from .test_app import SECRET_WORD, add_secret_paper

    public_only, both = tmp_path / "public-index", tmp_path / "index"
    corpus = write_tiny_corpus(tmp_path / "corpus")
    ingest([corpus], public_only, encoder=encoder)
    ingest([corpus], both, encoder=encoder)
    (tmp_path / "restricted").mkdir()
    ingest([add_secret_paper(tmp_path / "restricted")], both, encoder=encoder,
           access="restricted")
    plain, mixed = open_index(public_only, encoder), open_index(both, encoder)
    question = f"{SECRET_WORD} school meals kitchen site sold"
    weights = term_weights(mixed, question)
    unseen = max(mixed.idf().values()) + 1.0
    assert weights["quillfeath"] == unseen == max(plain.idf().values()) + 1.0  # as if unseen
    assert weights == term_weights(plain, question)
    assert term_weights(mixed, question, unlocked=True)["quillfeath"] < unseen
    n = plain.size
    assert np.allclose(mixed.lexical_scores(question, mixed.filter(None, False))[:n],
                       plain.lexical_scores(question, plain.filter(None, False)))
    ours, theirs = search(mixed, encoder, question), search(plain, encoder, question)
    assert ours.confidence == pytest.approx(theirs.confidence)
    assert [h.chunk.text for h in ours.hits] == [h.chunk.text for h in theirs.hits]
    unlocked = search(mixed, encoder, question, unlocked=True)
    assert SECRET_WORD in unlocked.hits[0].chunk.text  # members still find it by its words


def test_check_verifies_the_public_word_statistics(tmp_path, encoder):
    import shutil

    from .test_app import add_secret_paper

    index_dir = tmp_path / "index"
    ingest([write_tiny_corpus(tmp_path / "corpus")], index_dir, encoder=encoder)
    (tmp_path / "restricted").mkdir()
    ingest([add_secret_paper(tmp_path / "restricted")], index_dir, encoder=encoder,
           access="restricted")
    assert check_index(index_dir).ok
    shutil.rmtree((index_dir / "current").resolve() / "bm25-public")
    assert "public BM25 index cannot be read" in " ".join(check_index(index_dir).lines(False))
    with pytest.raises(IndexMismatch, match="rag ingest --rebuild"):  # an older build
        open_index(index_dir, encoder)


def test_an_index_of_only_restricted_papers_answers_the_public_with_nothing(tmp_path, encoder):
    from .test_app import SECRET_WORD, add_secret_paper

    (tmp_path / "restricted").mkdir()
    ingest([add_secret_paper(tmp_path / "restricted")], tmp_path / "index", encoder=encoder,
           access="restricted")
    index = open_index(tmp_path / "index", encoder)
    assert search(index, encoder, f"{SECRET_WORD} school meals").hits == ()
    assert check_index(tmp_path / "index").ok
    assert search(index, encoder, f"{SECRET_WORD} school meals", unlocked=True).hits
