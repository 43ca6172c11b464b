"""Read a paper's metadata from the paper itself: committee, date, type, title, author, and
whether its cover marks it exempt. Works on ModernGov/CMIS covers, eScribe/Legistar headers
and YAML front matter alike; a field that cannot be read is left empty.
"""

from __future__ import annotations

import re
from datetime import date

from .dates import find_dates, first_date

HEAD_LINES = 25


AGENDA_ITEM = re.compile(r"^agenda item\s+(\d+[a-z]?)\b", re.IGNORECASE)


MINUTES_HEADING = re.compile(r"^(?!\d)(.{3,80}\b)minutes$", re.IGNORECASE)


COUNCIL_LINE = re.compile(r"^(london borough of|royal borough of|.{0,40}\b(council|borough)$)",
                          re.IGNORECASE)


REPORT_OF = re.compile(r"^(report of|report to|report author)\b", re.IGNORECASE)


COMMITTEE = re.compile(r"\b(committee|cabinet|council meeting|board|panel|sub-committee|"
                       r"commission|cepac)\b", re.IGNORECASE)


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


def read_doc_type(head: str, text: str = "", front: dict | None = None, name: str = "") -> str:
    """The paper's type from its heading lines, then its front matter and file name, then the
    marks minutes carry (who was present, motions, votes, resolutions)."""
    lines = [line.strip() for line in head.split("\n") if line.strip()][:12]
    lowered = " ".join(lines).lower()
    if any(MINUTES_HEADING.match(line) or MINUTES_OF.match(line) for line in lines):
        return "minutes"
    if re.search(r"\b(inspection of|inspection report|inspection dates?)\b", lowered) and \
            not re.search(r"\breport (of|to)\b", lowered):
        return "inspection report"
    if any(REPORT_OF.match(line) for line in lines):
        return "officer report"
    if any(line.lower() in ("agenda", "agenda pack") or line.lower().endswith(" agenda")
           for line in lines):
        return "agenda"
    named = " ".join([*(front or {}).values(), re.sub(r"[_\W]+", " ", name)]).lower()
    for kind in ("minutes", "agenda"):
        if re.search(rf"\b{kind}\b", named):
            return kind
    if len(MINUTE_MARKS.findall(text[:6000])) >= 2:
        return "minutes"
    return "document"


def read_title(head: str, doc_type: str, front: dict | None = None) -> str:
    if (front or {}).get("title"):
        return tidy_title(front["title"])
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
    """The committee's proper name: no ordinal or meeting number, "and" for "&"; a meeting of
    the council itself is "Council"."""
    name = tidy_title(name.strip(" :|"))
    name = re.sub(r"\s*&\s*", " and ", name)
    name = MEETING_OF.sub("", name).strip(" ,.-–")
    name = re.sub(r"\s+(held|meeting)\b.*$", "", name, flags=re.IGNORECASE)
    if COUNCIL_ITSELF.search(name) and not COMMITTEE.search(name):
        return "Council"
    return name[:1].upper() + name[1:]


def committee_from_front(front: dict) -> str:
    """The committee named by front matter ("committee", or a title naming one)."""
    for key in ("committee", "body", "title", "council_body"):
        value = front.get(key, "")
        if COMMITTEE.search(value) or COUNCIL_ITSELF.search(value):
            return normalise_committee(value)
    full = re.search(r"\bfull council\b", front.get("category", ""), re.IGNORECASE)
    return "Council" if full else ""


def council_body(text: str) -> str:
    """"Council" when the text speaks of the council as the body meeting (no committee)."""
    return "Council" if COUNCIL_MEETS.search(text) else ""


def front_date(front: dict) -> date | None:
    for key in ("meeting_date", "date"):
        try:
            return date.fromisoformat(front.get(key, "")[:10])
        except ValueError:
            continue
    return None


