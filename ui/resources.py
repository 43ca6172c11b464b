"""What the app loads once and shares across sessions: folders, the model, the index."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from rag import config
from rag.embedding import load_encoder
from rag.errors import IndexBusy, IndexMissing
from rag.index import Index, current_version, open_index
from rag.ingest import ingest


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
    """The current build; on first run build it from the corpus folder, with progress."""
    try:
        return current_version(index_dir)
    except IndexMissing:
        pass
    st.info(f"First run: building the search index from the papers in “{corpus_dir}”. "
            "This happens once and takes a minute or two.")
    bar = st.progress(0.0, text="Starting…")
    try:
        report = ingest([corpus_dir], index_dir, encoder=get_encoder(),
                        progress=progress_to(bar))
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
