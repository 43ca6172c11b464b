"""A batch of bad files: each gets one outcome, the batch goes on, the CLI exits cleanly."""

from __future__ import annotations

import re

from click.testing import CliRunner

from rag import ingest as ingest_module
from rag.backend import open_index
from rag.check import check_index
from rag.cli import main
from rag.ingest import ingest

from .badfiles import make_bad_folder, many_pages, slow_pdf
from .conftest import write_report


def table_rows(output: str) -> dict[str, str]:
    """file name -> outcome, from the CLI's per-file table."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) >= 2 and cells[0] and cells[1] in ("added", "updated", "unchanged",
                                                         "skipped", "removed"):
            rows[cells[0]] = cells[1]
    return rows


def test_cli_ingest_of_every_bad_file_prints_a_table_and_exits_cleanly(tmp_path, encoder):
    folder = tmp_path / "bad"
    expected = make_bad_folder(folder)
    index_dir = tmp_path / "index"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert table_rows(result.output) == {name: status for name, (status, _) in expected.items()}
    assert re.search(r"index updated: \d+ passages", result.output)
    # the same folder again, through the library: exact reasons; what was added is unchanged
    report = ingest([folder], index_dir, encoder=encoder)
    assert not report.published
    for outcome in report.outcomes:
        status, words = expected[outcome.name]
        assert outcome.status == ("unchanged" if status == "added" else status), outcome
        if status == "skipped":
            assert words in outcome.reason, outcome
    index = open_index(index_dir)
    texts = {d.source: index.document_text(d.doc_id) for d in index.docs.values()}
    assert "pdf encryption test" in texts["r6-empty-password.pdf"]
    assert texts["cp1252.txt"] == "The council’s café budget is £1.2m – agreed."
    assert "script words" not in texts["page.html"] and "Library closures" in texts["page.html"]
    assert check_index(index_dir).ok


def test_limits_come_from_options_and_environment(tmp_path, encoder):
    folder = tmp_path / "packs"
    folder.mkdir()
    many_pages(folder / "pack.pdf", 30)
    index_dir = tmp_path / "index"
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(folder), "--index", str(index_dir),
                                  "--max-pages", "20"])
    assert result.exit_code == 0 and table_rows(result.output) == {"pack.pdf": "skipped"}
    assert "too many pages (30 > 20 limit" in result.output
    result = runner.invoke(main, ["ingest", str(folder), "--index", str(index_dir)],
                           env={"RAG_MAX_MB": "0.001"})
    assert table_rows(result.output) == {"pack.pdf": "skipped"} and "MB limit" in result.output
    slow_pdf(folder / "slow.pdf")
    result = runner.invoke(main, ["ingest", str(folder), "--index", str(index_dir)],
                           env={"RAG_MAX_PAGES": "40", "RAG_MAX_SECONDS": "1"})
    assert result.exit_code == 0, result.output
    assert table_rows(result.output) == {"pack.pdf": "added", "slow.pdf": "skipped"}
    assert "took too long (over 1 s" in result.output, result.output[-1500:]
    bad = runner.invoke(main, ["ingest", str(folder), "--index", str(index_dir),
                               "--max-pages", "0"])
    assert bad.exit_code == 2


def test_a_failure_inside_one_file_does_not_stop_the_batch(tmp_path, encoder, monkeypatch):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        write_report(folder, name, date="1 May 2019", title=f"REPORT {name.upper()}",
                     summary="A short report.", heading="MATTERS", body=f"Body of {name}.")
    real = ingest_module.split_papers

    def flaky(source, access="public"):
        if source.name == "b.txt":
            raise ZeroDivisionError("a bug")
        return real(source, access)

    monkeypatch.setattr(ingest_module, "split_papers", flaky)
    report = ingest([folder], tmp_path / "index", encoder=encoder)
    outcomes = {o.name: (o.status, o.reason) for o in report.outcomes}
    assert outcomes == {"a.txt": ("added", ""), "b.txt": (
        "skipped", "could not process (ZeroDivisionError: a bug)"), "c.txt": ("added", "")}


def test_a_folder_of_only_bad_files_exits_cleanly_without_an_index(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "zero.pdf").write_bytes(b"")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--index", str(tmp_path / "i")])
    assert result.exit_code == 0 and "index unchanged: 0 passages" in result.output
    assert table_rows(result.output) == {"zero.pdf": "skipped"}
    missing = CliRunner().invoke(main, ["check", "--index", str(tmp_path / "i")])
    assert missing.exit_code == 1 and "run `rag ingest` first" in missing.output


class FailingEncoder:
    """The real model that fails on one passage's text (the model itself cannot be made to
    fail on demand)."""

    def __init__(self, real, poison: str):
        self.real, self.poison = real, poison
        self.name, self.dimension = real.name, real.dimension

    def embed(self, texts: list[str], batch_size: int = 1):
        if any(self.poison in text for text in texts):
            raise RuntimeError("the model failed")
        return self.real.embed(texts)


def test_an_encoder_failure_keeps_the_index_and_says_what_failed(tmp_path, encoder):
    folder, index_dir = tmp_path / "corpus", tmp_path / "index"
    folder.mkdir()
    write_report(folder, "a.txt", date="1 May 2019", title="REPORT A", summary="A report.",
                 heading="MATTERS", body="Body of a.")
    ingest([folder], index_dir, encoder=encoder)
    before = sorted(p.name for p in (index_dir / "builds").iterdir())
    write_report(folder, "b.txt", date="2 May 2019", title="REPORT B", summary="B report.",
                 heading="MATTERS", body="Poisoned body of b.")
    try:
        ingest([folder], index_dir, encoder=FailingEncoder(encoder, "Poisoned"))
    except RuntimeError as exc:
        assert str(exc) == "the model failed"  # the encoder's error, not a disk error
    else:
        raise AssertionError("the failure was not raised")
    assert sorted(p.name for p in (index_dir / "builds").iterdir()) == before
    assert check_index(index_dir).ok
