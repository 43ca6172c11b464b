"""The app's side of issue 12 through AppTest: read-only by default, key back-off, damaged
index files shown as one line, leftovers swept at start, uploads that reveal no name."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from streamlit.testing.v1 import AppTest

from rag.access import Throttle, try_key
from rag.uploads import Upload, add_uploads

from .conftest import REPORT
from .test_app import APP, KEY, SECRET_TITLE, library  # noqa: F401 (the shared fixture)


@pytest.fixture()
def visitor(library, monkeypatch):  # noqa: F811
    monkeypatch.setenv("RAG_INDEX", str(library))
    monkeypatch.delenv("RAG_MEMBER_KEY", raising=False)
    monkeypatch.delenv("RAG_UPLOADS", raising=False)
    return AppTest.from_file(APP, default_timeout=60)


def test_the_default_app_is_read_only_and_says_how_to_enable_uploads(visitor, monkeypatch):
    visitor.run()
    assert not visitor.exception and not visitor.file_uploader
    hint = " ".join(i.value for i in visitor.info)
    assert "turned off" in hint and "RAG_UPLOADS=open" in hint and "RAG_MEMBER_KEY" in hint
    monkeypatch.setenv("RAG_UPLOADS", "open")
    assert AppTest.from_file(APP, default_timeout=60).run().file_uploader


def test_wrong_keys_back_off_then_the_right_key_works(library, monkeypatch):  # noqa: F811
    monkeypatch.setenv("RAG_INDEX", str(library))
    monkeypatch.setenv("RAG_MEMBER_KEY", KEY)
    at = AppTest.from_file(APP, default_timeout=60).run()
    for attempt in range(3):
        at.text_input(key="member_key").set_value(f"guess {attempt}").run()
        assert "not recognised" in at.sidebar.error[0].value
    at.text_input(key="member_key").set_value(KEY).run()  # within the lockout: not checked
    assert "Too many wrong keys" in at.sidebar.error[0].value
    assert SECRET_TITLE.title() not in set(at.dataframe[0].value["Title"])
    time.sleep(Throttle.delay + 0.1)
    at.run()
    assert not at.sidebar.error and SECRET_TITLE.title() in set(at.dataframe[0].value["Title"])


def test_the_throttle_doubles_per_session_and_per_client_and_logs_no_key(caplog):
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    a, b = ["session a", "client 10.0.0.1"], ["session b", "client 10.0.0.1"]
    answers = [try_key(f"wrong {i}", KEY, throttle, a) for i in range(30)]
    assert [x.wait for x in answers[:3]] == [0, 0, 0] and not any(x.unlocked for x in answers)
    assert all(x.wait > 0 for x in answers[3:])  # locked out: refused without being checked
    assert try_key(KEY, KEY, throttle, b).wait == 2.0  # a new session from the same client
    waits = []
    for _ in range(4):
        now[0] += throttle.wait(a)
        waits.append(throttle.wait(a) or try_key("wrong", KEY, throttle, a) and throttle.wait(a))
    assert waits == [4.0, 8.0, 16.0, 32.0]
    now[0] += throttle.wait(a)
    assert try_key(KEY, KEY, throttle, a).unlocked and throttle.wait(b) == 0
    assert "wrong member key" in caplog.text and "wrong 1" not in caplog.text


def test_the_throttle_remembers_a_bounded_number_of_clients():
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0], free_tries=1, remembered=50)
    for n in range(500):  # a flood of new sessions
        throttle.failed([f"session {n}"])
    throttle.failed(["client 10.0.0.9"])
    assert len(throttle._failures) == 50
    assert throttle.wait(["client 10.0.0.9"]) == 2.0 and throttle.wait(["session 499"]) > 0


def test_a_visitor_upload_does_not_reveal_a_restricted_file_of_that_name(tmp_path, encoder):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    paper = REPORT.format(date="4 May 2018", title="LIBRARY HOURS", summary="Hours.",
                          heading="LIBRARIES", body="Libraries will open on Sundays.").encode()
    secret = paper.replace(b"Sundays", b"Mondays")
    add_uploads([Upload("hours.txt", secret)], corpus, index_dir, access="restricted",
                encoder=encoder)
    taken = add_uploads([Upload("hours.txt", paper)], corpus, index_dir, member=False,
                        encoder=encoder)
    free = add_uploads([Upload("hours.txt", paper)], tmp_path / "other", tmp_path / "i2",
                       member=False, encoder=encoder)
    assert taken[0].status == free[0].status == "added"
    assert taken[0].name == free[0].name and "-2" not in taken[0].name


def test_a_damaged_index_is_one_line_in_the_app(library, tmp_path, monkeypatch):  # noqa: F811
    index_dir = tmp_path / "index"
    shutil.copytree(library, index_dir, symlinks=True)
    os.truncate((index_dir / "current").resolve() / "vectors.faiss", 1000)
    monkeypatch.setenv("RAG_INDEX", str(index_dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    line = at.error[0].value
    assert "vectors.faiss is damaged" in line and "rag ingest --rebuild" in line


def test_builds_left_behind_are_swept_when_the_app_starts(library, tmp_path,  # noqa: F811
                                                           monkeypatch):
    index_dir = tmp_path / "index"
    shutil.copytree(library, index_dir, symlinks=True)
    current = (index_dir / "current").resolve()
    shutil.copytree(current, index_dir / "builds" / "99991231-235959-1-abcdef")
    (index_dir / "builds" / "99991231-235959-2-abcdef.partial").mkdir()
    monkeypatch.setenv("RAG_INDEX", str(index_dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert current in set((index_dir / "builds").iterdir())
    assert not {"99991231-235959-1-abcdef", "99991231-235959-2-abcdef.partial"} & {
        p.name for p in (index_dir / "builds").iterdir()}
