"""Split a paper into passages that respect headings and numbered paragraphs.

Provenance (section heading, paragraph number, page, character offsets) is set
here, when a chunk is made, and never later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .terms import NOT_A_PARAGRAPH, NUMBER, ROLES
from .types import Chunk, Document
from .votes import is_vote_line, read_vote, summary

CHUNKER_VERSION = 12  # bump when splitting, chunking or context headers change
LIST_ITEM = re.compile(r"^([-*•–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}\))\s+")
LEAD_IN = re.compile(r"\b(the following( actions?)?|as follows|is asked to|RESOLVED that)\W*$",
                     re.IGNORECASE)
LIST_WORDS = 175  # a list stays whole with its lead-in up to this (256 tokens with the header)
OVERFLOW_WORDS = 25  # a heading or a short tail may stretch a chunk this far past max_words
NUMBERED_PARAGRAPH = re.compile(rf"^({NUMBER})\.?\s+{NOT_A_PARAGRAPH}(?=\S)")
NUMBERED_HEADING = re.compile(rf"^(\d{{1,2}})\.?\s+{NOT_A_PARAGRAPH}([A-Z][A-Z0-9 ,'’&()/\-–:]+)$")


@dataclass(frozen=True)
class ChunkSettings:
    max_words: int = 140  # the model reads 256 tokens; the context header takes some
    min_words: int = 40
    context: bool = True  # index each chunk with its paper's context header

    def as_dict(self) -> dict[str, int]:
        """What the index records; any change means every paper is chunked again."""
        return {"max_words": self.max_words, "min_words": self.min_words,
                "context": self.context, "version": CHUNKER_VERSION}


@dataclass
class Unit:
    start: int
    end: int
    section: str
    paragraph: str
    words: int
    heading: bool = False
    table: bool = False
    listing: str = ""  # "lead" for a list's lead-in ("... the following action:"), "item"


def chunk_document(doc: Document, settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    units = split_long_units(paragraph_units(doc.text, set(doc.headings)), doc.text,
                             settings.max_words)
    for unit in units:
        unit.table = is_table(doc.text[unit.start:unit.end])
        unit.listing = list_part(doc.text[unit.start:unit.end])
    chunks = []
    for group in pack_units(units, settings):
        start, end = group[0].start, group[-1].end
        paragraphs = [u.paragraph for u in group if u.paragraph]
        label = paragraphs[0] if paragraphs else ""
        if len(set(paragraphs)) > 1:
            label = f"{paragraphs[0]}–{paragraphs[-1]}"
        chunks.append(Chunk(chunk_id=-1, doc_id=doc.doc_id, text=doc.text[start:end],
                            start=start, end=end, page=doc.page_at(start),
                            section=max(group, key=lambda u: u.words).section,
                            paragraph=label))
    return chunks


def paragraph_units(text: str, marked: set[int] = frozenset()) -> list[Unit]:
    """Blocks between blank lines, further cut before each numbered paragraph.

    Headings that follow one another with no text between them form a path
    ("Safeguarding services › Overall effectiveness"), kept as the section.
    """
    units: list[Unit] = []
    path: list[str] = []
    paragraph, last_was_heading = "", False
    lines = text.split("\n")
    offset = 0
    for i, line in enumerate(lines):
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        if not stripped:
            continue
        before = lines[i - 1].strip() if i else ""
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        heading = (start in marked and ": " not in stripped) or is_heading(stripped, before, after)
        if heading:
            path = (path if last_was_heading else [])[-2:] + [tidy_heading(stripped)]
            numbered = NUMBERED_HEADING.match(stripped)
            paragraph = numbered[1] if numbered else ""
        last_was_heading = heading
        number = NUMBERED_PARAGRAPH.match(stripped)
        if number and not heading:
            paragraph = number[1]
        section = " › ".join(path)
        end = start + len(line.rstrip())
        if units and not (not before or number or heading or units[-1].section != section):
            units[-1].end = end
            units[-1].words += len(stripped.split())
        else:
            units.append(Unit(start + len(line) - len(line.lstrip()), end, section, paragraph,
                              len(stripped.split()), heading))
    return units


def tidy_heading(line: str) -> str:
    return NUMBERED_HEADING.sub(r"\1. \2", line)[:100]


def is_heading(line: str, before: str, after: str) -> bool:
    if NUMBERED_HEADING.match(line) and len(line.split()) <= 30:
        return True
    words = line.split()
    return (not before and not after and 1 <= len(words) <= 12 and line[0].isupper()
            and line[-1] not in ".,;:|" and " | " not in line and ": " not in line
            and not NUMBERED_PARAGRAPH.match(line) and not is_vote_line(line))


def split_long_units(units: list[Unit], text: str, max_words: int) -> list[Unit]:
    """Cut units longer than the model can read at line and sentence boundaries."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_words, chunk_overlap=0, length_function=lambda s: len(s.split()),
        separators=["\n", r"(?<=[.;:!?])\s+", r"\s+"], is_separator_regex=True,
        keep_separator="end", strip_whitespace=True)
    out = []
    for unit in units:
        if unit.words <= max_words:
            out.append(unit)
            continue
        cursor = unit.start
        for piece in splitter.split_text(text[unit.start:unit.end]):
            start = text.find(piece, cursor, unit.end)
            if start < 0:  # never expected: keep the piece's place by skipping it safely
                continue
            cursor = start + len(piece)
            out.append(Unit(start, cursor, unit.section,
                            unit.paragraph, len(piece.split())))
    return out