def name_date(name: str) -> date | None:
    """A date in the file name: 2012-02-01 or 20-06-10 (year first)."""
    match = re.search(r"(?<!\d)((?:19|20)?\d\d)[-_](\d\d)[-_](\d\d)(?!\d)", name)
    if not match:
        return None
    year = int(match[1]) + (2000 if len(match[1]) == 2 else 0)
    try:
        return date(year, int(match[2]), int(match[3]))
    except ValueError:
        return None


def cover_text(text: str) -> str:
    """The paper's cover or header: its lines before the first numbered item."""
    kept = []
    for line in text.split("\n")[:HEAD_LINES * 2]:
        if FIRST_ITEM.match(line.strip()):
            break
        kept.append(line)
    return "\n".join(kept)


MEETING_OF = re.compile(r"^(the\s+)?(minutes of (the )?(proceedings at )?(the )?|"
                        r"(\d+(st|nd|rd|th)|special|regular|ordinary|annual|extraordinary)\s+"
                        r"(meeting|session) of (the )?|meeting of (the )?)+", re.IGNORECASE)


COUNCIL_ITSELF = re.compile(r"\b(council|cyngor)\b", re.IGNORECASE)  # cyngor: Welsh


COUNCIL_MEETS = re.compile(
    r"\b(the (city |municipal |county )?council meets|(city|municipal|town|parish|community|county)"
    r" council (held|meeting|of the city)|meeting of [\w ]{0,40}council\b|full council|"
    r"\bcyngor\b|^[ \t]*(the[ \t]+)?((city|town|village|county|municipal|borough|district|"
    r"parish|community|full)[ \t]+)?council[ \t]*$)",  # Legistar's body line: "City Council"
    re.IGNORECASE | re.MULTILINE)


MINUTES_OF = re.compile(r"^minutes of\b", re.IGNORECASE)


MINUTE_MARKS = re.compile(r"^\s*(present|apologies)\b|\b(moved by|seconded by|proposed by|"
                          r"motion (passed|carried|lost|defeated)|and resolved|"
                          r"it was (proposed|agreed|resolved)|RESOLVED|"
                          r"BE (NOTED|RECEIVED|APPROVED|ADOPTED|REFERRED)|"
                          r"(was|were) (disclosed|noted|received|agreed|adopted))",
                          re.IGNORECASE | re.MULTILINE)


FIRST_ITEM = re.compile(r"^(\d{1,2}|[IVX]{1,4})[.)]\s+\S")


INSPECTORATES = {"ofsted": "Ofsted", "care quality commission": "Care Quality Commission",
                 "cqc": "Care Quality Commission", "hmi probation": "HM Inspectorate of Probation"}


INSPECTORATE = re.compile(r"\b(" + "|".join(INSPECTORATES) + r")\b", re.IGNORECASE)


MEETING_NUMBER = re.compile(
    r"\b(\d{1,3})(?:st|nd|rd|th)\s+(?:(regular|special|ordinary|extraordinary|annual|adjourned)\s+)?"
    r"(meeting|session)\b|\bmeeting\s+(?:no\.?|number)\s*(\d{1,3})\b|"
    r"\b(special|extraordinary|annual|adjourned)\s+(?:council\s+|general\s+)?meeting\b",
    re.IGNORECASE)


def read_meeting(head: str, front: dict | None = None) -> str:
    """The meeting's number or kind as the paper gives it ("3rd meeting", "meeting 12",
    "special meeting"), from front matter's title or the paper's head; empty when not given."""
    for text in ((front or {}).get("title", ""), head):
        if match := MEETING_NUMBER.search(text):
            if match[1]:
                kind = f"{match[2].lower()} " if match[2] else ""
                return f"{match[0].split()[0].lower()} {kind}{match[3].lower()}"
            return f"meeting {match[4]}" if match[4] else f"{match[5].lower()} meeting"
    return ""


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


def exempt_reasons(text: str) -> list[str]:
    """Why a paper looks exempt from publication (Schedule 12A and kin)."""
    head = text[:3000]  # the cover, where an exempt paper says so
    return [reason for reason, pattern in EXEMPT_MARKS.items() if pattern.search(head)]
