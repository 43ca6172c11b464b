"""Synthetic council papers for `rag bench`: runs of the corpus's own sentences, embedded with
a cheap deterministic stand-in (a sum of seeded random word vectors), since search cost does
not depend on where the vectors came from. Papers, passages and indexed texts are sequences
made on demand, so a million never sit in memory.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from rag import config
from rag.types import Chunk, Document

CHUNKS_PER_DOC = 64  # about the bundled corpus's 773 chunks over 12 papers
COMMITTEES = ("Children and Education Policy and Accountability Committee", "Cabinet",
              "Health and Wellbeing Board", "Planning Applications Committee")
DOC_TYPES = ("officer report", "minutes", "agenda", "inspection report")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
WORD = re.compile(r"[a-z0-9]+")


class StandInEncoder:
    """Deterministic bag of seeded random word vectors: cheap, and similar texts agree."""

    backend = "stand-in"

    def __init__(self, dimension: int = 384):
        self.name, self.dimension = config.model_identity(config.model_path())
        self.dimension = dimension
        self.max_tokens = 256
        self.table: dict[str, np.ndarray] = {}

    def word(self, word: str) -> np.ndarray:
        if word not in self.table:
            rng = np.random.default_rng(zlib.crc32(word.encode()))
            self.table[word] = rng.standard_normal(self.dimension).astype(np.float32)
        return self.table[word]

    def embed(self, texts: list[str], batch_size: int = 0) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                out[row] += self.word(word)
        return normalise(out)


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)


def corpus_sentences(corpus: Path) -> list[str]:
    """The distinct sentences (5 words or more) of the corpus's papers, in order."""
    from rag.ingest import find_files
    from rag.loading import load_file

    seen, out = set(), []
    for path in find_files([corpus]):
        for match in SENTENCE.finditer(load_file(path).text):
            sentence = " ".join(match.group().split())
            if len(sentence.split()) >= 5 and sentence not in seen:
                seen.add(sentence)
                out.append(sentence)
    return out


def synthesise(sentences: list[str], n: int, encoder: StandInEncoder,
               folder: Path | None = None, seed: int = 7):
    """N chunks, each four consecutive sentences from one place and three from another:
    their papers and chunks as sequences made on demand (a million never sit in memory),
    and their vectors (memory-mapped from folder/vectors.npy when a folder is given)."""
    rng = np.random.default_rng(seed)
    sentences = sentences * (1 + 8 // max(len(sentences), 1))  # a tiny corpus still works
    count = len(sentences)
    sentence_vectors = encoder.embed(sentences)
    cumulative = np.vstack([np.zeros((1, encoder.dimension), np.float32),
                            np.cumsum(sentence_vectors, axis=0)])
    a = rng.integers(0, count - 4, n)
    b = rng.integers(0, count - 3, n)
    step = 16_384  # rows at a time: each temporary below is step x 384 floats
    runs = (normalise(cumulative[a[lo: lo + step] + 4] - cumulative[a[lo: lo + step]]
                      + cumulative[b[lo: lo + step] + 3] - cumulative[b[lo: lo + step]])
            for lo in range(0, n, step))
    corpus = Synthetic(sentences, a, b)
    if folder is None:
        return Papers(corpus), Chunks(corpus), np.concatenate(list(runs))
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "vectors.npy", "wb") as out:  # a file, so 1M x 384 stays out of memory
        np.lib.format.write_array_header_1_0(out, {"descr": "<f4", "fortran_order": False,
                                                   "shape": (n, encoder.dimension)})
        out.writelines(run.tobytes() for run in runs)
    return Papers(corpus), Chunks(corpus), np.load(folder / "vectors.npy", mmap_mode="r")


class Synthetic:
    """The synthetic corpus, kept as where each chunk's two runs of sentences start."""

    def __init__(self, sentences: list[str], a: np.ndarray, b: np.ndarray):
        self.sentences, self.a, self.b = sentences, a, b
        self.papers = -(-len(a) // CHUNKS_PER_DOC)

    def text(self, i: int) -> str:
        a, b = int(self.a[i]), int(self.b[i])
        return " ".join(self.sentences[a: a + 4] + self.sentences[b: b + 3])

    def paper(self, number: int) -> tuple[Document, list[Chunk]]:
        """The number-th paper (CHUNKS_PER_DOC chunks, the last fewer) and its chunks."""
        doc_id, first = f"synthetic-{number:06d}", number * CHUNKS_PER_DOC
        chunks, parts, offset = [], [], 0
        for i in range(first, min(first + CHUNKS_PER_DOC, len(self.a))):
            text = self.text(i)
            chunks.append(Chunk(i, doc_id, text, offset, offset + len(text),
                                1 + len(parts) // 4, "", f"{len(parts) + 1}."))
            parts.append(text)
            offset += len(text) + 2
        doc = Document(
            doc_id=doc_id, source=f"{doc_id}.txt", title=f"Synthetic paper {number}",
            committee=COMMITTEES[number % len(COMMITTEES)],
            date=date(2010, 1, 4) + timedelta(days=(number * 7) % 5400),
            doc_type=DOC_TYPES[number % 4], author="", agenda_item=str(number % 12 + 1),
            text="\n\n".join(parts), start=0)
        return doc, chunks

    def pairs(self) -> Iterator[tuple[Document, Chunk]]:
        for number in range(self.papers):
            doc, chunks = self.paper(number)
            yield from ((doc, chunk) for chunk in chunks)


class Papers(Sequence):
    def __init__(self, corpus: Synthetic):
        self.corpus = corpus

    def __len__(self) -> int:
        return self.corpus.papers

    def __getitem__(self, number):
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        return self.corpus.paper(range(len(self))[number])[0]

    def __iter__(self) -> Iterator[Document]:
        return (self.corpus.paper(number)[0] for number in range(len(self)))


class Chunks(Papers):
    def __len__(self) -> int:
        return len(self.corpus.a)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        return self.corpus.paper(i // CHUNKS_PER_DOC)[1][i % CHUNKS_PER_DOC]

    def __iter__(self) -> Iterator[Chunk]:
        return (chunk for _, chunk in self.corpus.pairs())


class Texts(Chunks):
    """What each chunk is indexed by: its context header and its text."""

    def __getitem__(self, i):
        from rag.chunking import contextual_text

        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        doc, chunks = self.corpus.paper(i // CHUNKS_PER_DOC)
        return contextual_text(doc, chunks[i % CHUNKS_PER_DOC])

    def __iter__(self) -> Iterator[str]:
        from rag.chunking import contextual_text

        return (contextual_text(doc, chunk) for doc, chunk in self.corpus.pairs())
