"""Read dates, document types and committees out of a question, without an LLM.

What is read becomes soft boosts in ranking (a misread never hides an answer) and is
shown to the user as the question's reading.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .dates import MONTH, MONTHS, find_dates
from .types import Query

YEAR = r"((?:19|20)\d\d)"
SPLIT_YEAR = re.compile(rf"\b{YEAR}\s*[/-]\s*(\d\d)\b(?![/-]\d)")
RANGE = re.compile(rf"\b(?:between|from)\s+{YEAR}\s+(?:and|to|until|-|–)\s+{YEAR}\b", re.IGNORECASE)
SINCE = re.compile(rf"\b(since|after|from)\s+{YEAR}\b", re.IGNORECASE)
# "after the January and February 2016 inspection": papers from that period on report on it
AFTER_EVENT = re.compile(rf"\b(?:after|since|following)\s+(?:the|its|their|our)\s+"
                         rf"(?:[\w&'’-]+\s+){{0,3}}?(?P<when>(?:{MONTH}\s+)?{YEAR})\b",
                         re.IGNORECASE)
# "Has it come to the committee before the November 2016 report?": a yes-or-no question on
# whether a matter came up asks about the papers before that date ("when was it last
# inspected before the 2020 report" asks for an event's date, which any paper may give)
BEFORE_EVENT = re.compile(rf"^\s*(?:has|had|have|did)\b.*?\b(?:before|prior to|ahead of)\s+"
                          rf"(?:the|its|their|our)\s+(?:[\w&'’-]+\s+){{0,3}}?"
                          rf"(?P<when>(?:{MONTH}\s+)?{YEAR})\b", re.IGNORECASE)
BEFORE = re.compile(rf"\b(before|until|prior to)\s+{YEAR}\b", re.IGNORECASE)
SEASON = re.compile(rf"\b(early|mid|late|spring|summer|autumn|winter)[\s-]+{YEAR}\b", re.IGNORECASE)
MONTH_YEAR = re.compile(rf"\b{MONTH}\s+{YEAR}\b", re.IGNORECASE)
PLAIN_YEAR = re.compile(rf"\b{YEAR}\b")
# "vice chair for 2013", "the audit for 2019-20": the period the matter is for, which meetings
# before it (budgets, appointments) or after it (audits, annual reports) deal with.
FOR_PERIOD = re.compile(rf"\bfor\s+(?:the\s+)?(?:(?:financial|municipal|calendar|school|"
                        rf"academic)\s+)?(?:(?:year|term|period)\s+(?:of\s+|ending\s+)?)?"
                        rf"{YEAR}\b", re.IGNORECASE)
SUBJECT_MARGIN = timedelta(days=183)
LATEST = re.compile(r"\b(latest|most recent|newest|current|last (?:update|report|meeting|"
                    r"inspection))\b", re.IGNORECASE)
LAST_YEAR = re.compile(r"\b(last|this|previous) year\b", re.IGNORECASE)
PREVIOUS_MEETING = re.compile(r"\b(previous|last) meeting\b", re.IGNORECASE)
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?!\w)|"
                       rf"\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
BARE_MONTH = re.compile(rf"\b(?:in|at|during|for|from|of)\s+(?:the\s+)?{MONTH}(?!\w)",
                        re.IGNORECASE)
SEASONS = {"early": (1, 4), "spring": (3, 5), "mid": (5, 8), "summer": (6, 8),
           "late": (9, 12), "autumn": (9, 11), "winter": (11, 12)}
QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
DOC_TYPES = [
    ("minutes", re.compile(r"\bminutes\b", re.IGNORECASE)),
    ("agenda", re.compile(r"\bagenda\b(?! item)", re.IGNORECASE)),
    ("inspection report", re.compile(r"\binspection report\b|\bofsted report\b", re.IGNORECASE)),
]


def read_aliases(text: str, acronyms: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The acronyms a question uses, as (the form it uses, the other form), so "MASH" also
    finds the words, "Local Safeguarding Children Board" the papers' "LSCB", and "b&bs" "bed
    and breakfast"."""
    words = set(re.findall(r"[\w&]+", text))
    words |= {w.upper().removesuffix("S") for w in words if "&" in w}
    spaced = " " + " ".join(re.findall(r"[\w&'’-]+", text.lower())) + " "
    used = []
    for short, long in acronyms.items():
        if short in words:
            used.append((short, long))
        elif f" {long.lower()} " in spaced:
            used.append((long, short))
    return tuple(used)


def read_question(text: str, paper_dates: list[date] = (), committees: list[str] = (),
                  acronyms: dict[str, str] | None = None) -> Query:
    """How the question is read: dates and ranges, document types, committee, acronyms.
    `paper_dates` are the papers' dates in order, as Index.reading_context holds them."""
    date_from, date_to, label = read_dates(text, paper_dates)
    latest = bool(LATEST.search(text)) and not label
    named = FOR_PERIOD.search(text)
    subject = bool(named and date_from and date_to and date_from.year <= int(named[1])
                   <= date_to.year)
    if subject:  # meetings up to half a year either side deal with it
        date_from, date_to = date_from - SUBJECT_MARGIN, date_to + SUBJECT_MARGIN
    doc_types = tuple(kind for kind, pattern in DOC_TYPES if pattern.search(text))
    return Query(text=text, date_from=date_from, date_to=date_to, date_label=label,
                 period_of_subject=subject, doc_types=doc_types,
                 committee=read_committee(text, committees),
                 wants_latest=latest, aliases=read_aliases(text, acronyms or {}),
                 phrases=read_phrases(text))


