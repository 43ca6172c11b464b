"""Columns of ints collected one item at a time, as arrays or straight into .npy files.

The passage features of a million passages are some 1.7 GB of ids. Collected in Python lists
they cost several times that, and freed lists leave the heap grown; so items are kept in a
short list and moved, every BLOCK items, into an array, or appended to a file that becomes
the .npy file when the column is done (rag/passage_features.py writes a build's this way).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from .passage_arrays import Rows

BLOCK = 8192  # items held as a Python list before they become an array or are written


class Column:
    """Ints appended one by one; with a `path`, written to that .npy file as they come."""

    def __init__(self, dtype=np.int32, path: Path | None = None, width: int = 1):
        self.dtype, self.path, self.width = np.dtype(dtype), path, width
        self.items: list[int] = []
        self.blocks: list[np.ndarray] = []
        self.count = 0
        self.raw = open(path.with_suffix(".raw"), "wb") if path else None  # noqa: SIM115

    def append(self, value: int) -> None:
        self.items.append(value)
        if len(self.items) >= BLOCK:
            self.flush()

    def extend(self, values) -> None:
        self.items.extend(values)
        if len(self.items) >= BLOCK:
            self.flush()

    def flush(self) -> None:
        if self.items:
            block = np.array(self.items, dtype=self.dtype)
            self.items, self.count = [], self.count + len(block)
            if self.raw:
                self.raw.write(block.tobytes())
            else:
                self.blocks.append(block)

    def array(self) -> np.ndarray:
        """The column, shaped (n, width) when wider than one; memory-mapped from its .npy file
        when it has one."""
        self.flush()
        shape = (self.count // self.width, self.width) if self.width > 1 else (self.count,)
        if self.raw is None:
            values = np.concatenate(self.blocks) if self.blocks else np.zeros(0, self.dtype)
            self.blocks = [values]
            return values.reshape(shape)
        self.raw.close()
        raw = self.path.with_suffix(".raw")
        with open(self.path, "wb") as out, open(raw, "rb") as source:
            np.lib.format.write_array_header_1_0(out, {
                "descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
                "shape": shape})
            shutil.copyfileobj(source, out, 1 << 22)
        os.remove(raw)
        return np.load(self.path, mmap_mode="r", allow_pickle=False)


class Offsets(Column):
    """Where each row ends (a CSR's indptr, from 0), appended as each row's length."""

    def __init__(self, path: Path | None = None):
        super().__init__(np.int64, path)
        self.total = 0
        self.append(0)

    def add(self, length: int) -> None:
        self.total += length
        self.append(self.total)


class Ragged:
    """Rows of ids as a CSR: the rows' offsets and their values (files NAME.indptr.npy and
    NAME.values.npy in `folder`, when given)."""

    def __init__(self, name: str, folder: Path | None = None):
        self.indptr = Offsets(folder / f"{name}.indptr.npy" if folder else None)
        self.values = Column(np.int32, folder / f"{name}.values.npy" if folder else None)

    def append(self, row: list[int]) -> None:
        self.indptr.add(len(row))
        self.values.extend(row)

    def rows(self) -> Rows:
        return Rows(self.indptr.array(), self.values.array())
