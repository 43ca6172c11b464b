"""The same item at another meeting: a committee's clause, and the council meeting that
adopted it.

Council minutes name what they deal with: a clause of a committee's report, as eScribe
minutes print it ("clause 4 of the 3rd Report of the Corporate Services Committee": that
committee's item 4), or a committee's meeting, as UK minutes do ("the recommendations of the
Cabinet meeting held on 12 March 2024": that meeting's item on the same matter). Each side
is linked to the other, within the weeks between a committee meeting and the council
meeting that takes its report.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .dates import find_dates
from .index import Index
from .metadata import normalise_committee
from .terms import content_terms
from .types import Chunk, Document, Place

WITHIN = timedelta(days=60)  # a committee's report reaches council within a few weeks
CLAUSE_OF = re.compile(r"\bclauses?\s+(\d{1,2})(?:\s*(?:to|-|–)\s*(\d{1,2}))?,?\s+"
                       r"(?:inclusive,?\s+)?of the\s+(?:\d+(?:st|nd|rd|th)\s+)?Report of the\s+"
                       r"([A-Z][\w&'’-]*(?:\s+(?:[A-Z][\w&'’-]*|and|of|the))*?\s+Committee)")

MEETING_OF = re.compile(r"\b(?:recommendations?|reports?|minutes|decisions?|resolutions?)\s+"
                        r"(?:arising\s+)?(?:of|from)\s+(?:the\s+)?"
                        r"((?:[A-Z][\w&'’-]*(?:\s+(?:[A-Z][\w&'’-]*|and|of|the))*?\s+)?"
                        r"(?:Committee|Cabinet|Board|Panel|Sub-Committee))\b(.{0,60})")


def meetings_named(text: str) -> list[tuple[str, date]]:
    """(committee, meeting date) for every committee meeting whose recommendations, report
    or minutes the text takes ("the recommendations of the Cabinet held on 12 March 2024")."""
    found = []
    for match in MEETING_OF.finditer(" ".join(text.split())):
        dates = find_dates(match[2])
        if dates:
            found.append((normalise_committee(match[1]), dates[0][0]))
    return found


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
        places = [place for committee, clause in clauses_named(chunk.text)
                  for place in committee_items(index, doc, committee, clause, unlocked)]
        places += [place for committee, when in meetings_named(chunk.text)
                   for place in meeting_items(index, chunk, committee, when, unlocked)]
    else:
        places = council_items(index, doc, chunk, unlocked)
    return tuple({(p.doc.doc_id, p.chunk.chunk_id): p for p in places}.values())  # once each


def committee_items(index: Index, council: Document, committee: str, clause: int,
                    unlocked: bool) -> list[Place]:
    """Item `clause` of the committee's latest minutes before the council meeting."""
    earlier = [d for d in index.committee_papers(committee, unlocked) if d.date
               and council.date - WITHIN <= d.date <= council.date]
    for doc in sorted(earlier, key=lambda d: d.date, reverse=True)[:1]:
        return [Place(doc, c) for c in index.doc_chunks(doc.doc_id) if item_number(c) == clause][:1]
    return []


def council_items(index: Index, doc: Document, chunk: Chunk, unlocked: bool) -> list[Place]:
    """Council passages, in the weeks after, that deal with this committee passage's item:
    the first of each meeting naming its clause, then the first taking its meeting's
    recommendations on its matter (it is the passage of its meeting they match best)."""
    number = item_number(chunk)
    later = [d for d in index.committee_papers("Council", unlocked) if d.date
             and doc.date < d.date <= doc.date + WITHIN]
    by_clause, by_meeting = [], []
    for council in later:
        passages = index.doc_chunks(council.doc_id)  # read once for both kinds of reference
        by_clause += [Place(council, c) for c in passages
                      if number and (doc.committee, number) in clauses_named(c.text)][:1]
        by_meeting += [Place(council, c) for c in passages
                       if takes_meeting(index, c, doc, chunk, unlocked)][:1]
    return by_clause + by_meeting


def takes_meeting(index: Index, council: Chunk, doc: Document, chunk: Chunk,
                  unlocked: bool) -> bool:
    """Whether the council passage takes the recommendations of `doc`'s meeting on the matter
    of `chunk`."""
    return (doc.committee, doc.date) in meetings_named(council.text) and any(
        p.chunk.chunk_id == chunk.chunk_id
        for p in meeting_items(index, council, doc.committee, doc.date, unlocked))


def meeting_items(index: Index, council: Chunk, committee: str, when: date,
                  unlocked: bool) -> list[Place]:
    """The item of that committee meeting on the council passage's matter: the passage
    sharing most of its words (none when no passage shares any)."""
    words = set(content_terms(council.text))
    for doc in index.committee_papers(committee, unlocked):
        if doc.date == when:
            scored = [(len(words & set(content_terms(c.text))), c)
                      for c in index.doc_chunks(doc.doc_id)]
            best = max(scored, key=lambda pair: pair[0], default=(0, None))
            return [Place(doc, best[1])] if best[0] else []
    return []
