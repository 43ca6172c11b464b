"""Uploaded file names are made safe, sizes limited, files never overwritten."""

from __future__ import annotations

import pytest

from rag.errors import SkipFile
from rag.uploads import Upload, add_uploads, safe_name, save_upload

from .conftest import REPORT


@pytest.mark.parametrize("given, wanted", [
    ("report.pdf", "report.pdf"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\evil.html", "evil.html"),
    ("/abs/path/Minutes 3 March.PDF", "Minutes-3-March.pdf"),
    (".hidden.txt", "hidden.txt"),
    ("Café réunion – £5.md", "Cafe-reunion-5.md"),
    ("a<b>|c?*.htm", "a-b-c.htm"),
    ("...pdf.pdf", "pdf.pdf"),
    ("x" * 300 + ".txt", "x" * 120 + ".txt"),
])
def test_safe_name_strips_directories_and_odd_characters(given, wanted):
    assert safe_name(given) == wanted


@pytest.mark.parametrize("given", ["notes", "evil.exe", "report.pdf.meta.json", "", "../..",
                                   "archive.tar.gz"])
def test_safe_name_refuses_unsupported_names(given):
    with pytest.raises(SkipFile, match="unsupported file type"):
        safe_name(given)


def test_save_upload_stays_in_folder_and_never_overwrites(tmp_path):
    folder = tmp_path / "corpus"
    first = save_upload(Upload("../../outside.txt", b"first"), folder)
    assert first == folder / "outside.txt" and first.read_bytes() == b"first"
    assert not (tmp_path / "outside.txt").exists()
    again = save_upload(Upload("outside.txt", b"first"), folder)
    assert again == first  # the same bytes: the same file
    other = save_upload(Upload("sub/outside.txt", b"second"), folder)
    assert other == folder / "outside-2.txt" and first.read_bytes() == b"first"
    assert sorted(p.name for p in folder.iterdir()) == ["outside-2.txt", "outside.txt"]


def test_save_upload_replaces_a_link_rather_than_writing_through_it(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (folder / "paper.txt").symlink_to(victim)
    saved = save_upload(Upload("paper.txt", b"new"), folder)
    assert saved == folder / "paper-2.txt"
    assert victim.read_text() == "keep me"


def test_save_upload_limits_size(tmp_path):
    with pytest.raises(SkipFile, match="too large"):
        save_upload(Upload("big.txt", b"x" * 101), tmp_path, max_bytes=100)
    with pytest.raises(SkipFile, match="empty"):
        save_upload(Upload("empty.txt", b""), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_add_uploads_ingests_and_reports_each_file(tmp_path, encoder):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    paper = REPORT.format(date="4 May 2018", title="LIBRARY OPENING HOURS",
                          summary="This report sets out library opening hours.",
                          heading="LIBRARIES", body="Libraries will open on Sundays from "
                          "June 2018 at a cost of £40,000 a year.").encode()
    stages = []
    outcomes = add_uploads([Upload("../hours.txt", paper), Upload("virus.exe", b"MZ"),
                            Upload("big.txt", b"y" * 5000)], corpus, index_dir,
                           max_bytes=4000, encoder=encoder,
                           progress=lambda stage, done, total: stages.append(stage))
    by_name = {o.name: o for o in outcomes}
    assert by_name["hours.txt"].status == "added" and by_name["hours.txt"].chunks > 0
    assert by_name["virus.exe"].status == "skipped"
    assert "unsupported" in by_name["virus.exe"].reason
    assert by_name["big.txt"].status == "skipped" and "too large" in by_name["big.txt"].reason
    assert sorted(p.name for p in corpus.iterdir()) == ["hours.txt"]
    assert {"read", "embed"} <= set(stages)
    again = add_uploads([Upload("hours.txt", paper)], corpus, index_dir, encoder=encoder)
    assert [(o.name, o.status) for o in again] == [("hours.txt", "unchanged")]


def test_uploads_share_the_ingest_limit_and_the_corpus_file_mode(tmp_path):
    from rag.loading import SUPPORTED, Limits
    from rag.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES

    assert MAX_UPLOAD_BYTES == Limits().max_bytes
    assert {f".{t}" for t in UPLOAD_TYPES} == SUPPORTED
    saved = save_upload(Upload("paper.txt", b"The committee met."), tmp_path)
    assert saved.stat().st_mode & 0o777 == 0o644
