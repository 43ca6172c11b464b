"""Per-session state: the question asked, the open source view, memoised results, the URL."""

from __future__ import annotations

from datetime import date

import streamlit as st

from rag.types import Filters

WINDOW = 2  # passages shown either side of the cited one in the source view
RESULTS, MAX_RESULTS = 5, 50  # passages shown at first, and at most after "Show more"


def init_from_url() -> None:
    """On a session's first run, take the question, filters and open paper from the URL."""
    if st.session_state.get("_started"):
        return
    params = st.query_params
    st.session_state._started = True
    st.session_state.question = params.get("q", "")
    st.session_state.asked = params.get("q", "").strip()
    st.session_state.date_from = parse_date(params.get("from"))
    st.session_state.date_to = parse_date(params.get("to"))
    st.session_state.committees = params.get_all("committee")
    st.session_state.doc_types = params.get_all("type")
    at = params.get("at", "0")
    st.session_state.source = {"doc": params["doc"], "at": int(at) if at.isdigit() else 0,
                               "marks": None} if params.get("doc") else None


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def sync_url(asked: str, filters: Filters) -> None:
    """Write the question, filters and open paper into the URL so a link reproduces them."""
    wanted: dict[str, list[str]] = {}
    if asked:
        wanted["q"] = [asked]
    if filters.date_from:
        wanted["from"] = [filters.date_from.isoformat()]
    if filters.date_to:
        wanted["to"] = [filters.date_to.isoformat()]
    if filters.committees:
        wanted["committee"] = list(filters.committees)
    if filters.doc_types:
        wanted["type"] = list(filters.doc_types)
    source = st.session_state.get("source")
    if source:
        wanted["doc"], wanted["at"] = [source["doc"]], [str(source["at"])]
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict({k: v if len(v) > 1 else v[0] for k, v in wanted.items()})


def memo(name: str, key: tuple, compute):
    """The last result computed under `name`, recomputed only when `key` changes."""
    slots = st.session_state.setdefault("_memo", {})
    if name in slots and slots[name][0] == key:
        return slots[name][1]
    value = compute()
    slots[name] = (key, value)
    return value


def open_source(doc_id: str, at: int, marks: tuple = ()) -> None:
    st.session_state.source = {"doc": doc_id, "at": at, "marks": [list(m) for m in marks]}
    st.session_state.window = (WINDOW, WINDOW)


def open_paper(doc_id: str) -> None:
    """From the library: the paper from its start, in the Ask tab's source view."""
    open_source(doc_id, 0)
    st.session_state.tab = "Ask"


def close_source() -> None:
    st.session_state.source = None


def widen(side: int) -> None:
    before, after = st.session_state.get("window", (WINDOW, WINDOW))
    st.session_state.window = (before + 3, after) if side < 0 else (before, after + 3)


def toggle_precedents(chunk_id: int) -> None:
    now = st.session_state.get("precedents_for")
    st.session_state.precedents_for = None if now == chunk_id else chunk_id


def show_more() -> None:
    shown = st.session_state.get("shown", RESULTS)
    st.session_state.shown = min(shown + RESULTS, MAX_RESULTS)


def submit_question() -> None:
    st.session_state.shown = RESULTS
    st.session_state.asked = st.session_state.get("question", "").strip()
    st.session_state.source = None
    st.session_state.precedents_for = None


def clear_filters() -> None:
    st.session_state.date_from = None
    st.session_state.date_to = None
    st.session_state.committees = []
    st.session_state.doc_types = []
