"""Finding and parsing the dates written in papers and questions."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|" \
        r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
ORDINAL = r"(?:st|nd|rd|th|™)?"  # ™: a superscript "th" as OCR reads it
DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}}){ORDINAL}(?:\s*[–-]\s*\d{{1,2}}{ORDINAL})?\s+{MONTH},?\s+((?:19|20)\d\d)\b",
    re.IGNORECASE)
MONTH_DAY_YEAR = re.compile(rf"\b{MONTH}\s+(\d{{1,2}}){ORDINAL},?\s+((?:19|20)\d\d)\b",
                            re.IGNORECASE)
NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)\b")


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Full dates (day, month, year) in text, in order, with their spans."""
    found = []
    for match in DAY_MONTH_YEAR.finditer(text):
        found.append((match.start(), match.end(), int(match[1]), MONTHS[match[2].lower()],
                      int(match[3])))
    for match in MONTH_DAY_YEAR.finditer(text):
        found.append((match.start(), match.end(), int(match[2]), MONTHS[match[1].lower()],
                      int(match[3])))
    for match in NUMERIC.finditer(text):  # UK order: day/month/year
        found.append((match.start(), match.end(), int(match[1]), int(match[2]), int(match[3])))
    out = []
    for start, end, day, month, year in sorted(found):
        try:
            out.append((date(year, month, day), start, end))
        except ValueError:
            continue
    return out


def first_date(text: str) -> date | None:
    dates = find_dates(text)
    return dates[0][0] if dates else None
