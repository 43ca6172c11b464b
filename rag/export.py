"""Results as files to keep: Markdown to read, CSV to sort. Pure functions, no I/O."""

from __future__ import annotations

import csv
import html
import io

from .cite import citation, verdict_text
from .types import Answer, Hit

COLUMNS = ["question", "rank", "passage", "citation", "title", "committee", "date",
           "doc_type", "page", "section", "paragraph", "source"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet formula injection


def result_rows(answer: Answer) -> list[dict[str, str]]:
    """One row per passage shown, with its citation."""
    return [hit_row(answer.query.text, hit, rank)
            for rank, hit in enumerate(answer.hits, start=1)]


def hit_row(question: str, hit: Hit, rank: int) -> dict[str, str]:
    doc, chunk = hit.doc, hit.chunk
    return {"question": question, "rank": str(rank), "passage": chunk.text.strip(),
            "citation": citation(doc, chunk), "title": doc.title, "committee": doc.committee,
            "date": doc.date.isoformat() if doc.date else "", "doc_type": doc.doc_type,
            "page": str(chunk.page or ""), "section": chunk.section,
            "paragraph": chunk.paragraph, "source": doc.source}


def to_csv(answer: Answer) -> str:
    """CSV with a header row; cells that a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in result_rows(answer):
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def to_markdown(answer: Answer) -> str:
    """A readable record of the question, how it was read and each cited passage."""
    lines = [f"# {one_line(answer.query.text)}", ""]
    reading = answer.query.reading()
    if reading:
        lines += ["Read as: " + inert("; ".join(f"{k}: {v}" for k, v in reading.items())), ""]
    if not answer.hits:
        lines.append("No passages found.")
    else:
        title, sentence = verdict_text(answer)
        follow = " The nearest passages follow." if answer.abstain else ""
        lines += [f"**{title}.** {sentence}{follow}", ""]
    for rank, hit in enumerate(answer.hits, start=1):
        lines += [f"## {rank}. {one_line(hit.doc.title)}", "",
                  f"*{inert(citation(hit.doc, hit.chunk))}*", "", quote(hit.chunk.text), ""]
        lines += [f"- Also in: {inert(citation(p.doc, p.chunk))}" for p in hit.also_in]
        if hit.also_in:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def quote(text: str) -> str:
    return "\n".join("> " + inert(line) if line.strip() else ">"
                     for line in text.strip().splitlines())


def one_line(text: str) -> str:
    return inert(" ".join(text.split()))


def inert(text: str) -> str:
    """Text from a paper with its HTML escaped (`<img onerror=...>` shows, never runs), as
    the CSV export neutralises formulas."""
    return html.escape(text, quote=False)
