"""A paper's units (paragraphs, headings, list items) packed into passages the model reads whole.

Sizes are the model's word pieces (rag/tokens.py). An agenda item (a section), a motion (from
"Moved by" or "Recommendation: That" to its result and roll call) and a list (its lead-in and
items) stay whole while they fit beside the passage's context header; ordinary prose is
packed up to a smaller target. What is longer is split where it must be, and a later part of
a list carries the list's lead-in in its header (see `carried_lead`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import tokens
from .votes import RESULT, roll_call

OVERFLOW_TOKENS = 32  # a heading or a short tail may stretch a passage this far past the target
LEAD_TOKENS = 32  # the most of a list's lead-in that a later part of the list carries
LIST_ITEM = re.compile(r"^([-*•–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}\))\s+")
LEAD_IN = re.compile(r"\b(the following( actions?)?|as follows|is asked to|RESOLVED that)\W*$",
                     re.IGNORECASE)
MOVER = re.compile(r"^\W*(?:moved|proposed)\s+by\b", re.IGNORECASE)
OPENS_MOTION = re.compile(r"^\W*(?:(?:moved|proposed|seconded)\s+by\b|recommendation\s*:|"
                          r"resolved\b|that\b)", re.IGNORECASE)
ITEM_OR_BREAK = re.compile(r"\n\s*\n|\n(?=[ \t]*(?:[-*•–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}\))\s)")
LOOKBACK = 4000  # characters searched back for a list's lead-in


@dataclass
class Unit:
    start: int
    end: int
    section: str
    paragraph: str
    tokens: int = 0
    heading: bool = False
    table: bool = False
    listing: str = ""  # "lead" for a list's lead-in ("... the following action:"), "item"
    vote: bool = False  # records a mover, seconder, result or roll call
    closes: bool = False  # a motion's result, or the roll call and marks that follow it


@dataclass(frozen=True)
class Sizes:
    target: int  # ordinary prose
    least: int  # below this a passage or a tail is short enough to join its neighbour


class Room:
    """How many pieces a passage's own text may take: the model's limit less its header's."""

    def __init__(self, text: str, header: Callable[[str, str, str], str], context: bool):
        self.text, self.header, self.context = text, header, context
        self.limit = tokens.model_limit() - tokens.SPECIAL
        self.cache: dict[tuple[str, str], int] = {}
        self.sizes: dict[str, int] = {}  # a header's size, by its text

    def __call__(self, section: str, lead: str = "") -> int:
        """Without a vote in the header (a vote only ever shortens it further)."""
        if not self.context:
            return self.limit
        if (section, lead) not in self.cache:
            self.cache[section, lead] = self.limit - tokens.count(self.header(section, "", lead))
        return self.cache[section, lead]

    def of(self, group: list[Unit], exact: bool = False) -> int:
        """For a passage of these units: its section, lead-in and vote (looked for only in
        units that record one, unless exact)."""
        if not self.context:
            return self.limit
        section = max(group, key=lambda u: u.tokens).section
        lead = carried_lead(self.text, group[0].start)
        voted = exact or any(u.vote for u in group)
        span = self.text[group[0].start:group[-1].end] if voted else ""
        header = self.header(section, span, lead)
        if header not in self.sizes:
            self.sizes[header] = tokens.count(header)
        return self.limit - self.sizes[header]


def list_part(text: str) -> str:
    """Whether a block leads into a list ("should take the following action.", "RESOLVED
    that:", "Within six months:") or is one of its items."""
    first = text.strip().split("\n")[0]
    if LIST_ITEM.match(first):
        return "item"
    if text.rstrip().endswith(":") or LEAD_IN.search(text):
        return "lead"
    return ""


def carried_lead(text: str, start: int) -> str:
    """The lead-in ("the Committee is asked to:") of the list a passage continues, when the
    passage starts at one of its items: the lead's last sentence, at most LEAD_TOKENS."""
    if not LIST_ITEM.match(text[start:start + 40].lstrip()):
        return ""
    for piece in reversed(ITEM_OR_BREAK.split(text[max(0, start - LOOKBACK):start])):
        piece = piece.strip()
        if not piece or (LIST_ITEM.match(piece) and not piece.endswith(":")):
            continue  # an item of the list; an item ending in ":" leads a list of its own
        if not LIST_ITEM.match(piece) and list_part(piece) != "lead":
            return ""
        last = re.split(r"(?<=[.;!?])\s+(?=[A-Z])", " ".join(piece.split()))[-1]
        return last[:tokens.spans(last, LEAD_TOKENS)[0][1]]
    return ""


