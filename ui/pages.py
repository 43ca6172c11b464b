"""The source view, the library view and the upload form."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import streamlit as st

from rag.access import visible
from rag.cite import citation, highlight
from rag.index import Index
from rag.page_image import page_png
from rag.rerank import term_weights
from rag.types import Chunk, Document, Filters
from rag.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES, Upload, add_uploads

from . import render, state
from .resources import get_encoder, progress_to, upload_hint

# Pixel widths that fit the library's 882 px at 1280 px wide (sidebar open, a 33 px selector
# column), the Access column members see included; rows are tall enough (over the grid's
# 64 px) for titles, committees and file names to wrap onto four lines.
LIBRARY_COLUMNS = {"Date": st.column_config.DateColumn(format="D MMM YYYY", width=86),
                   "Title": st.column_config.TextColumn(width=170),
                   "Type": st.column_config.TextColumn(width=82),
                   "Committee": st.column_config.TextColumn(width=164),
                   "Pages": st.column_config.TextColumn(width=50),
                   "Passages": st.column_config.NumberColumn(width=68),
                   "File": st.column_config.TextColumn(width=165),
                   "Access": st.column_config.TextColumn(width=62)}
LIBRARY_ROW_HEIGHT = 88
OUTCOME_NAMES = {"added": "Added", "updated": "Updated", "moved": "Moved",
                 "unchanged": "Already in the library", "skipped": "Not added",
                 "removed": "Removed"}


def source_view(index: Index, unlocked: bool) -> None:
    """The cited paper at the passage: the PDF page beside the text, the passage highlighted
    on both, its neighbours readable, and the original file to download."""
    source = st.session_state.source
    st.button("← Back to results", on_click=state.close_source, key="back")
    doc = index.docs.get(source["doc"])
    chunks = index.doc_chunks(doc.doc_id) if doc and visible(doc, unlocked) else []
    if not chunks:
        st.warning("That paper is not available. It may have been removed from the library, "
                   "or it may need a member key.")
        return
    pos = position_at(chunks, source["at"])
    cited = chunks[pos]
    marks = source.get("marks")
    if marks is None:  # opened from a link: highlight against the question asked
        marks = highlight(cited.text, term_weights(index, st.session_state.get("asked", ""),
                                                       unlocked))
    st.html(f'<div class="rag-title">{render.esc(doc.title)}</div>'
            f'<div class="rag-meta">{render.meta_line(doc, cited)}</div>')
    st.code(citation(doc, cited), language=None, wrap_lines=True)
    original = index.source_file(doc.source)
    page = doc.page_at(cited.start + marks[0][0]) if marks and doc.page_starts else cited.page
    image = page_image(original, page, tuple(cited.text[s:e] for s, e in marks))
    if image:
        left, right = st.columns(2, gap="medium")
        left.image(image, caption=f"Page {page} of {doc.source}", width="stretch")
        with right:
            source_text(index, doc, chunks, pos, marks)
    else:
        source_text(index, doc, chunks, pos, marks)
    if original:
        st.download_button("Download the original file", original.read_bytes(),
                           file_name=original.name, on_click="ignore", key="original",
                           icon=":material/download:")
    st.html(render.scroll_script(f"{doc.doc_id}-{source['at']}"), unsafe_allow_javascript=True)


def source_text(index: Index, doc: Document, chunks: list[Chunk], pos: int, marks) -> None:
    """The passages around the cited one, widened on request, and the whole paper."""
    before, after = st.session_state.get("window", (state.WINDOW, state.WINDOW))
    low, high = max(0, pos - before), min(len(chunks), pos + after + 1)
    if low > 0:
        st.button("Show earlier text", on_click=state.widen, args=(-1,), key="earlier")
    st.html(render.source_html(doc, chunks[low:high], chunks[pos], marks))
    if high < len(chunks):
        st.button("Show later text", on_click=state.widen, args=(1,), key="later")
    with st.expander("The whole paper"):
        st.html(render.whole_text_html(index.document_text(doc.doc_id)))


def page_image(original: Path | None, page: int | None, sentences: tuple[str, ...]):
    """The cited PDF page with the sentences marked (cached), or None for other files."""
    if not original or not page or original.suffix.lower() != ".pdf":
        return None
    return cached_page(str(original), original.stat().st_mtime_ns, page, sentences)


@st.cache_data(max_entries=64, show_spinner="Rendering the page…")
def cached_page(path: str, stamp: int, page: int, sentences: tuple[str, ...]) -> bytes | None:
    return page_png(Path(path), page, sentences)


def position_at(chunks: list[Chunk], offset: int) -> int:
    """The passage holding `offset` (else the nearest one)."""
    for i, chunk in enumerate(chunks):
        if chunk.start <= offset < chunk.end:
            return i
    return min(range(len(chunks)), key=lambda i: abs(chunks[i].start - offset))


def library_view(index: Index, filters: Filters, unlocked: bool) -> None:
    """The papers this session may read, within the filters, newest first; a click on a
    row opens the paper. Columns sort by a click on their header."""
    papers = [p for p in reversed(index.papers(unlocked))  # newest first
              if filters.admit(index.docs[p["doc_id"]])]
    rows = [library_row(paper, unlocked) for paper in papers]
    passages = sum(r["Passages"] for r in rows)
    narrowed = " matching the filters" if filters != Filters() else ""
    st.markdown(f"**{len(rows)} papers**{narrowed}, {passages:,} passages. "
                f"Index built {built_at(index.manifest.get('built_at', ''))}. "
                "Select a row to read the paper.")
    if not rows:
        st.info("No papers match the filters." if narrowed else "No papers yet.")
        return
    picked = st.dataframe(
        rows, hide_index=True, width="stretch", row_height=LIBRARY_ROW_HEIGHT,
        height=min(38 + LIBRARY_ROW_HEIGHT * len(rows), 720),
        on_select="rerun", selection_mode="single-row", key="library", placeholder="–",
        column_order=["Date", "Title", "Type", "Committee", "Pages", "Passages", "File",
                      "Access"],
        column_config=LIBRARY_COLUMNS)
    chosen = picked.selection.rows if picked else []
    if chosen:
        paper = papers[chosen[0]]
        st.button(f"Read “{paper['title']}”", key="read-paper", type="primary",
                  icon=":material/description:", on_click=state.open_paper,
                  args=(paper["doc_id"],))
        st.caption(f"File: {paper['source']}")


def library_row(paper: dict, unlocked: bool) -> dict:
    row = {"Title": paper["title"], "Date": paper["date"],
           "Type": render.type_name(paper["doc_type"]), "Pages": str(paper["pages"] or "–"),
           "Passages": paper["passages"], "Committee": paper["committee"],
           "File": paper["source"]}
    if unlocked:
        row["Access"] = paper["access"]
    return row


def built_at(stamp: str) -> str:
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return "at an unknown time"
    return f"on {when.day} {when:%B %Y} at {when:%H:%M} UTC"


def upload_view(index_dir: Path, corpus_dir: Path, unlocked: bool, allowed: bool) -> None:
    """Officers add PDF, text or HTML papers; they are searchable as soon as this finishes."""
    if not allowed:
        st.info(upload_hint())
        return
    st.caption(f"PDF, text or HTML files up to {MAX_UPLOAD_BYTES // 2**20} MB each. "
               "They are saved to the papers folder and can be searched straight away.")
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader("Papers to add", type=UPLOAD_TYPES, accept_multiple_files=True,
                                 max_upload_size=MAX_UPLOAD_BYTES // 2**20)
        access = st.radio("Who may read them", ["public", "restricted"], horizontal=True,
                          format_func=lambda a: "Everyone" if a == "public" else
                          "Members only (restricted)") if unlocked else "public"
        go = st.form_submit_button("Add to the library", type="primary")
    if go and files:
        bar = st.progress(0.0, text="Saving files…")
        outcomes = add_uploads([Upload(f.name, f.getvalue()) for f in files], corpus_dir,
                               index_dir, access=access, member=unlocked, encoder=get_encoder(),
                               progress=progress_to(bar))
        bar.empty()
        st.session_state.upload_outcomes = outcomes
        st.rerun()  # run again on the new build, so every view sees the new papers
    show_outcomes(st.session_state.get("upload_outcomes", []))


def show_outcomes(outcomes) -> None:
    if not outcomes:
        return
    added = sum(o.status in ("added", "updated") for o in outcomes)
    (st.success if added else st.warning)(
        f"{added} of {len(outcomes)} files added to the library.")
    st.dataframe([{"File": o.name, "Outcome": OUTCOME_NAMES.get(o.status, o.status),
                   "Papers": o.documents or None, "Passages": o.chunks or None,
                   "Reason / note": o.reason} for o in outcomes],
                 hide_index=True, width="stretch")
