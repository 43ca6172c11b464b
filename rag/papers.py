"""Understand a committee paper: split agenda packs, read committee, date, type, title."""

from __future__ import annotations

import re
from datetime import date

from .dates import first_date
from .metadata import (
    AGENDA_ITEM,
    COUNCIL_LINE,
    FIRST_ITEM,
    HEAD_LINES,
    MINUTES_HEADING,
    REPORT_OF,
    committee_from_front,
    council_body,
    cover_text,
    exempt_reasons,
    front_date,
    name_date,
    read_author,
    read_committee,
    read_doc_type,
    read_meeting,
    read_title,
)
from .terms import find_acronyms, find_initialisms
from .types import Document, SourceFile

COVER_MARK = re.compile(r"^(open report|classification|wards affected|key decision)",
                        re.IGNORECASE)


def split_papers(source: SourceFile, access: str = "public") -> list[Document]:
    """One Document per component paper (an agenda pack gives several)."""
    lines = line_starts(source.text)
    bounds = paper_boundaries(source.text, lines)
    pack_head = source.text[: bounds[1]] if len(bounds) > 1 else source.text
    pack_cover = cover_text(pack_head)
    pack_committee, pack_date = read_committee(pack_cover), first_date(pack_cover)
    agenda = agenda_titles(pack_head) if len(bounds) > 1 else {}
    stem = source.name.rsplit(".", 1)[0]
    docs = []
    for number, (start, end) in enumerate(zip(bounds, bounds[1:] + [len(source.text)])):
        text = source.text[start:end].strip("\n")
        start += len(source.text[start:end]) - len(source.text[start:end].lstrip("\n"))
        if not text.strip():
            continue
        doc_id = stem if len(bounds) == 1 else f"{stem}#{number + 1}"
        docs.append(make_document(doc_id, source, text, start, pack_committee, pack_date, agenda,
                                  access))
    return docs


def make_document(doc_id: str, source: SourceFile, text: str, start: int, pack_committee: str,
                  pack_date: date | None, agenda: dict[str, str], access: str) -> Document:
    head = "\n".join(text.split("\n")[: HEAD_LINES * 2])
    cover = cover_text(text)
    front = dict(source.front_matter) if start == 0 else {}
    doc_type = read_doc_type(head, text, front, source.name)
    title = read_title(head, doc_type, front)
    item = AGENDA_ITEM.match(text.lstrip())
    agenda_item = item[1] if item else match_agenda_item(title, agenda)
    committee = (committee_from_front(front) or read_committee(cover) or pack_committee
                 or council_body(text[:3000]))
    paper_date = (first_date(cover) or front_date(front) or pack_date
                  or first_date(source.name.replace("_", " ")) or name_date(source.name))
    if doc_type in ("minutes", "agenda") and paper_date:
        title = f"{doc_type.title()} of the meeting of {paper_date.day} {paper_date:%B %Y}"
    elif doc_type in ("minutes", "agenda") and FIRST_ITEM.match(title):
        title = doc_type.title()
    reasons = exempt_reasons(cover)
    return Document(
        doc_id=doc_id, source=source.name, title=title, committee=committee, date=paper_date,
        doc_type=doc_type, author=read_author(head, doc_type), agenda_item=agenda_item, text=text,
        start=start, page_starts=shift_pages(source.page_starts, start, len(text)),
        access="restricted" if reasons else access, access_reasons=tuple(reasons),
        acronyms=tuple({**find_initialisms(text), **find_acronyms(text)}.items()),
        ocr_pages=source.ocr_pages,
        headings=tuple(h - start for h in source.headings if start <= h < start + len(text)),
        meeting=read_meeting(cover, front))


def line_starts(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line.strip()))
        offset += len(line) + 1
    return out


def paper_boundaries(text: str, lines: list[tuple[int, str]]) -> list[int]:
    """Offsets where a component paper starts: agenda items, report covers, minutes."""
    starts = [0]
    nonblank = [(i, off, line) for i, (off, line) in enumerate(lines) if line]
    for k, (i, offset, line) in enumerate(nonblank):
        window = [entry[2] for entry in nonblank[k: k + 10]]
        if AGENDA_ITEM.match(line) or (k > 0 and MINUTES_HEADING.match(line)
                                       and len(line.split()) <= 12):
            starts.append(cover_start(nonblank, k))
        elif COUNCIL_LINE.match(line) and is_report_cover(window):
            starts.append(offset)
    starts = sorted(set(starts))
    merged = [starts[0]]
    for offset in starts[1:]:  # an "Agenda Item" line and its cover block are one start
        if len(text[merged[-1]:offset].split()) > 60:
            merged.append(offset)
    return merged


def cover_start(nonblank: list[tuple[int, int, str]], k: int) -> int:
    """Step back over a council-name line just above a heading."""
    if k > 0 and COUNCIL_LINE.match(nonblank[k - 1][2]):
        return nonblank[k - 1][1]
    return nonblank[k][1]


def is_report_cover(window: list[str]) -> bool:
    return any(REPORT_OF.match(line) for line in window) and sum(
        bool(COVER_MARK.match(line)) for line in window) >= 1


def shift_pages(page_starts: tuple[tuple[int, int], ...], start: int,
                length: int) -> tuple[tuple[int, int], ...]:
    inside = [(n, off - start) for n, off in page_starts if start <= off < start + length]
    before = [(n, 0) for n, off in page_starts if off < start]
    return tuple(before[-1:] + [p for p in inside if p[1] > 0 or not before])


def agenda_titles(head: str) -> dict[str, str]:
    """Numbered agenda entries ("7. | TRAVEL CARE ...") as number -> title."""
    items = {}
    for line in head.split("\n"):
        match = re.match(r"^(\d{1,2})\.\s*\|?\s*([A-Z][A-Z0-9 '’&,\-–()/]{3,})", line.strip())
        if match:
            items[match[1]] = match[2].strip(" |")
    return items


def match_agenda_item(title: str, agenda: dict[str, str]) -> str:
    words = set(re.findall(r"[a-z]{3,}", title.lower()))
    best, best_overlap = "", 0.5
    for number, entry in agenda.items():
        entry_words = set(re.findall(r"[a-z]{3,}", entry.lower()))
        if entry_words and words:
            overlap = len(words & entry_words) / len(entry_words)
            if overlap > best_overlap:
                best, best_overlap = number, overlap
    return best
