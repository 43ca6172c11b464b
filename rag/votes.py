"""Motions and votes in minutes: who moved and seconded, the result, and who voted how.

Read from a passage's text as minutes print them: "Moved by Councillor B. Polhill",
"Proposed by Councillor Foley; Seconded by Councillor Galvin", "Motion Passed (4 to 0)",
"CARRIED", roll-call tables ("Yeas: | Nays:" with one member a row), Legistar and Granicus
roll calls on one line each ("Aye: 4 - Councilmember Daysog, Jensen and Mayor Ashcraft",
"NOES: None"), "A motion was made by ...", and UK tallies ("(For 4, Against 2)").
"""

from __future__ import annotations

import re

from .types import Vote

TITLE = (r"(?i:councill?or|council ?member|cllr\.?|(?:vice |deputy )?mayor|alderman|"
         r"commissioner|supervisor|trustee|director|mrs?\.?|ms\.?)[ \t]+")
NAME = r"([A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|van|de|la|le)){0,3})"  # one line, capitalised
MOVER = re.compile(rf"\b(?i:moved|proposed|motion(?:[ \t]+was)?(?:[ \t]+made)?)[ \t]+(?i:by):?"
                   rf"[ \t]+(?:{TITLE})?{NAME}")
SECONDER = re.compile(rf"\b(?i:seconded)[ \t]+(?i:by):?[ \t]+(?:{TITLE})?{NAME}")
RESULT = re.compile(r"\b(?:(motion|amendment|recommendation)\s+(passed|carried|lost|defeated|"
                    r"failed)|(carried|lost|defeated)(?: unanimously)?\b)"
                    r"(?:\s*\((\d+)\s*to\s*(\d+)\))?", re.IGNORECASE)
SIDES = {"yeas": "yeas", "ayes": "yeas", "for": "yeas", "nays": "nays", "noes": "nays",
         "against": "nays", "absent": "absent", "recused": "recused", "abstained": "recused"}
LISTED = {"aye": "yeas", "ayes": "yeas", "yea": "yeas", "yeas": "yeas", "yes": "yeas",
          "nay": "nays", "nays": "nays", "no": "nays", "noes": "nays", "absent": "absent",
          "excused": "absent", "abstain": "recused", "abstained": "recused",
          "abstention": "recused", "abstentions": "recused", "recused": "recused"}
ROLL_LINE = re.compile(rf"^[ \t]*({'|'.join(LISTED)})[ \t]*:[ \t]*(?:(\d+)[ \t]*[-–][ \t]*)?"
                       rf"([^|\n]*\w[^|\n]*)$", re.IGNORECASE | re.MULTILINE)
TALLY = re.compile(r"\bfor\W{0,3}(\d+)\W{1,4}against\W{0,3}(\d+)|"
                   r"\b(\d+)\s+(?:votes\s+)?for\W{1,4}(\d+)\s+against\b", re.IGNORECASE)
SIDE = "|".join(SIDES)
HEADER = re.compile(rf"^\s*(?:vote:\s*)?((?:{SIDE})\s*:)(\s*\|?\s*(?:{SIDE})\s*:)*\s*$",
                    re.IGNORECASE)
COUNT = re.compile(r"\s*\(\d+\)\s*")


