"""The records that flow between pipeline stages: no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SourceFile:
    """A file as loaded: cleaned text with the offset where each page starts."""

    path: str
    name: str
    sha256: str
    text: str
    page_starts: tuple[tuple[int, int], ...] = ()  # (page number, char offset)
    notes: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages with no text layer, read from their image
    front_matter: tuple[tuple[str, str], ...] = ()  # YAML front matter: metadata, not text
    headings: tuple[int, ...] = ()  # offsets of lines marked up as headings


@dataclass(frozen=True)
class Document:
    """One paper: a whole file, or one component of an agenda pack."""

    doc_id: str
    source: str  # file name within the corpus
    title: str
    committee: str
    date: date | None  # the meeting (or publication) date the paper belongs to
    doc_type: str  # agenda | minutes | officer report | inspection report | document
    author: str
    agenda_item: str
    text: str
    start: int  # offset of this paper's text within the source file's cleaned text
    page_starts: tuple[tuple[int, int], ...] = ()  # offsets within this paper's text
    access: str = "public"
    access_reasons: tuple[str, ...] = ()
    acronyms: tuple[tuple[str, str], ...] = ()  # ("LSCB", "Local Safeguarding Children Board")
    ocr_pages: tuple[int, ...] = ()  # page numbers whose text was read by OCR
    headings: tuple[int, ...] = ()  # offsets of marked-up heading lines (used at ingest only)
    meeting: str = ""  # "3rd meeting", "special meeting": as the paper numbers its meeting

    def page_at(self, offset: int) -> int | None:
        page = None
        for number, start in self.page_starts:
            if start > offset:
                break
            page = number
        return page


@dataclass(frozen=True)
class Chunk:
    chunk_id: int
    doc_id: str
    text: str
    start: int  # offsets into the paper's cleaned text
    end: int
    page: int | None
    section: str
    paragraph: str


@dataclass(frozen=True)
class Vote:
    """A motion as minutes record it: mover, seconder, result and the roll call."""

    mover: str = ""
    seconder: str = ""
    result: str = ""  # "Motion passed", "Carried", ...
    count: str = ""  # "4 to 0"
    yeas: tuple[str, ...] = ()
    nays: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    recused: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A question and what was read from it."""

    text: str
    date_from: date | None = None
    date_to: date | None = None
    date_label: str = ""
    period_of_subject: bool = False  # "for 2013": what it is for; meetings before or after
    doc_types: tuple[str, ...] = ()
    committee: str = ""
    wants_latest: bool = False
    aliases: tuple[tuple[str, str], ...] = ()  # acronyms used: (the form used, the other)
    phrases: tuple[str, ...] = ()  # quoted in the question: every result holds each of them

    @property
    def expansions(self) -> tuple[str, ...]:
        """The form of each acronym the question does not use ("LSCB" for the words)."""
        return tuple(other for _, other in self.aliases)

    @property
    def search_text(self) -> str:
        return " ".join((self.text, *self.expansions))

    def reading(self) -> dict[str, str]:
        out = {}
        if self.date_label:
            out["date"] = (f"for {self.date_label} (papers before or after it too)"
                           if self.period_of_subject else self.date_label)
        if self.doc_types:
            out["doc_type"] = ", ".join(self.doc_types)
        if self.committee:
            out["committee"] = self.committee
        if self.wants_latest:
            out["order"] = "latest"
        if self.expansions:
            out["also searched"] = "; ".join(self.expansions)
        if self.phrases:
            out["exact phrase"] = ", ".join(f"“{p}”" for p in self.phrases) + " in every result"
        return out


@dataclass(frozen=True)
class Filters:
    """Hard filters set by the user (not read from the question)."""

    date_from: date | None = None
    date_to: date | None = None
    committees: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()

    def admit(self, doc: Document) -> bool:
        """Whether the paper passes every filter (one without a date fails a date filter)."""
        if self.date_from and (not doc.date or doc.date < self.date_from):
            return False
        if self.date_to and (not doc.date or doc.date > self.date_to):
            return False
        if self.committees and doc.committee not in self.committees:
            return False
        return not (self.doc_types and doc.doc_type not in self.doc_types)


@dataclass(frozen=True)
class Place:
    """Another paper where the same passage appears."""

    doc: Document
    chunk: Chunk


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    doc: Document
    score: float
    highlights: tuple[tuple[int, int], ...] = ()  # offsets within chunk.text
    also_in: tuple[Place, ...] = field(default_factory=tuple)
    also_at: tuple[Place, ...] = ()  # the same item at another meeting (rag/links.py)


@dataclass(frozen=True)
class Step:
    """One paper in a matter's timeline: its passage, and the decision it records, if any."""

    hit: Hit
    decision: Hit | None = None


DIRECT, RELATED, NOT_SAID = "direct answer", "related passages only", "the papers don't say"


@dataclass(frozen=True)
class Answer:
    query: Query
    hits: tuple[Hit, ...]
    abstain: bool
    confidence: float
    unmentioned: tuple[str, ...] = ()  # the question's words that no paper it searched uses

    @property
    def verdict(self) -> str:
        """In words: a direct answer; related passages only (none answers, though the papers
        use every word of the question); or the papers don't say (none answers, and some of
        the question's words appear in no paper)."""
        if self.hits and not self.abstain:
            return DIRECT
        return NOT_SAID if self.unmentioned or not self.hits else RELATED
