"""Understand a committee paper: split agenda packs, read committee, date, type, title."""

from __future__ import annotations

import re
from datetime import date

from .dates import find_dates, first_date
from .terms import find_acronyms
from .types import Document, SourceFile

HEAD_LINES = 25
AGENDA_ITEM = re.compile(r"^agenda item\s+(\d+[a-z]?)\b", re.IGNORECASE)
MINUTES_HEADING = re.compile(r"^(?!\d)(.{3,80}\b)minutes$", re.IGNORECASE)
COUNCIL_LINE = re.compile(r"^(london borough of|royal borough of|.{0,40}\b(council|borough)$)",
                          re.IGNORECASE)
REPORT_OF = re.compile(r"^(report of|report to|report author)\b", re.IGNORECASE)
COVER_MARK = re.compile(r"^(open report|classification|wards affected|key decision)", re.IGNORECASE)
COMMITTEE = re.compile(r"\b(committee|cabinet|council meeting|board|panel|sub-committee|"
                       r"cepac)\b", re.IGNORECASE)
EXEMPT_MARKS = {  # how a paper's cover says it is exempt from publication (Schedule 12A)
    "exempt information": re.compile(r"\bexempt information\b", re.IGNORECASE),
    "not for publication": re.compile(r"\bnot for (publication|public (release|inspection))\b",
                                      re.IGNORECASE),
    "Part II item": re.compile(r"^\s*part (ii|2)\s*(\W{0,3}\s*(exempt|private|confidential|closed|"
                               r"not for)\b.*)?$|\bclassification\b\W{0,3}\s*part (ii|2)\b|"
                               r"\bpart (ii|2) (item|report|business|agenda|session|paper)s?\b",
                               re.IGNORECASE | re.MULTILINE),
    "Schedule 12A": re.compile(r"\bschedule 12\s?a\b", re.IGNORECASE),
    "exempt appendix": re.compile(r"(?<!list of )\bexempt appendi(x|ces)\b(?!\s*:)|"
                                  r"\bappendi(x|ces)\b[^.\n]{0,40}\b(is|are) exempt\b",
                                  re.IGNORECASE),
    "exempt report": re.compile(r"\bclassification\b\W{0,3}[^\n]{0,40}\bexempt\b|"
                                r"^\s*exempt( report| item)?\s*$", re.IGNORECASE | re.MULTILINE),
    "confidential": re.compile(r"\b(confidential (report|appendix|information)|"
                               r"private (and|&) confidential|"
                               r"restricted\s*[-–:]\s*not for)\b", re.IGNORECASE),
}


def split_papers(source: SourceFile, access: str = "public") -> list[Document]:
    """One Document per component paper (an agenda pack gives several)."""
    lines = line_starts(source.text)
    bounds = paper_boundaries(source.text, lines)
    pack_head = source.text[: bounds[1]] if len(bounds) > 1 else source.text
    pack_committee, pack_date = read_committee(pack_head), first_date(pack_head[:3000])
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
    doc_type = read_doc_type(head)
    title = read_title(head, doc_type)
    item = AGENDA_ITEM.match(text.lstrip())
    agenda_item = item[1] if item else match_agenda_item(title, agenda)
    committee = read_committee(head) or pack_committee
    paper_date = first_date(head) or pack_date
    if doc_type in ("minutes", "agenda") and paper_date:
        title = f"{doc_type.title()} of the meeting of {paper_date.day} {paper_date:%B %Y}"
    reasons = exempt_reasons(text)
    return Document(
        doc_id=doc_id, source=source.name, title=title, committee=committee, date=paper_date,
        doc_type=doc_type, author=read_author(head, doc_type), agenda_item=agenda_item, text=text,
        start=start, page_starts=shift_pages(source.page_starts, start, len(text)),
        access="restricted" if reasons else access, access_reasons=tuple(reasons),
        acronyms=tuple(find_acronyms(text).items()), ocr_pages=source.ocr_pages)


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


