"""What the app loads once and shares across sessions: folders, the model, the index."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from pathlib import Path

import streamlit as st

from rag import config
from rag.access import KeyCheck, Throttle, try_key
from rag.backend import current_version, open_index
from rag.embedding import load_encoder
from rag.errors import IndexBusy, IndexMissing
from rag.index import Index
from rag.ingest import ingest, sweep
from rag.reread import outdated, reread

log = logging.getLogger("ui.resources")


def folders() -> tuple[Path, Path]:
    """The index and corpus folders (config: $RAG_INDEX / $RAG_CORPUS), read on every run."""
    return config.index_dir(), config.corpus_dir()


@st.cache_resource(show_spinner="Loading the language model…")
def get_encoder():
    return load_encoder()


@st.cache_resource(show_spinner="Opening the library…", max_entries=4)
def get_index(index_dir: str, build: str) -> Index:
    """One loaded index per published build: a new build is picked up on the next run."""
    return open_index(Path(index_dir), get_encoder())


def member_secret() -> str | None:
    """The member key from Streamlit secrets (`member_key`), if the operator set one there."""
    try:
        value = st.secrets.get("member_key")
    except FileNotFoundError:  # no secrets file, or one that cannot be parsed
        return None
    return str(value) if value else None


def key_configured(secret: str | None) -> bool:
    return bool(secret or config.member_key())


def uploads_allowed(unlocked: bool, secret: str | None) -> bool:
    """Members holding the key may add papers; everyone only where RAG_UPLOADS=open."""
    return unlocked or config.uploads_open()


def upload_hint() -> str:
    """What a visitor who may not add papers is told."""
    if key_configured(member_secret()):
        return "Adding papers is for officers: enter the member key in the sidebar."
    return ("Adding papers is turned off. The operator can turn it on by setting a member key "
            "(RAG_MEMBER_KEY, which officers then enter in the sidebar), or RAG_UPLOADS=open "
            "to let everyone add papers on a private computer.")


@st.cache_resource
def get_throttle() -> Throttle:
    """Wrong-key back-off shared by every session of this app."""
    return Throttle()


def check_key(key: str, secret: str | None) -> KeyCheck:
    """Check the sidebar key once per value typed, under the session's and client's back-off."""
    if not key:
        return KeyCheck(False)
    digest = hashlib.sha256(key.encode()).hexdigest()  # the key itself is never kept here
    last = st.session_state.get("_key_check")
    if last and last[0] == digest:
        return last[1]
    session = st.session_state.setdefault("_session_id", secrets.token_hex(8))
    clients = [f"session {session}"] + ([f"client {st.context.ip_address}"]
                                         if st.context.ip_address else [])
    result = try_key(key, secret, get_throttle(), clients)
    if not result.wait:  # checked: remember; refused unchecked: check again next time
        st.session_state._key_check = (digest, result)
    return result


@st.cache_resource
def swept(index_dir: str) -> list[str]:
    """At the app's start: remove builds an interrupted or failed ingest left, and say so."""
    removed = sweep(Path(index_dir))
    for leftover in removed:
        log.warning("removed %s, left by an interrupted or failed ingest", leftover)
    return removed


def progress_to(bar):
    """An ingest progress callback that drives a Streamlit progress bar."""
    def update(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if stage == "read":
            bar.progress(0.2 * share, text=f"Reading papers: {done} of {total}")
        else:
            bar.progress(0.2 + 0.8 * share,
                         text=f"Preparing passages for search: {done} of {total}")

    return update


def ensure_index(index_dir: Path, corpus_dir: Path) -> Path:
    """The current build; on first run built from the corpus folder, and when written by an
    earlier version read again from the files it holds, with progress."""
    swept(str(index_dir))
    try:
        build = current_version(index_dir)
        if config.store_url() or not outdated(build):
            return build
        first = False
        st.info("The search index was built by an earlier version of this app: reading its "
                "papers again. This happens once and takes a minute or two.")
    except IndexMissing:
        first = True
        st.info(f"First run: building the search index from the papers in “{corpus_dir}”. "
                "This happens once and takes a minute or two.")
    bar = st.progress(0.0, text="Starting…")
    progress = progress_to(bar)
    try:
        report = None if first else reread(index_dir, get_encoder(), progress)
        if report is None:  # a first run, or none of the old index's files is left
            report = ingest([corpus_dir], index_dir, encoder=get_encoder(), progress=progress)
    except IndexBusy:
        bar.empty()
        st.info("The index is being built in another window; this page refreshes when it "
                "is ready.")
        time.sleep(3)
        st.rerun()
    bar.empty()
    if not report.published:
        reasons = "; ".join(f"{o.name}: {o.reason}" for o in report.outcomes if o.reason)
        raise IndexMissing(f"no papers could be read from {corpus_dir}: add PDF, text or "
                           f"HTML files there and reload this page. {reasons}".strip())
    st.rerun()  # start again on the new index, without the first-run messages
