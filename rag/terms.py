"""Words: how text becomes the terms that BM25 indexes and the reranker weighs.

One splitter, one stopword list and one stemmer serve both, so every term the reranker
counts is spelled as the index spells it. Paper-reading patterns that several stages
share (the roles a passage plays, the acronyms a paper defines) live here too.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .votes import Records

SPLIT = re.compile(r"(?u)\b\w\w+\b")  # words of two or more letters or digits, as bm25s splits
BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|\n")  # where a sentence may end
ABBREVIATIONS = frozenset("""cllr cllrs mr mrs ms dr st prof rev hon sr jr cf e.g eg i.e ie
viz approx para paras ref fig vol nr tel ext""".split())
# Paragraph numbering ("10", "10.7"), shared by chunking's labels and the sentence splitter.
MONTHS = ("January February March April May June July August September October November "
          "December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()
# What follows a number that is a date or a time, not a paragraph: "14 March", "7.00 pm"
NOT_A_PARAGRAPH = (r"(?!(?:" + "|".join(MONTHS + [m.upper() for m in MONTHS])
                   + r")\b|(?i:a\.?m\b|p\.?m\b|noon\b|hrs\b|hours\b|o['’]clock))")
NUMBER = r"\d{1,2}(?:\.(?!0\d)\d{1,2}){0,3}"  # "10", "10.7"; never a time's minutes "7.00"
NUMBERED_START = re.compile(r"\d{1,2}(?:\.\d{1,2}){0,3}")  # "10" or "10.7" before a full stop
LEADING_NUMBER = re.compile(rf"{NUMBER}\.?\s+{NOT_A_PARAGRAPH}(?=[A-Z(“‘\"'])")  # "10.7 It"
# bm25s's English stopwords (bm25s.stopwords.STOPWORDS_EN, checked by a test), written out:
# importing bm25s pulls in scipy, 0.2-0.3 s that held back ingest's first embedding
INDEX_STOPWORDS = frozenset("""a an and are as at be but by for if in into is it no not of on or
such that the their then there these they this to was will with""".split())
QUESTION_WORDS = frozenset("""what which who whom whose when where why how did do does has
have had this that these those its their there our we you they he she me my any can could
would should will shall not no into than then so if but over under up out more most per
according tell say said mention mentioned describe explain list give find show know
please before ever previously
from about above after again against all am been being below between both during each few
further here just off once only other own same some too very were while also going go goes
went gone""".split())  # words that shape a question, not its subject (with function words)
# Words of conversation, not of a subject: never named as words the papers lack ("none of
# the papers mentions “happened”" says nothing).
CHATTER = frozenset("""happen happens happened happening anything something everything nothing
got get gets getting because didn doesn isn wasn aren weren hasn haven idea thing things
stuff lot lots kind sort way ways wrote written latest moment""".split())
ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)$")

# Roles a passage plays in a committee paper, read from its section heading or its words.
ROLES = {
    "recommendations": re.compile(r"\b(recommendations?|areas? for (improvement|development)|"
                                  r"needing improvements?|needs? to improve|"
                                  r"should take the following action|is asked to|next steps|"
                                  r"we recommend)\b", re.IGNORECASE),
    "decisions": re.compile(r"\b(RESOLVED|agreed|ACTION:|decided|approved)"),
    # "Report of the Executive Director" opens a line or heading ("Update › Report of ...");
    # "Annual Report of the Board" is a title
    "authorship": re.compile(r"(?:^|›)[ \t]*report of\b|\b(report author|prepared by|reporting "
                             r"inspector|written by)|\(chair\)", re.IGNORECASE | re.MULTILINE),
    "schedule": re.compile(r"\b(next meeting|date of next meeting|will be held on)\b",
                           re.IGNORECASE),
    "votes": Records,  # a mover, seconder, result or roll call, as rag/votes.py reads them
}


@lru_cache(maxsize=1)
def stemmer():
    """The English Snowball stemmer (PyStemmer), shared by the index and the reranker."""
    import Stemmer

    return Stemmer.Stemmer("english")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, surrounding space left out. A line break ends
    one; a full stop does not where it belongs to a decimal ("3.2"), a paragraph number at a
    line's start ("10.7", "10."), an abbreviation ("Cllr.", "No. 5", "e.g.") or an initial
    ("J. Smith"), nor where the next word starts in lower case. A paragraph number opening
    a line is left out of its sentence."""
    spans, start = [], 0
    for match in BOUNDARY.finditer(text):
        if match.group() == "\n" or ends_sentence(text, match.start(), match.end()):
            _add_span(spans, text, start, match.end())
            start = match.end()
    _add_span(spans, text, start, len(text))
    return spans