def read_doc_type(head: str) -> str:
    lines = [line.strip() for line in head.split("\n") if line.strip()][:12]
    lowered = " ".join(lines).lower()
    if any(MINUTES_HEADING.match(line) for line in lines):
        return "minutes"
    if re.search(r"\b(inspection of|inspection report|inspection dates?)\b", lowered) and \
            not re.search(r"\breport (of|to)\b", lowered):
        return "inspection report"
    if re.search(r"\breport (of|to|author)\b", lowered):
        return "officer report"
    if any(line.lower() in ("agenda", "agenda pack") or line.lower().endswith(" agenda")
           for line in lines):
        return "agenda"
    return "document"


def read_title(head: str, doc_type: str) -> str:
    lines = [line.strip() for line in head.split("\n") if line.strip()]
    for line in lines:
        match = re.match(r"^(subject|title)\s*:\s*(.+)$", line, re.IGNORECASE)
        if match:
            return tidy_title(match[2])
    if doc_type == "officer report":
        for i, line in enumerate(lines):
            if REPORT_OF.match(line) and i > 0:
                return tidy_title(lines[i - 1])
    for line in lines:
        if AGENDA_ITEM.match(line) or COUNCIL_LINE.match(line) or first_date(line) == line:
            continue
        if 2 <= len(line.split()) <= 16 and not line.endswith("."):
            return tidy_title(line)
    return tidy_title(lines[0]) if lines else "Untitled"


def tidy_title(title: str) -> str:
    title = title.strip(" :|-–")
    if title.isupper():
        small = {"and", "of", "the", "for", "in", "on", "to", "a", "an", "&"}
        words = title.lower().split()
        title = " ".join(w if (i and w in small) else w[:1].upper() + w[1:]
                         for i, w in enumerate(words))
    return title[:160]


def read_committee(head: str) -> str:
    for line in head.split("\n")[: HEAD_LINES * 2]:
        line = line.strip()
        match = re.match(r"^report to\s*:\s*(.+)$", line, re.IGNORECASE)
        if match:
            return normalise_committee(match[1])
        if COMMITTEE.search(line) and len(line.split()) <= 12 and not line.endswith("."):
            name = re.sub(r"\s+(agenda|minutes)$", "", line, flags=re.IGNORECASE)
            for _, start, end in reversed(find_dates(name)):
                name = name[:start] + name[end:]
            name = name.strip(" |")
            if name.lower() != "cepac" and not re.match(r"^\d", name):
                return normalise_committee(name)
    return ""


def normalise_committee(name: str) -> str:
    name = tidy_title(name.strip(" :|"))
    return re.sub(r"\s*&\s*", " and ", name)


INSPECTORATES = {"ofsted": "Ofsted", "care quality commission": "Care Quality Commission",
                 "cqc": "Care Quality Commission", "hmi probation": "HM Inspectorate of Probation"}
INSPECTORATE = re.compile(r"\b(" + "|".join(INSPECTORATES) + r")\b", re.IGNORECASE)


def read_author(head: str, doc_type: str = "") -> str:
    """Who the paper is by: "Report of", the report author, or an inspection's inspector."""
    author = read_named_author(head)
    inspectorate = INSPECTORATE.search(head) if doc_type == "inspection report" else None
    if inspectorate:
        body = INSPECTORATES[inspectorate[1].lower()]
        return f"{author} ({body})" if author else body
    return author


def read_named_author(head: str) -> str:
    for pattern in (r"^report of\s*:?\s*(?:the\s+)?(.+)$", r"^report author\s*:\s*(.+)$",
                    r"^reporting inspector\s*:\s*(.+)$"):
        for line in head.split("\n"):
            match = re.match(pattern, line.strip(), re.IGNORECASE)
            if match and match[1].strip(" |"):
                return match[1].split(" | ")[0].strip(" ,|")[:120]
    return ""


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


def exempt_reasons(text: str) -> list[str]:
    """Why a paper looks exempt from publication (Schedule 12A and kin)."""
    head = text[:3000]  # the cover, where an exempt paper says so
    return [reason for reason, pattern in EXEMPT_MARKS.items() if pattern.search(head)]