def read_phrases(text: str) -> tuple[str, ...]:
    """The phrases quoted in the question ("free school meals"), each of which a result must
    hold; a quote with no word in it is ignored."""
    found = (" ".join((a or b).split()) for a, b in QUOTED.findall(text))
    return tuple(dict.fromkeys(p for p in found if re.search(r"\w", p)))


def read_dates(text: str, paper_dates: list[date]) -> tuple[date | None, date | None, str]:
    for found, _, _ in find_dates(text):
        return found, found, f"{found.day} {found:%B %Y}"
    if match := RANGE.search(text):
        first, last = sorted((int(match[1]), int(match[2])))
        return date(first, 1, 1), date(last, 12, 31), f"{first}–{last}"
    if match := AFTER_EVENT.search(text):
        start, _, label = read_dates(match["when"], paper_dates)
        return start, None, f"since {label}"
    if match := BEFORE_EVENT.search(text):
        start, _, label = read_dates(match["when"], paper_dates)
        return None, start - timedelta(days=1), f"before {label}"
    if match := SPLIT_YEAR.search(text):
        first = int(match[1])
        if int(match[2]) == (first + 1) % 100:  # a municipal or academic year, e.g. 2015/16
            return date(first, 4, 1), date(first + 1, 12, 31), f"{first}/{match[2]}"
    if match := SINCE.search(text):
        year = int(match[2]) + (match[1].lower() == "after")
        return date(year, 1, 1), None, f"since {year}"
    if match := BEFORE.search(text):
        year = int(match[2]) - 1
        return None, date(year, 12, 31), f"before {year + 1}"
    if match := MONTH_YEAR.search(text):
        year, month = int(match[2]), MONTHS[match[1].lower().rstrip(".")]
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last), f"{match[1].title()} {year}"
    if match := SEASON.search(text):
        first, last = SEASONS[match[1].lower()]
        year = int(match[2])
        end = date(year, last, calendar.monthrange(year, last)[1])
        return date(year, first, 1), end, f"{match[1].lower()} {year}"
    if match := PLAIN_YEAR.search(text):
        year = int(match[1])
        return date(year, 1, 1), date(year, 12, 31), str(year)
    return read_partial(text, paper_dates) or read_relative(text, paper_dates)


def read_partial(text: str, paper_dates: list[date]) -> tuple[date, date, str] | None:
    """A day and month, or a month, with no year ("April 1", "1st of April", "in January",
    "the April council meeting"): the most recent one the papers hold."""
    if match := DAY_MONTH.search(text):
        day = int(match[1] or match[4])
        month = MONTHS[(match[2] or match[3]).lower().rstrip(".")]
        held = [d for d in paper_dates if (d.month, d.day) == (month, day)]
        if held:
            return held[-1], held[-1], f"{day} {held[-1]:%B %Y} (the most recent in the papers)"
    for match in BARE_MONTH.finditer(text):
        name = match[1]
        if name.lower() == "may" and not name[0].isupper():
            continue  # "in may" is a verb more often than a month
        month = MONTHS[name.lower().rstrip(".")]
        held = [d for d in paper_dates if d.month == month]
        if held:
            year = held[-1].year
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last), \
                f"{held[-1]:%B %Y} (the most recent {held[-1]:%B} in the papers)"
    return None


def read_relative(text: str, paper_dates: list[date]) -> tuple[date | None, date | None, str]:
    """'last year', 'the previous meeting': resolved against the papers' own dates."""
    if not paper_dates:
        return None, None, ""
    newest = paper_dates[-1]
    if match := LAST_YEAR.search(text):
        year = newest.year - (match[1].lower() != "this")
        return date(year, 1, 1), date(year, 12, 31), f"{match[0].lower()} ({year})"
    if PREVIOUS_MEETING.search(text):
        earlier = [d for d in paper_dates if d < newest]
        if earlier:
            meeting = earlier[-1]
            return meeting - timedelta(days=1), meeting + timedelta(days=1), \
                f"previous meeting ({meeting.day} {meeting:%B %Y})"
    return None, None, ""


def read_committee(text: str, committees: list[str]) -> str:
    """A committee named in the question (by its distinctive words)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    common = {"committee", "and", "the", "of", "policy", "accountability", "sub", "board"}
    best, best_share = "", 0.0
    for name in committees:
        own = set(re.findall(r"[a-z]+", name.lower())) - common
        share = len(own & words) / len(own) if own else 0
        if share > best_share and share >= 0.6:
            best, best_share = name, share
    return best