def ends_sentence(text: str, stop: int, after: int) -> bool:
    """Whether the punctuation at text[stop:after] ends a sentence."""
    if text[stop] != "." or after - stop > 1 and text[stop:after].count(".") > 1:
        return True  # "!", "?", an ellipsis
    token = re.search(r"[\w.]*$", text[max(0, stop - 30): stop]).group()
    following = text[after:].lstrip(" \t\u00a0")[:1]
    if following.islower() or token.lower() in ABBREVIATIONS:
        return False
    if token.lower() in ("no", "nos") and following.isdigit():
        return False
    if len(token) == 1 and token.isupper():  # an initial: "J. Smith"
        return False
    line = text[text.rfind("\n", 0, stop) + 1: stop].strip()
    return not NUMBERED_START.fullmatch(line)


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Add text[start:end] without its surrounding space, nor the paragraph number that
    opens its line ("10.7 "): a label, not part of the sentence."""
    piece = text[start:end]
    left, right = start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())
    if not text[text.rfind("\n", 0, left) + 1: left].strip():
        number = LEADING_NUMBER.match(text, left, right)
        left = number.end() if number and number.end() < right else left
    if left < right:
        spans.append((left, right))


def words(text: str) -> list[str]:
    return SPLIT.findall(text.lower())


def index_terms(text: str) -> list[str]:
    """The stemmed terms BM25 indexes for `text` (its stopwords dropped)."""
    return stemmer().stemWords([w for w in words(text) if w not in INDEX_STOPWORDS])


def subject_words(text: str) -> list[str]:
    """The words that carry meaning in a question, unstemmed: stopwords and question words
    dropped."""
    return [w for w in words(text) if w not in INDEX_STOPWORDS and w not in QUESTION_WORDS]


def content_terms(text: str) -> list[str]:
    """The index terms that carry meaning in a question (subject_words, stemmed)."""
    return stemmer().stemWords(subject_words(text))


def plain_words(text: str) -> list[str]:
    """Lower-case words with ordinal endings dropped, so "21st" and "21" are one."""
    return [ORDINAL.sub("", w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def bm25_tokenizer():
    """bm25s's Tokenizer with this module's splitter, stopwords and stemmer."""
    from bm25s.tokenization import Tokenizer

    return Tokenizer(splitter=SPLIT.findall, stopwords=list(INDEX_STOPWORDS),
                     stemmer=stemmer())


ACRONYM = re.compile(r"\(([A-Z][A-Za-z&]{1,9})\)")
LINKING = {"of", "and", "for", "the", "in", "on", "to", "&"}


PAIRED_WORD = r"([A-Za-z][a-z]{2,}|[A-Z]{2,})"
PAIRED = re.compile(rf"\b{PAIRED_WORD}\s+(?:and|&)\s+{PAIRED_WORD}\b")


def find_initialisms(text: str, least: int = 2) -> dict[str, str]:
    """Initialisms of the paired words a paper uses at least `least` times: "Hammersmith &
    Fulham" -> H&F, "bed and breakfast" -> B&B (the most used pair for each)."""
    pairs = ((a.lower(), b.lower()) for a, b in PAIRED.findall(text))
    counts = Counter(pair for pair in pairs if not INDEX_STOPWORDS.intersection(pair))
    found: dict[str, str] = {}
    for (first, second), count in counts.most_common():
        if count < least:
            break
        found.setdefault(f"{first[0]}&{second[0]}".upper(), f"{first} and {second}")
    return found


def find_acronyms(text: str) -> dict[str, str]:
    """Acronyms a paper defines, "Local Safeguarding Children Board (LSCB)": LSCB -> words."""
    found = {}
    for match in ACRONYM.finditer(text):
        letters = [c for c in match[1] if c.isupper()]
        before = re.findall(r"[\w'’&-]+", text[max(0, match.start() - 160): match.start()])
        taken: list[str] = []
        for word in reversed(before):
            if len([w for w in taken if w.lower() not in LINKING]) == len(letters):
                break
            taken.insert(0, word)
        capitals = [w[0].upper() for w in taken if w.lower() not in LINKING]
        if taken and capitals == letters and taken[0].lower() not in LINKING:
            found[match[1]] = " ".join(taken)
    return found