def read_vote(text: str) -> Vote | None:
    """The motion and vote a passage records, or None when it records none. Each pattern
    is tried only where its key word is in the text (most passages have none)."""
    lowered = text.lower()
    mover = MOVER.search(text) if has(lowered, "moved", "proposed", "motion") else None
    seconder = SECONDER.search(text) if "seconded" in lowered else None
    result = RESULT.search(text) if has(lowered, "passed", "carried", "lost", "defeated",
                                        "failed") else None
    sides = roll_call(text) or listed_roll_call(text) if ":" in text else {}
    tally = TALLY.search(text) if "against" in lowered else None
    if not (mover or seconder or result or tally or sides.get("yeas") or sides.get("nays")):
        return None  # an attendance list ("Absent:") alone is no vote
    outcome = " ".join(" ".join((result[1] or "", result[2] or result[3] or "")).split()) \
        if result else ""
    yeas, nays = sides.get("yeas", ()), sides.get("nays", ())
    count = f"{result[4]} to {result[5]}" if result and result[4] else \
        "{} to {}".format(*[n for n in tally.groups() if n]) if tally else \
        f"{len(yeas)} to {len(nays)}" if yeas or nays else ""
    return Vote(mover=clean_name(mover[1]) if mover else "",
                seconder=clean_name(seconder[1]) if seconder else "",
                result=outcome.capitalize(), count=count, yeas=yeas, nays=nays,
                absent=sides.get("absent", ()), recused=sides.get("recused", ()))


class Records:
    """The votes role's pattern (terms.ROLES): its search finds a recorded motion or vote."""

    @staticmethod
    def search(text: str) -> Vote | None:
        return read_vote(text)


def has(lowered: str, *words: str) -> bool:
    return any(word in lowered for word in words)


def roll_call(text: str) -> dict[str, tuple[str, ...]]:
    """The first roll-call table: each side's members, in order."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if HEADER.match(line):
            columns = [SIDES[c.strip(" :").lower()] for c in
                       re.split(r"\|", re.sub(r"(?i)^\s*vote:\s*", "", line)) if c.strip()]
            found: dict[str, list[str]] = {side: [] for side in columns}
            for row in lines[i + 1:]:
                if not row.strip() or HEADER.match(row) or RESULT.search(row):
                    break
                for side, cell in zip(columns, row.split("|")):
                    add_members(found, side, cell)
            return {side: tuple(names) for side, names in found.items() if names}
    return {}


def listed_roll_call(text: str) -> dict[str, tuple[str, ...]]:
    """Each side's members from lines like "Aye: 4 - Councilmember Daysog, Jensen and Mayor
    Ashcraft" or "NOES: None" (Legistar, Granicus)."""
    found: dict[str, tuple[str, ...]] = {}
    for match in ROLL_LINE.finditer(text):
        side = LISTED[match[1].lower()]
        names = re.split(r",\s*|\s+and\s+|;\s*", match[3].strip(" ."))
        members = tuple(n for n in (clean_name(re.sub(rf"^(?:{TITLE})+", "", part.strip()))
                                    for part in names)
                        if re.search(r"[^\W\d_]", n) and n.lower() != "none")  # a name: letters
        found.setdefault(side, members)
    return found if found.get("yeas") or found.get("nays") else {}


def add_members(found: dict[str, list[str]], side: str, cell: str) -> None:
    """A cell's member, and any "RECUSED: X" note written into it."""
    cell, _, recused = cell.partition("RECUSED:")
    for name, target in ((cell, side), (recused, "recused")):
        name = clean_name(COUNT.sub(" ", name))
        if name:
            found.setdefault(target, []).append(name)


def is_vote_line(line: str) -> bool:
    """A mover, seconder or result line: part of a motion, never a heading."""
    return bool(MOVER.search(line) or SECONDER.search(line) or RESULT.fullmatch(line.strip()))


def clean_name(name: str) -> str:
    return " ".join(name.replace("*", " ").split()).strip(" ,;.")


def summary(vote: Vote) -> str:
    """The vote in words, for a card and for the passage's index header."""
    parts = []
    if vote.mover:
        parts.append(f"moved by {vote.mover}")
    if vote.seconder:
        parts.append(f"seconded by {vote.seconder}")
    if vote.result or vote.count:
        parts.append(f"{vote.result} ({vote.count})" if vote.result and vote.count
                     else vote.result or f"vote {vote.count}")
    if vote.nays:
        parts.append("voted against: " + ", ".join(vote.nays))
    if vote.recused:
        parts.append("recused: " + ", ".join(vote.recused))
    return "; ".join(parts)