def pack_units(units: list[Unit], sizes: Sizes, room: Room) -> list[list[Unit]]:
    """An item (a section that holds a motion or a list) whole where it fits; else packed by
    `pack_run`. A heading or a short opening joins what follows it."""
    groups: list[list[Unit]] = []
    lone = False
    for run in section_runs(units):
        item = any(u.listing == "lead" or opens_motion(room.text, u) for u in run)
        whole = item and total(run) <= room.of(run)
        parts = [run] if whole else pack_run(run, sizes, room)
        previous = groups[-1] if groups else None
        joins = previous and opens(previous, lone, sizes) and \
            not (previous[-1].table and not parts[0][0].table) and \
            total(previous) + total(parts[0]) <= room.of(previous + parts[0])
        lone = len(parts) == 1  # the last group ends with a whole section
        if joins:
            previous.extend(parts.pop(0))
        groups.extend(parts)
    return groups


def opens(group: list[Unit], whole: bool, sizes: Sizes) -> bool:
    """Whether a group leads into the next section: headings, or a short section of its own
    (never the short tail of a longer one)."""
    return all(u.heading for u in group) or (whole and total(group) < sizes.least)


def section_runs(units: list[Unit]) -> list[list[Unit]]:
    """Consecutive units of one section; text after a table starts a new run (it reads,
    and embeds, apart from the table)."""
    runs: list[list[Unit]] = []
    for unit in units:
        if runs and runs[-1][-1].section == unit.section and \
                not (runs[-1][-1].table and not unit.table):
            runs[-1].append(unit)
        else:
            runs.append([unit])
    return runs


def pack_run(run: list[Unit], sizes: Sizes, room: Room) -> list[list[Unit]]:
    """One section too long to be one passage: its motions and lists whole where they fit,
    else filled to the model's limit; prose up to the target."""
    groups: list[list[Unit]] = []
    last_block = -1  # the block the last group ends inside, when that block was split
    for block, atom, whole in atoms(run, room):
        current = groups[-1] if groups else None
        if current is None or (current[-1].table and not atom[0].table):
            groups.append(list(atom))
            last_block = -1 if whole else block
            continue
        size, add = total(current), total(atom)
        hard = room.of(current + atom)
        target = min(sizes.target, hard)
        short = size < sizes.least or all(u.heading for u in current)
        joins = (size + add <= target
                 or (size + add <= min(target + OVERFLOW_TOKENS, hard) and add < sizes.least)
                 or (size + add <= hard and (short or block == last_block)))
        if joins:
            current.extend(atom)
        else:
            groups.append(list(atom))
        last_block = -1 if whole else block
    return groups


def atoms(run: list[Unit], room: Room) -> list[tuple[int, list[Unit], bool]]:
    """A motion or list that fits is one atom; a longer one is its units, marked with its
    block so that they fill passages to the model's limit."""
    out = []
    for number, block in enumerate(blocks(run, room.text)):
        if len(block) == 1 or total(block) <= room.of(block):
            out.append((number, block, True))
            continue
        for unit in block:  # a result stays with its roll call
            if unit.closes and out[-1][0] == number and out[-1][1][-1].closes:
                out[-1][1].append(unit)
            else:
                out.append((number, [unit], False))
    return out


def blocks(run: list[Unit], text: str) -> list[list[Unit]]:
    """The run cut into motions (opening line to result and roll call), lists (lead-in and
    items) and single units."""
    out: list[list[Unit]] = []
    state = ""
    for unit in run:
        part = " ".join(text[unit.start:unit.end].split())
        if state == "after" and (roll_call(text[unit.start:unit.end]) or RESULT.search(part)
                                 or not re.search(r"[A-Za-z]{3}", part)):
            out[-1].append(unit)
            unit.closes = True
            continue
        continues = (state == "list" and unit.listing) or (state == "motion" and not (
            MOVER.match(part) and not all(opens_motion(text, u) for u in out[-1])))
        if continues:
            out[-1].append(unit)
        else:
            out.append([unit])
            state = "motion" if OPENS_MOTION.match(part) else \
                "list" if unit.listing == "lead" else ""
        if state == "motion" and RESULT.search(part):
            state, unit.closes = "after", True
    return out


def opens_motion(text: str, unit: Unit) -> bool:
    return bool(OPENS_MOTION.match(text[unit.start:unit.end]))


def total(units: list[Unit]) -> int:
    return sum(u.tokens for u in units)
