"""What the ask path needs of each passage, worked out once when a build is written.

The reranker weighs a passage's stemmed terms, its sentences' terms, whether a sentence
holds a number, a date or a name (and that match's plain words, so "the question does
not already say it" stays exact), the roles it plays, the latest year it names and its
length; highlighting reads the sentences' offsets and terms; the near-duplicate check
reads the passage's words as ids. They are saved as plain numpy arrays
(rag/passage_arrays.py, no pickle) in the build's passages/ folder, so the ask path looks
passages up instead of splitting and stemming them per question.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from pathlib import Path

import numpy as np

from .chunking import paper_context
from .columns import Column, Offsets, Ragged
from .dates import latest_year
from .passage_arrays import PassageFeatures, flat
from .terms import (
    INDEX_STOPWORDS,
    QUESTION_WORDS,
    ROLES,
    SPLIT,
    content_terms,
    plain_words,
    sentences,
    stemmer,
)
from .types import Chunk, Document

NUMBER = re.compile(r"\b\d[\d,.]*%?|\b(one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"eleven|twelve|twenty|hundred|thousand|half|quarter)\b", re.IGNORECASE)
DATE = re.compile(r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|"
                  r"september|october|november|december)\b", re.IGNORECASE)
NAME = re.compile(  # a person or an organisation: "Jean Daintith", "CT Plus", "Stephen Hart HMI"
    r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'’][A-Z]?[a-z]+)?"
    r"(?: (?:[A-Z]\. )?(?:[A-Z][a-z]+|[A-Z]{2,})(?:[-'’][A-Z]?[a-z]+)?)+\b")
ANSWERS = (NUMBER, DATE, NAME)  # what a sentence may hold that a question asks for
ROLE_NAMES = tuple(ROLES)  # role r: bit 2r when the section plays it, 2r+1 when the text does
WORD_CHAR = re.compile(r"\w")


class Builder:
    """Collects the features passage by passage, then as arrays; given a folder, the arrays
    are written there as .npy files as they fill (rag/columns.py)."""

    def __init__(self, folder: Path | None = None):
        def path(name: str) -> Path | None:
            return folder / f"{name}.npy" if folder else None

        self.vocab: dict[str, int] = {}
        self.plain: dict[str, int] = {}
        self.word: dict[str, int] = {}
        self.term_of: list[int] = []  # a word id -> its term id, -1 if it is no term
        self.terms, self.sentence_terms, self.context, self.words = (
            Ragged(name, folder) for name in ("terms", "sentence_terms", "context", "words"))
        self.sentences = Offsets(path("sentence_indptr"))
        self.spans = Column(np.int32, path("spans"), width=2)
        self.lengths = Column(np.int32, path("lengths"), width=2)
        self.roles = Column(np.uint16, path("roles"))
        self.latest_year = Column(np.int16, path("latest_year"))
        # per ANSWERS pattern: where each sentence's matches end, and each match's plain words
        self.answers = [(Offsets(path(f"answers.{i}")), Ragged(f"answer_words.{i}", folder))
                        for i in range(len(ANSWERS))]
        self.section_roles: dict[str, int] = {}

    def ids(self, table: dict[str, int], items) -> list[int]:
        return [table.setdefault(item, len(table)) for item in items]

    def word_ids(self, tokens: list[str]) -> list[int]:
        """Ids of the words, each new one given its term id (-1: a word that is no term)."""
        table, out = self.word, []
        for word in tokens:
            at = table.get(word)
            if at is None:
                at = table[word] = len(table)
                keep = word not in INDEX_STOPWORDS and word not in QUESTION_WORDS
                self.term_of.append(self.ids(self.vocab, [stemmer().stemWord(word)])[0]
                                    if keep else -1)
            out.append(at)
        return out

    def add(self, chunk: Chunk) -> None:
        text = chunk.text
        lowered = text.lower()
        found = list(SPLIT.finditer(lowered))
        words = self.word_ids([m.group() for m in found])
        self.words.append(words)
        term_of = self.term_of
        terms = [term_of[w] for w in words]
        self.terms.append(sorted({t for t in terms if t >= 0}))
        spans = sentences(text)
        self.sentences.add(len(spans))
        aligned = len(lowered) == len(text) and "Σ" not in text  # lower() char by char
        starts = [m.start() for m in found]
        for start, end in spans:
            self.spans.extend((start, end))
            if aligned and not crosses(lowered, start) and not crosses(lowered, end):
                first, last = bisect_left(starts, start), bisect_left(starts, end)
                held = {t for t in terms[first:last] if t >= 0}
            else:
                held = set(self.ids(self.vocab, content_terms(text[start:end])))
            self.sentence_terms.append(sorted(held))
        self.add_answers(text, spans)
        self.roles.append(self.role_bits(chunk))
        self.latest_year.append(latest_year(text))
        self.lengths.extend((len(text.split()), len(text)))

    def add_answers(self, text: str, spans: list[tuple[int, int]]) -> None:
        """Each sentence's matches of each ANSWERS pattern, as matching the sentence alone
        finds them: matched once over the passage when every sentence edge has a non-word
        character beside it (so \\b reads the same) and no match runs across an edge."""
        clean = all(not (s and WORD_CHAR.match(text, s - 1)) and not WORD_CHAR.match(text, e)
                    for s, e in spans)
        for (per_sentence, matches), pattern in zip(self.answers, ANSWERS):
            shared = share_out(pattern, text, spans) if clean else None
            if shared is None:
                shared = [[m.group() for m in pattern.finditer(text[s:e])] for s, e in spans]
            for found in shared:
                per_sentence.add(len(found))
                for match in found:
                    matches.append(sorted(set(self.ids(self.plain, plain_words(match)))))

    def role_bits(self, chunk: Chunk) -> int:
        section, text = chunk.section, chunk.text
        if section not in self.section_roles:
            self.section_roles[section] = sum(1 << 2 * r for r, role in enumerate(ROLE_NAMES)
                                              if ROLES[role].search(section))
        return self.section_roles[section] | sum(1 << 2 * r + 1 for r, role in
                                                 enumerate(ROLE_NAMES) if ROLES[role].search(text))

    def add_paper(self, doc: Document) -> None:
        self.context.append(sorted(set(self.ids(self.vocab, content_terms(paper_context(doc))))))

    def finish(self) -> PassageFeatures:
        return PassageFeatures(
            vocab=strings(self.vocab), terms=self.terms.rows(),
            sentence_indptr=self.sentences.array(), spans=self.spans.array(),
            sentence_terms=self.sentence_terms.rows(),
            answers=tuple(ends.array() for ends, _ in self.answers),
            answer_words=tuple(words.rows() for _, words in self.answers),
            plain_vocab=strings(self.plain), roles=self.roles.array(),
            latest_year=self.latest_year.array(),
            lengths=self.lengths.array(), context=self.context.rows(),
            words=self.words.rows(), word_vocab=strings(self.word))


def share_out(pattern: re.Pattern, text: str,
              spans: list[tuple[int, int]]) -> list[list[str]] | None:
    """The pattern's matches in `text`, per span (those between spans dropped); None when
    one runs across a span's edge."""
    starts = [s for s, _ in spans]
    out: list[list[str]] = [[] for _ in spans]
    for match in pattern.finditer(text):
        a, b = match.span()
        i = bisect_right(starts, a) - 1
        if i >= 0 and b <= spans[i][1]:
            out[i].append(match.group())
        elif i >= 0 and a < spans[i][1] or i + 1 < len(spans) and starts[i + 1] < b:
            return None
    return out


def crosses(text: str, at: int) -> bool:
    """Whether a word runs across position `at` (its halves would split differently)."""
    return 0 < at < len(text) and bool(WORD_CHAR.match(text, at - 1)) and \
        bool(WORD_CHAR.match(text, at))


def strings(table: dict[str, int]) -> np.ndarray:
    return np.array(list(table), dtype=str) if table else np.zeros(0, dtype="<U1")


def compute(docs: list[Document], chunks: list[Chunk],
            folder: Path | None = None) -> PassageFeatures:
    """The features of `chunks` (chunk i at row i) and of their papers (in `docs` order),
    written into `folder` as they are worked out when one is given."""
    builder = Builder(folder)
    for chunk in chunks:
        builder.add(chunk)
    for doc in docs:
        builder.add_paper(doc)
    return builder.finish()


def write(folder: Path, docs: list[Document], chunks: list[Chunk]) -> None:
    """Compute the features and save them as .npy files in `folder`."""
    folder.mkdir()
    for name, array in flat(compute(docs, chunks, folder)).items():
        if not (folder / f"{name}.npy").exists():  # the vocabularies, kept in memory
            np.save(folder / f"{name}.npy", array, allow_pickle=False)
