"""HTML for cards, passages and source pages. Every piece of document text is escaped.

These functions only build strings; the app decides where they go. Text from papers
(passages, titles, committees, file names) passes through `esc` before it is placed
in markup, so a paper can never inject HTML, and `st.html` does not read Markdown.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from rag import cite
from rag.types import Chunk, Document, Hit
from rag.votes import read_vote, summary

STYLE = """<style>
[data-testid="stMainBlockContainer"] {max-width: 1160px;}
@media (min-width: 641px) {
  [data-testid="stMainBlockContainer"] {padding-left: 3rem; padding-right: 3rem;}
}
.rag-title {font-weight: 600; font-size: 1.05rem; line-height: 1.35; margin-bottom: .15rem;}
.rag-meta {color: #5f6368; font-size: .88rem; margin-bottom: .55rem;}
.rag-passage {white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.55;
              font-size: .97rem;}
.rag-passage mark {background: #fff1a8; color: inherit; padding: 0 .1rem; border-radius: 2px;}
.rag-gap {display: block; height: .45em;}
.rag-vote {font-size: .9rem; color: #1f4d2b; background: #eef7f0; padding: .2rem .5rem;
            border-radius: 4px; margin-bottom: .4rem;}
.rag-also {font-size: .88rem; color: #5f6368; margin-top: .4rem;}
.rag-label {display: inline-block; font-size: .78rem; letter-spacing: .02em; color: #5f6368;
            text-transform: uppercase; margin: .6rem 0 .2rem 0;}
.rag-cited {background: #f4f8ff; border-left: 4px solid #3b6fd8; padding: .5rem .8rem;
            margin: .3rem 0;}
.rag-near {padding: .3rem .8rem; color: #303134; margin: .3rem 0;}
.rag-page {font-size: .8rem; font-weight: 600; color: #3b6fd8; margin: .8rem 0 .1rem 0;
           border-top: 1px solid #dfe3ea; padding-top: .3rem;}
.rag-prec {border-top: 1px solid #e5e7eb; padding: .5rem 0 .2rem 0;}
.rag-date {font-weight: 600; color: #303134;}
.rag-intro {color: #5f6368; font-size: .9rem;}
.rag-count {color: #5f6368; font-size: .9rem;}
.rag-verdict {color: #1f4d2b; font-size: .92rem; margin-bottom: .4rem;}
.rag-meeting {font-weight: 600; font-size: 1rem; margin: .8rem 0 .1rem 0; color: #303134;
              border-bottom: 1px solid #dfe3ea;}
[data-testid="stImage"] img {border: 1px solid #dfe3ea; box-shadow: 0 1px 3px #0001;}
.rag-decision {border-left: 3px solid #1e8e3e; padding: .1rem .6rem; margin: .35rem 0;}
@media (max-width: 640px) {
  h1 {font-size: 1.45rem !important; padding: .2rem 0 !important;}
  [data-testid="stMainBlockContainer"] {padding-top: 3.6rem !important;}
  .rag-intro {display: none;}
  [data-testid="InputInstructions"] {display: none;}
}
</style>"""
BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
TYPE_NAMES = {"officer report": "Officer report", "inspection report": "Inspection report",
              "minutes": "Minutes", "agenda": "Agenda", "document": "Document"}
READING_NAMES = {"date": "dates", "doc_type": "document type", "committee": "committee",
                 "order": "order"}


def esc(text: str) -> str:
    return escape(str(text), quote=True)


def esc_text(text: str) -> str:
    """Escaped passage text, with blank lines shrunk to a small gap."""
    return BLANK_LINES.sub('\n<span class="rag-gap"></span>', esc(text))


def nice_date(when: date | None) -> str:
    return f"{when.day} {when:%B %Y}" if when else "undated"


def type_name(doc_type: str) -> str:
    return TYPE_NAMES.get(doc_type, doc_type.capitalize())


def place(chunk: Chunk, doc: Document | None = None) -> str:
    """Where in the paper, in words: page for PDFs (saying when it was read by OCR),
    paragraph or section for text."""
    ocr = doc is not None and chunk.page in doc.ocr_pages
    return ", ".join(cite.place(chunk, page="page", paragraph="paragraph", ocr=ocr))


def meta_line(doc: Document, chunk: Chunk | None = None) -> str:
    """Committee · meeting date · page/paragraph · document type (escaped)."""
    parts = [doc.committee, nice_date(doc.date), place(chunk, doc) if chunk else "",
             type_name(doc.doc_type)]
    return " · ".join(esc(p) for p in parts if p)


def marked(text: str, spans: tuple[tuple[int, int], ...] | list) -> str:
    """`text` escaped, with the character spans wrapped in <mark>."""
    out, at = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        out += [esc_text(text[at:start]), "<mark>", esc_text(text[start:end]), "</mark>"]
        at = end
    out.append(esc_text(text[at:]))
    return "".join(out)


def card_html(hit: Hit, number: int) -> str:
    also = ""
    if hit.also_in:
        places = "; ".join(f"{esc(p.doc.title)} ({esc(nice_date(p.doc.date))})"
                           for p in hit.also_in)
        also = f'<div class="rag-also">Also in: {places}</div>'
    if hit.also_at:
        at = "; ".join(f"{esc(p.doc.committee)}, {esc(nice_date(p.doc.date))}"
                       for p in hit.also_at)
        also += f'<div class="rag-also">Also at: {at}</div>'
    vote = read_vote(hit.chunk.text)
    voted = f'<div class="rag-vote">Vote: {esc(summary(vote))}</div>' if vote else ""
    return (f'<div class="rag-title">{number}. {esc(hit.doc.title)}</div>'
            f'<div class="rag-meta">{meta_line(hit.doc, hit.chunk)}</div>{voted}'
            f'<div class="rag-passage">{marked(hit.chunk.text.strip(), strip_spans(hit))}</div>'
            f"{also}")


def strip_spans(hit: Hit) -> list[tuple[int, int]]:
    """Highlight offsets moved to match the passage with its leading space removed."""
    lead = len(hit.chunk.text) - len(hit.chunk.text.lstrip())
    return [(s - lead, e - lead) for s, e in hit.highlights]


def reading_text(reading: dict[str, str]) -> str:
    return "; ".join(f"{READING_NAMES.get(k, k)}: {v}" for k, v in reading.items())


def count_text(passages: int, meetings: int) -> str:
    papers = "passage" if passages == 1 else "passages"
    return f"{passages} {papers} from {meetings} meeting{'' if meetings == 1 else 's'}"


def meeting_name(doc: Document) -> str:
    """A meeting in words: its date and committee (undated papers form one group)."""
    return " — ".join(p for p in (nice_date(doc.date), doc.committee) if p)


def by_meeting(hits: list[tuple[int, Hit]]) -> list[tuple[str, list[tuple[int, Hit]]]]:
    """Numbered hits grouped by meeting, the meeting of the best hit first."""
    groups: dict[str, list[tuple[int, Hit]]] = {}
    for number, hit in hits:
        groups.setdefault(meeting_name(hit.doc), []).append((number, hit))
    return list(groups.items())


def precedent_html(hit: Hit, current: bool, decision: Hit | None = None) -> str:
    spans = strip_spans(hit)
    text = hit.chunk.text.strip()
    if spans:
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        snippet = esc_text(text[max(start, 0):end])
    else:
        snippet = esc_text(text[:280] + ("…" if len(text) > 280 else ""))
    mine = " <em>(this paper)</em>" if current else ""
    return (f'<div class="rag-prec"><span class="rag-date">{esc(nice_date(hit.doc.date))}'
            f"</span> — {esc(hit.doc.title)}{mine}"
            f'<div class="rag-meta">{meta_line(hit.doc, hit.chunk)}</div>'
            f'<div class="rag-passage">{snippet}</div>{decision_html(decision)}</div>')


def decision_html(decision: Hit | None) -> str:
    """The decision a paper records on the matter, its sentence marked."""
    if decision is None:
        return ""
    (start, end), = decision.highlights
    where = place(decision.chunk)
    return (f'<div class="rag-decision"><span class="rag-label">Decision'
            f'{" · " + esc(where) if where else ""}</span>'
            f'<div class="rag-passage"><mark>{esc_text(decision.chunk.text[start:end])}'
            f"</mark></div></div>")


def source_html(doc: Document, chunks: list[Chunk], cited: Chunk,
                spans: list[tuple[int, int]]) -> str:
    """A stretch of the paper, with page labels for PDFs and the cited passage highlighted."""
    out, page = [], None
    for chunk in chunks:
        if chunk.page and chunk.page != page:
            out.append(f'<div class="rag-page">Page {chunk.page}</div>')
        page = chunk.page
        if chunk.chunk_id == cited.chunk_id:
            out.append(f'<div class="rag-passage rag-cited" id="rag-cited">'
                       f"{marked(chunk.text, spans)}</div>")
        else:
            out.append(f'<div class="rag-passage rag-near">{esc_text(chunk.text)}</div>')
    return "".join(out)


SCROLL = """<script>
(() => {{ // {nonce}: scroll the cited passage into view once it is on the page
  let tries = 0;
  const go = () => {{
    const cited = document.getElementById("rag-cited");
    if (cited) cited.scrollIntoView({{block: "center"}});
    else if (tries++ < 60) setTimeout(go, 100);
  }};
  go();
}})();
</script>"""


def scroll_script(nonce: str) -> str:
    """A script that scrolls to the cited passage; a new `nonce` runs it again."""
    return SCROLL.format(nonce=re.sub(r"[^\w.-]", "", nonce))


def whole_text_html(text: str) -> str:
    return f'<div class="rag-passage">{esc_text(text)}</div>'
