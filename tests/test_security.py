"""Safe by default (issue 12): nothing outside the corpus, no raw tracebacks, no key guessing."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from rag.ask import search
from rag.cli import main
from rag.errors import SkipFile
from rag.index import open_index
from rag.ingest import ingest
from rag.loading import Limits, load_file

from .conftest import TINY_PAPERS, write_report


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
        write_report(corpus, stem + ".txt", **TINY_PAPERS["2015-03-02_school-meals.txt"])
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
