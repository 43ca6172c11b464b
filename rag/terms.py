"""Words: how text becomes the terms that BM25 indexes and the reranker weighs.

One splitter, one stopword list and one stemmer serve both, so every term the reranker
counts is spelled as the index spells it. Paper-reading patterns that several stages
share (the roles a passage plays, the acronyms a paper defines) live here too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN

SPLIT = re.compile(r"(?u)\b\w\w+\b")  # words of two or more letters or digits, as bm25s splits
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
INDEX_STOPWORDS = frozenset(STOPWORDS_EN)
QUESTION_WORDS = frozenset("""what which who whom whose when where why how did do does has
have had this that these those its their there our we you they he she me my any can could
would should will shall not no into than then so if but over under up out more most per
according tell say said mention mentioned describe explain list give find show know
please""".split())  # words that shape a question but say nothing of its subject
ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)$")

# Roles a passage plays in a committee paper, read from its section heading or its words.
ROLES = {
    "recommendations": re.compile(r"\b(recommendations?|areas? for (improvement|development)|"
                                  r"needing improvements?|needs? to improve|"
                                  r"should take the following action|is asked to|next steps|"
                                  r"we recommend)\b", re.IGNORECASE),
    "decisions": re.compile(r"\b(RESOLVED|agreed|ACTION:|decided|approved)"),
    "authorship": re.compile(r"\b(report of|report author|prepared by|reporting inspector|"
                             r"written by)|\(chair\)", re.IGNORECASE),
    "schedule": re.compile(r"\b(next meeting|date of next meeting|will be held on)\b",
                           re.IGNORECASE),
}


@lru_cache(maxsize=1)
def stemmer():
    """The English Snowball stemmer (PyStemmer), shared by the index and the reranker."""
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return SPLIT.findall(text.lower())


def index_terms(text: str) -> list[str]:
    """The stemmed terms BM25 indexes for `text` (its stopwords dropped)."""
    return stemmer().stemWords([w for w in words(text) if w not in INDEX_STOPWORDS])


def content_terms(text: str) -> list[str]:
    """The index terms that carry meaning in a question: question words dropped too."""
    return stemmer().stemWords([w for w in words(text)
                                if w not in INDEX_STOPWORDS and w not in QUESTION_WORDS])


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
