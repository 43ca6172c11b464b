"""The stored features of passages, as the ask path reads them: plain numpy arrays.

Ragged rows (a passage's terms, a sentence's terms, a match's words) are CSR: `indptr`
and `values`. rag/passage_features.py works them out from the text when a build is
written and saves them as .npy files in the build's passages/ folder (no pickle); load()
memory-maps them. PaperCodes are each paper's date, type and committee as numbers, for
the boosts, worked out when an index is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

import numpy as np

from .types import Document

ANSWER_KINDS = 3  # the patterns a sentence's answer is matched by (passage_features.ANSWERS)


@dataclass(frozen=True)
class Rows:
    """Ragged rows of ids: row i is values[indptr[i]:indptr[i + 1]]."""

    indptr: np.ndarray
    values: np.ndarray

    def row(self, i: int) -> np.ndarray:
        return np.asarray(self.values[self.indptr[i]: self.indptr[i + 1]])

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of `rows`, one after another, and which of `rows` each came from."""
        return spread(self.indptr, rows, self.values)

    def member(self, rows: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """(len(rows), len(wanted)): does row r hold id wanted[j]."""
        values, owner = self.gather(rows)
        out = np.zeros((len(rows), len(wanted)), dtype=bool)
        if len(wanted) and len(values):
            order = np.argsort(wanted, kind="stable")
            ordered = wanted[order]
            at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
            found = ordered[at] == values
            out[owner[found], order[at[found]]] = True
        return out


def spread(indptr: np.ndarray, rows: np.ndarray, values=None):
    """Positions (or values) of the items of `rows` of a CSR, and the row each came from."""
    rows = np.asarray(rows, dtype=np.int64)
    starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
    owner = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.cumsum(lengths) - lengths
    at = np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)
    return (at if values is None else np.asarray(values[at])), owner


@dataclass(frozen=True)
class PassageFeatures:
    """Per passage (by chunk id), per sentence and per paper (in the build's order)."""

    vocab: np.ndarray  # content terms (stemmed, as terms.content_terms), by id
    terms: Rows  # passage -> its term ids, sorted
    sentence_indptr: np.ndarray  # passage -> its sentences' rows
    spans: np.ndarray  # sentence -> (start, end) in its passage
    sentence_terms: Rows  # sentence -> its term ids
    answers: tuple[np.ndarray, ...]  # per ANSWERS pattern: sentence -> its matches (indptr)
    answer_words: tuple[Rows, ...]  # per ANSWERS pattern: match -> its plain word ids
    plain_vocab: np.ndarray  # plain words (terms.plain_words), by id
    roles: np.ndarray  # passage -> role bits (ROLE_NAMES)
    latest_year: np.ndarray  # passage -> the latest year it names (dates.latest_year), 0: none
    lengths: np.ndarray  # passage -> words (split on space) and characters, (n, 2)
    context: Rows  # paper -> the term ids of its context (chunking.paper_context)
    words: Rows  # passage -> its words (terms.words) as ids, in order
    word_vocab: np.ndarray

    @cached_property
    def term_index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.vocab.tolist())}

    @cached_property
    def plain_index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.plain_vocab.tolist())}

    @cached_property
    def word_index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.word_vocab.tolist())}

    def term_ids(self, terms: list[str]) -> np.ndarray:
        """Ids of `terms` (-1 for a term no passage nor paper holds)."""
        return np.array([self.term_index.get(t, -1) for t in terms], dtype=np.int64)

    def sentence_rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence rows of passages `ids` and the position in `ids` each belongs to."""
        return spread(self.sentence_indptr, ids)


@dataclass(frozen=True)
class PaperCodes:
    """Per paper (in the index's order): its date as an ordinal (-1: none), and its
    document type and committee as codes into `doc_types` and `committees`."""

    dates: np.ndarray
    doc_types: np.ndarray
    committees: np.ndarray
    type_names: dict[str, int]
    committee_names: dict[str, int]

    @classmethod
    def of(cls, docs: list[Document]) -> PaperCodes:
        types: dict[str, int] = {}
        committees: dict[str, int] = {}
        return cls(np.array([d.date.toordinal() if d.date else -1 for d in docs], np.int64),
                   np.array([types.setdefault(d.doc_type, len(types)) for d in docs], np.int64),
                   np.array([committees.setdefault(d.committee, len(committees))
                             for d in docs], np.int64), types, committees)


def flat(features: PassageFeatures) -> dict[str, np.ndarray]:
    out = {}
    for f in fields(features):
        value = getattr(features, f.name)
        parts = value if isinstance(value, tuple) else (value,)
        for i, part in enumerate(parts):
            key = f"{f.name}.{i}" if isinstance(value, tuple) else f.name
            if isinstance(part, Rows):
                out[f"{key}.indptr"], out[f"{key}.values"] = part.indptr, part.values
            else:
                out[key] = part
    return out


def load(folder: Path) -> PassageFeatures:
    """The features saved in `folder`, memory-mapped (as plain arrays: np.memmap's indexing
    costs Python calls on every lookup)."""
    def array(name: str) -> np.ndarray:
        path = folder / f"{name}.npy"
        if not path.exists():
            raise FileNotFoundError(2, "missing", str(path))
        return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))

    def rows(key: str) -> Rows:
        return Rows(array(f"{key}.indptr"), array(f"{key}.values"))

    n = ANSWER_KINDS
    return PassageFeatures(
        vocab=array("vocab"), terms=rows("terms"), sentence_indptr=array("sentence_indptr"),
        spans=array("spans"), sentence_terms=rows("sentence_terms"),
        answers=tuple(array(f"answers.{i}") for i in range(n)),
        answer_words=tuple(rows(f"answer_words.{i}") for i in range(n)),
        plain_vocab=array("plain_vocab"), roles=array("roles"),
        latest_year=array("latest_year"), lengths=array("lengths"),
        context=rows("context"), words=rows("words"), word_vocab=array("word_vocab"))
