"""Split a paper into passages that respect headings and numbered paragraphs.

Sizes are counted in the embedding model's own word pieces (rag/tokens.py), so that what
is embedded, the context header and the passage, always fits what the model reads; how
units are grouped into passages is rag/packing.py's.

Provenance (section heading, paragraph number, page, character offsets) is set
here, when a chunk is made, and never later.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from math import ceil

from . import tokens
from .packing import (
    Room,
    Sizes,
    Unit,
    carried_lead,
    list_part,
    opens_motion,
    pack_units,
    total,
)
from .terms import NOT_A_PARAGRAPH, NUMBER, ROLES
from .types import Chunk, Document
from .votes import is_vote_line, read_vote, summary

CHUNKER_VERSION = 16  # bump when splitting, chunking or context headers change
NUMBERED_PARAGRAPH = re.compile(rf"^({NUMBER})\.?\s+{NOT_A_PARAGRAPH}(?=\S)")
NUMBERED_HEADING = re.compile(rf"^(\d{{1,2}})\.?\s+{NOT_A_PARAGRAPH}([A-Z][A-Z0-9 ,'’&()/\-–:]+)$")
FILED_ITEM = re.compile(r"^(\d{1,2}-[A-Z])\s+\d{2,4}-\d{2,6}\s+\S")  # Legistar: "5-A 2023-2781 ..."


@dataclass(frozen=True)
class ChunkSettings:
    """Sizes in the model's word pieces. Ordinary prose is packed up to max_tokens; an item,
    a motion or a list stays whole up to what the model reads beside its context header."""

    # The old 140 words in word pieces: not fitted to the gold sets. 128 scored higher on them
    # but with 20 % more passages to embed, and its gain came from the hand-set reranker
    # (eval/README.md, "Passage sizes").
    max_tokens: int = 180
    min_tokens: int = 50
    context: bool = True  # index each chunk with its paper's context header

    def as_dict(self) -> dict[str, int]:
        """What the index records; any change means every paper is chunked again."""
        return {"max_tokens": self.max_tokens, "min_tokens": self.min_tokens,
                "context": self.context, "version": CHUNKER_VERSION}


def chunk_document(doc: Document, settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    room = Room(doc.text, lambda section, span, lead: header(doc, section, span, lead),
                settings.context)
    units = paragraph_units(doc.text, set(doc.headings))
    for unit, size in zip(units, tokens.counts([doc.text[u.start:u.end] for u in units])):
        unit.tokens = size
    units = split_long_units(units, doc.text, room, settings.max_tokens)
    for unit in units:
        unit.table = is_table(doc.text[unit.start:unit.end])
        unit.listing = list_part(doc.text[unit.start:unit.end])
        unit.vote = read_vote(doc.text[unit.start:unit.end]) is not None
    packed = pack_units(units, Sizes(settings.max_tokens, settings.min_tokens), room)
    groups = fit_to_model(packed, room)
    return [make_chunk(doc, group) for group in groups]


def make_chunk(doc: Document, group: list[Unit]) -> Chunk:
    start, end = group[0].start, group[-1].end
    paragraphs = [u.paragraph for u in group if u.paragraph]
    label = paragraphs[0] if paragraphs else ""
    if len(set(paragraphs)) > 1:
        label = f"{paragraphs[0]}–{paragraphs[-1]}"
    return Chunk(chunk_id=-1, doc_id=doc.doc_id, text=doc.text[start:end], start=start,
                 end=end, page=doc.page_at(start),
                 section=max(group, key=lambda u: u.tokens).section, paragraph=label)


def paragraph_units(text: str, marked: set[int] = frozenset()) -> list[Unit]:
    """Blocks between blank lines, further cut before each numbered paragraph; each unit's
    section is the path of headings above it (Outline)."""
    units: list[Unit] = []
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    headings = heading_lines(lines, starts, marked)
    outline = Outline(repeated_headings(lines, headings))
    paragraph, last_was_heading = "", False
    for i, (line, start) in enumerate(zip(lines, starts)):
        stripped = line.strip()
        if not stripped:
            continue
        heading = i in headings
        if heading:
            outline.enter(tidy_heading(stripped), follows_heading=last_was_heading)
            numbered = NUMBERED_HEADING.match(stripped) or FILED_ITEM.match(stripped)
            paragraph = numbered[1] if numbered else ""
        last_was_heading = heading
        number = NUMBERED_PARAGRAPH.match(stripped)
        if number and not heading:
            paragraph = number[1]
        section, end = " › ".join(outline.path), start + len(line.rstrip())
        before = lines[i - 1].strip() if i else ""
        if units and not (not before or number or heading or units[-1].section != section):
            units[-1].end = end
        else:
            units.append(Unit(start + len(line) - len(line.lstrip()), end, section, paragraph,
                              heading=heading))
    return units


def heading_lines(lines: list[str], starts: list[int], marked: set[int]) -> set[int]:
    """The lines that are headings: marked by the loader (a heading tag), or looking like one."""
    found = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        before = lines[i - 1].strip() if i else ""
        after = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if stripped and ((starts[i] in marked and ": " not in stripped)
                         or is_heading(stripped, before, after)):
            found.add(i)
    return found


def repeated_headings(lines: list[str], headings: set[int]) -> set[str]:
    seen = Counter(tidy_heading(lines[i].strip()) for i in headings)
    return {heading for heading, times in seen.items() if times > 1}


class Outline:
    """The path of headings above a line. Headings that follow one another with no text
    between them nest ("Safeguarding services › Overall effectiveness"). A heading the paper
    repeats ("Areas for improvement", "RESOLVED") goes under the last heading it does not
    repeat, so each one says whose it is ("Services for looked after children › Areas for
    improvement")."""

    def __init__(self, repeated: set[str]):
        self.repeated, self.path, self.parent = repeated, [], ""

    def enter(self, heading: str, follows_heading: bool) -> None:
        if follows_heading:
            self.path = self.path[-2:] + [heading]
        elif heading in self.repeated and self.parent:
            self.path = [self.parent, heading]
        else:
            self.path = [heading]
        if heading not in self.repeated:
            self.parent = heading


def tidy_heading(line: str) -> str:
    return NUMBERED_HEADING.sub(r"\1. \2", line)[:100]


def is_heading(line: str, before: str, after: str) -> bool:
    if NUMBERED_HEADING.match(line) and len(line.split()) <= 30 or FILED_ITEM.match(line):
        return True  # a numbered heading, or a sub-item with its file number
    words = line.split()
    return (not before and not after and 1 <= len(words) <= 12 and line[0].isupper()
            and line[-1] not in ".,;:|" and " | " not in line and ": " not in line
            and not NUMBERED_PARAGRAPH.match(line) and not is_vote_line(line))


def split_long_units(units: list[Unit], text: str, room: Room, target: int) -> list[Unit]:
    """Cut units into near-equal parts at line, sentence, then word boundaries: a motion or
    a list's lead-in or item where it is longer than the model reads beside its header,
    other prose where it is longer than the target."""
    out = []
    for unit in units:
        limit = room(unit.section)
        if not (opens_motion(text, unit) or list_part(text[unit.start:unit.end])):
            limit = min(limit, target)
        if unit.tokens <= limit:
            out.append(unit)
            continue
        size = min(limit, ceil(unit.tokens / ceil(unit.tokens / limit)) + 16)  # parts alike
        out.extend(Unit(unit.start + a, unit.start + b, unit.section, unit.paragraph,
                        tokens.count(text[unit.start + a:unit.start + b]))
                   for a, b in tokens.spans(text[unit.start:unit.end], size))
    return out


def is_table(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and sum(" | " in line for line in lines) * 2 >= len(lines)


def paper_context(doc: Document) -> str:
    """What every passage of a paper is indexed with: title, type, author, committee, date."""
    when = f"{doc.date.day} {doc.date:%B %Y}" if doc.date else ""
    item = f"Agenda item {doc.agenda_item}" if doc.agenda_item else ""
    parts = [doc.title, doc.doc_type, doc.author, doc.committee, when, item]
    return " | ".join(p for p in parts if p)


def context_header(doc: Document, chunk: Chunk) -> str:
    """The paper's context and the passage's section, indexed with every chunk so a passage
    knows where it is from; a passage that continues a list carries the list's lead-in."""
    return header(doc, chunk.section, chunk.text, carried_lead(doc.text, chunk.start))


def header(doc: Document, section: str, text: str, lead: str = "") -> str:
    roles = ", ".join(role for role in ("recommendations", "decisions")
                      if ROLES[role].search(section))
    vote = read_vote(text) if text else None
    voted = f"vote: {summary(vote)}" if vote else ""  # "who voted against ..." finds it
    return " | ".join(p for p in [paper_context(doc), section, roles, lead, voted] if p)


def fit_to_model(groups: list[list[Unit]], room: Room) -> list[list[Unit]]:
    """The last word on size: every embedded text (header and passage) fits the model. A
    group over it loses its last unit to a group of its own; a single unit over it (one
    sentence longer than the model reads) is cut at a word boundary."""
    out, todo = [], list(reversed(groups))
    while todo:
        group = todo.pop()
        over = total(group) - room.of(group, exact=True)
        if over <= 0:
            out.append(group)
        elif len(group) > 1:
            todo += [group[-1:], group[:-1]]
        else:
            parts = cut_unit(room.text, group[0], group[0].tokens - over)
            (out if len(parts) == 1 else todo).extend(reversed(parts))
    return out


def cut_unit(text: str, unit: Unit, size: int) -> list[list[Unit]]:
    pieces = tokens.spans(text[unit.start:unit.end], max(size, 1))
    if len(pieces) < 2:  # one word beside a header that alone fills the model
        return [[unit]]
    (a, b), rest = pieces[0], unit.start + pieces[1][0]
    return [[Unit(unit.start + a, unit.start + b, unit.section, unit.paragraph,
                  tokens.count(text[unit.start + a:unit.start + b]))],
            [Unit(rest, unit.end, unit.section, unit.paragraph, tokens.count(text[rest:unit.end]))]]


def contextual_text(doc: Document, chunk: Chunk, settings: ChunkSettings = ChunkSettings()) -> str:
    """What is embedded and indexed for BM25: the context header, then the passage."""
    return f"{context_header(doc, chunk)}\n{chunk.text}" if settings.context else chunk.text