def list_part(text: str) -> str:
    """Whether a block leads into a list ("should take the following action.", "RESOLVED
    that:", "Within six months:") or is one of its items."""
    first = text.strip().split("\n")[0]
    if LIST_ITEM.match(first):
        return "item"
    if text.rstrip().endswith(":") or LEAD_IN.search(text):
        return "lead"
    return ""


def is_table(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and sum(" | " in line for line in lines) * 2 >= len(lines)


def pack_units(units: list[Unit], settings: ChunkSettings) -> list[list[Unit]]:
    """Group consecutive units of one section into chunks of up to max_words.

    Text after a table starts a new chunk: it reads (and embeds) apart from the table."""
    groups: list[list[Unit]] = []
    for unit in units:
        current = groups[-1] if groups else None
        if current and current[-1].table and not unit.table:
            current = None
        size = sum(u.words for u in current) if current else 0
        same_section = current is not None and current[-1].section == unit.section
        fits = size + unit.words <= settings.max_words
        stretch = size + unit.words <= settings.max_words + OVERFLOW_WORDS
        small_tail = same_section and unit.words < settings.min_words
        lead_in = current is not None and (size < settings.min_words
                                           or all(u.heading for u in current))
        whole_list = (same_section and unit.listing and any(u.listing == "lead" for u in current)
                      and size + unit.words <= LIST_WORDS)
        if current and ((fits and same_section) or whole_list
                        or (stretch and (small_tail or lead_in))):
            current.append(unit)  # headings lead into their text; short tails stay with theirs
        else:
            groups.append([unit])
    return groups


def paper_context(doc: Document) -> str:
    """What every passage of a paper is indexed with: title, type, author, committee, date."""
    when = f"{doc.date.day} {doc.date:%B %Y}" if doc.date else ""
    item = f"Agenda item {doc.agenda_item}" if doc.agenda_item else ""
    parts = [doc.title, doc.doc_type, doc.author, doc.committee, when, item]
    return " | ".join(p for p in parts if p)


def context_header(doc: Document, chunk: Chunk) -> str:
    """The paper's context and the passage's section, indexed with every chunk so a passage
    knows where it is from."""
    roles = ", ".join(role for role in ("recommendations", "decisions")
                      if ROLES[role].search(chunk.section))
    vote = read_vote(chunk.text)
    voted = f"vote: {summary(vote)}" if vote else ""  # "who voted against ..." finds it
    return " | ".join(p for p in [paper_context(doc), chunk.section, roles, voted] if p)


def contextual_text(doc: Document, chunk: Chunk, settings: ChunkSettings = ChunkSettings()) -> str:
    """What is embedded and indexed for BM25: the context header, then the passage."""
    return f"{context_header(doc, chunk)}\n{chunk.text}" if settings.context else chunk.text
