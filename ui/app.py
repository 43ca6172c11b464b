"""The councillor's browser: ask, read the source, find precedents, export, add papers.

A thin Streamlit script over the `rag` library; no retrieval logic lives here.
Run it with `streamlit run ui/app.py`; RAG_INDEX and RAG_CORPUS choose the folders,
RAG_MEMBER_KEY (or `member_key` in Streamlit secrets) the key that unlocks restricted papers.
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.ask import search
from rag.cite import citation, verdict_text
from rag.errors import RagError
from rag.export import to_csv, to_markdown
from rag.index import Index
from rag.timeline import timeline
from rag.types import Answer, Filters, Hit
from ui import pages, render, resources, state

log = logging.getLogger("ui.app")


def main() -> None:
    st.set_page_config(page_title="Committee papers", page_icon=":material/gavel:",
                       layout="wide")  # room for the library's columns and a PDF page
    st.html(render.STYLE)
    st.title("Committee papers")
    st.html('<div class="rag-intro">Ask a question in plain words. Every answer is a passage '
            "from the papers, with its citation.</div>")
    index_dir, corpus_dir = resources.folders()
    build = resources.ensure_index(index_dir, corpus_dir)
    index = resources.get_index(str(index_dir), str(build))
    state.init_from_url()
    secret = resources.member_secret()
    unlocked = member_access(secret)
    with st.popover(filters_label(), icon=":material/filter_list:", key="filters"):
        filters = sidebar_filters(index, unlocked)
    ask, library, upload = st.tabs(["Ask", "Library", "Add papers"], key="tab",
                                   on_change="rerun")
    with ask:
        ask_view(index, filters, unlocked)
    with library:
        pages.library_view(index, filters, unlocked)
    with upload:
        pages.upload_view(index_dir, corpus_dir, unlocked,
                          allowed=resources.uploads_allowed(unlocked, secret))
    state.sync_url(st.session_state.get("asked", ""), filters)


def member_access(secret: str | None) -> bool:
    """The sidebar key field: True when it unlocks restricted papers for this session."""
    st.sidebar.divider()
    key = st.sidebar.text_input("Member key", type="password", key="member_key",
                                help="Councillors and officers: enter your key to include "
                                     "restricted papers.")
    check = resources.check_key(key, secret)
    if check.unlocked:
        st.sidebar.success("Restricted papers are included.")
    elif check.wait:
        st.sidebar.error(f"Too many wrong keys: try again in {check.wait:.0f} s.")
    elif key:
        st.sidebar.error("That key is not recognised.")
    return check.unlocked


def filters_label() -> str:
    """The filters button says how many filters are set, so a narrowed search is never a
    surprise."""
    names = ("date_from", "date_to", "committees", "doc_types")
    count = sum(bool(st.session_state.get(name)) for name in names)
    return f"Filters ({count} set)" if count else "Filters"


def sidebar_filters(index: Index, unlocked: bool) -> Filters:
    """Hard filters on date, committee and document type, over the papers this user sees."""
    docs = index.visible_docs(unlocked)
    committees = sorted({d.committee for d in docs if d.committee})
    types = sorted({d.doc_type for d in docs if d.doc_type})
    for key, options in (("committees", committees), ("doc_types", types)):
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in options]
    bounds = {"min_value": date(1990, 1, 1), "max_value": date(2100, 12, 31),
              "format": "DD/MM/YYYY", "value": None}
    date_from = st.date_input("Papers from", key="date_from", **bounds)
    date_to = st.date_input("Papers up to", key="date_to", **bounds)
    chosen = st.multiselect("Committee", committees, key="committees", default=None,
                            placeholder="All committees")
    kinds = st.multiselect("Document type", types, key="doc_types", default=None,
                           format_func=render.type_name, placeholder="All types")
    filters = Filters(date_from=date_from, date_to=date_to, committees=tuple(chosen),
                      doc_types=tuple(kinds))
    if filters != Filters():
        st.button("Clear filters", on_click=state.clear_filters)
    return filters


def ask_view(index: Index, filters: Filters, unlocked: bool) -> None:
    with st.form("ask", border=False):
        st.text_input("Your question", key="question",
                      placeholder="e.g. What did Ofsted recommend in 2011?")
        st.form_submit_button("Search", type="primary", on_click=state.submit_question)
    if st.session_state.get("source"):
        pages.source_view(index, unlocked)
        return
    asked = st.session_state.get("asked", "")
    if not asked:
        papers = index.visible_docs(unlocked)
        st.info(f"{len(papers)} papers can be searched. Type a question and press Enter; "
                "use the sidebar to narrow by date, committee or document type.")
        return
    shown = st.session_state.get("shown", state.RESULTS)
    answer = state.memo("answer", (str(index.build), asked, filters, unlocked, shown),
                        lambda: search(index, resources.get_encoder(), asked, k=shown,
                                       filters=filters, unlocked=unlocked))
    show_answer(index, answer, filters, unlocked)


def show_answer(index: Index, answer: Answer, filters: Filters, unlocked: bool) -> None:
    reading = answer.query.reading()
    if reading:
        st.html(f'<div class="rag-meta">How the question was read — '
                f"{render.esc(render.reading_text(reading))}</div>")
    if not answer.hits:
        narrowed = " with these filters" if filters != Filters() else ""
        st.info(f"Nothing in the papers matches this question{narrowed}. "
                "Try other words, or clear the filters.")
        return
    title, sentence = verdict_text(answer)
    if not answer.abstain:
        st.html(f'<div class="rag-verdict"><b>{title}.</b> {render.esc(sentence)}</div>')
    else:
        plain = sentence.replace("_", "\\_")  # a question's word_with_underscores stays plain
        st.warning(f"**{title}.** {plain} The nearest passages are below: check them before "
                   "relying on them.")
        st.divider()
        st.subheader("Nearest passages")
    result_cards(index, answer, unlocked)
    export_buttons(answer)


def result_cards(index: Index, answer: Answer, unlocked: bool) -> None:
    """The cards, best first or grouped by meeting, their count, and "Show more"."""
    hits = list(enumerate(answer.hits, start=1))
    groups = render.by_meeting(hits)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.html(f'<div class="rag-count">{render.count_text(len(hits), len(groups))}</div>')
        grouped = st.toggle("Group by meeting", key="grouped")
    for meeting, members in (groups if grouped else [("", hits)]):
        if meeting:
            st.html(f'<div class="rag-meeting">{render.esc(meeting)}</div>')
        for number, hit in members:
            card(index, hit, number, unlocked)
    shown = st.session_state.get("shown", state.RESULTS)
    if len(hits) >= shown and shown < state.MAX_RESULTS:
        st.button("Show more", key="more", icon=":material/expand_more:",
                  on_click=state.show_more)


def card(index: Index, hit: Hit, number: int, unlocked: bool) -> None:
    with st.container(border=True, key=f"card-{number}"):
        st.html(render.card_html(hit, number) + '<div class="rag-label">Citation</div>')
        st.code(citation(hit.doc, hit.chunk), language=None, wrap_lines=True)
        with st.container(horizontal=True):
            st.button("Open source", key=f"open-{number}", icon=":material/description:",
                      on_click=state.open_source,
                      args=(hit.doc.doc_id, hit.chunk.start, hit.highlights))
            st.button("This matter over time", key=f"precedents-{number}",
                      icon=":material/history:", on_click=state.toggle_precedents,
                      args=(hit.chunk.chunk_id,))
        if st.session_state.get("precedents_for") == hit.chunk.chunk_id:
            precedents_panel(index, hit, unlocked)


def precedents_panel(index: Index, hit: Hit, unlocked: bool) -> None:
    """Every paper where this passage's matter came up, oldest first, each dated, cited and
    with the decision it records."""
    steps = state.memo("precedents", (str(index.build), hit.chunk.chunk_id, unlocked),
                       lambda: timeline(index, resources.get_encoder(), hit.chunk.text,
                                        unlocked=unlocked))
    st.html('<div class="rag-label">This matter over time, oldest first</div>')
    if not steps:
        st.caption("No other papers on this matter.")
    for i, step in enumerate(steps):
        other = step.hit
        st.html(render.precedent_html(other, current=other.doc.doc_id == hit.doc.doc_id,
                                      decision=step.decision))
        st.code(citation(other.doc, other.chunk), language=None, wrap_lines=True)
        st.button("Open", key=f"precedent-{hit.chunk.chunk_id}-{i}", type="tertiary",
                  icon=":material/description:", on_click=state.open_source,
                  args=(other.doc.doc_id, other.chunk.start, other.highlights))


def export_buttons(answer: Answer) -> None:
    st.caption("Keep these results")
    with st.container(horizontal=True):
        st.download_button("Download as Markdown", to_markdown(answer), on_click="ignore",
                           file_name="committee-papers-results.md", mime="text/markdown",
                           icon=":material/download:")
        st.download_button("Download as CSV", to_csv(answer), on_click="ignore",
                           file_name="committee-papers-results.csv", mime="text/csv",
                           icon=":material/download:")


def run() -> None:
    """The app, with library errors shown as one friendly line and nothing raw."""
    try:
        main()
    except RagError as exc:
        st.error(str(exc))
    except Exception:
        log.exception("the app failed")
        st.error("Something went wrong. Please try again; if it keeps happening, tell the "
                 "officer who runs this site.")


run()
