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


# A year as a passage names it: "2009", "2011/12", "2011-2012"; not a reference number
# ("2023-2781"), a phone number ("020 8753 2000") or the year of a statute ("Act 1989").
NAMED_YEAR = re.compile(r"(?<![\w/.,£$-])(?<!\d )((?:19|20)\d\d)(?:\s?[/–-]\s?(\d{2,4}))?"
                        r"(?![\w/-])")
STATUTE = re.compile(r"\b(acts?|regulations|order|rules|measure|bill)\s*$", re.IGNORECASE)


def latest_year(text: str) -> int:
    """The latest year the text names (0: none); a range counts by its end."""
    latest = 0
    for match in NAMED_YEAR.finditer(text):
        year, end = int(match[1]), match[2]
        if STATUTE.search(text, max(0, match.start() - 14), match.start()):
            continue
        if end:  # "2011/12" or "2011-2012" ends a year or more later; else a reference
            end_year = int(end) + (year // 100 * 100 if len(end) == 2 else 0)
            if not 0 < end_year - year <= 5:
                continue
            year = end_year
        latest = max(latest, year)
    return latest
