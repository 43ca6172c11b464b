"""The same item at another meeting: a committee's clause, and the council meeting that
adopted it ("clause 4 of the 3rd Report of the Corporate Services Committee").

Council minutes name the committee report and clause they deal with; the committee's own
minutes hold that clause as item 4. Each side is linked to the other, within the weeks
between a committee meeting and the council meeting that takes its report.
"""

from __future__ import annotations

import re
from datetime import timedelta

from .index import Index
from .metadata import normalise_committee
from .types import Chunk, Document, Place

WITHIN = timedelta(days=60)  # a committee's report reaches council within a few weeks
CLAUSE_OF = re.compile(r"\bclauses?\s+(\d{1,2})(?:\s*(?:to|-|–)\s*(\d{1,2}))?,?\s+"
                       r"(?:inclusive,?\s+)?of the\s+(?:\d+(?:st|nd|rd|th)\s+)?Report of the\s+"
                       r"([A-Z][\w&'’-]*(?:\s+(?:[A-Z][\w&'’-]*|and|of|the))*?\s+Committee)")


def clauses_named(text: str) -> list[tuple[str, int]]:
    """(committee, clause) for every clause of a committee report the text names."""
    found = []
    for match in CLAUSE_OF.finditer(" ".join(text.split())):
        first, last = int(match[1]), int(match[2] or match[1])
        committee = normalise_committee(match[3])
        found += [(committee, n) for n in range(first, min(last, first + 20) + 1)]
    return found


def item_number(chunk: Chunk) -> int | None:
    match = re.match(r"(?:.* › )?(\d{1,2})\.\s", chunk.section)
    return int(match[1]) if match else None


def linked_items(index: Index, doc: Document, chunk: Chunk, unlocked: bool) -> tuple[Place, ...]:
    """The same item at the other meeting, both ways: committee → council, council → committee."""
    if doc.date is None:
        return ()
    if doc.committee == "Council":
        return tuple(place for committee, clause in clauses_named(chunk.text)
                     for place in committee_items(index, doc, committee, clause, unlocked))
    number = item_number(chunk)
    return council_items(index, doc, number, unlocked) if number else ()


def committee_items(index: Index, council: Document, committee: str, clause: int,
                    unlocked: bool) -> list[Place]:
    """Item `clause` of the committee's latest minutes before the council meeting."""
    earlier = [d for d in index.visible_docs(unlocked) if d.committee == committee and d.date
               and council.date - WITHIN <= d.date <= council.date]
    for doc in sorted(earlier, key=lambda d: d.date, reverse=True)[:1]:
        return [Place(doc, c) for c in index.doc_chunks(doc.doc_id) if item_number(c) == clause][:1]
    return []


def council_items(index: Index, doc: Document, number: int, unlocked: bool) -> tuple[Place, ...]:
    """Council passages, in the weeks after, that deal with this committee item."""
    later = [d for d in index.visible_docs(unlocked) if d.committee == "Council" and d.date
             and doc.date < d.date <= doc.date + WITHIN]
    places = []
    for council in later:
        places += [Place(council, c) for c in index.doc_chunks(council.doc_id)
                   if (doc.committee, number) in clauses_named(c.text)][:1]
    return tuple(places)
