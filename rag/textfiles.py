"""Text files read a block at a time, so the character cap and the time limit stop the read
where they are reached, not after the whole file is decoded (rag/loading.py cleans the text)."""

from __future__ import annotations

import codecs
import hashlib
import time
from pathlib import Path

from .errors import SkipFile

BLOCK = 1 << 20  # bytes read and decoded at a time


def stream_text(path: Path, max_chars: int, seconds: float) -> tuple[str, str]:
    """The file's text and SHA-256, decoded as loading.decode_text does but a block at a time:
    SkipFile past `max_chars` characters, TimeoutError past `seconds`."""
    deadline = time.monotonic() + seconds
    with open(path, "rb") as handle:
        bom = handle.read(2)
    utf16 = bom in (b"\xff\xfe", b"\xfe\xff")
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return read_decoded(path, encoding, max_chars, deadline)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def read_decoded(path: Path, encoding: str, max_chars: int, deadline: float) -> tuple[str, str]:
    decoder = codecs.getincrementaldecoder(encoding)("replace" if encoding == "utf-16"
                                                     else "strict")
    digest, parts, count = hashlib.sha256(), [], 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            parts.append(decoder.decode(block))
            count += len(parts[-1])
            if count > max_chars:
                raise SkipFile(f"too large (over {max_chars:,} characters of text)")
            if time.monotonic() > deadline:  # where no alarm can interrupt (not the main thread)
                raise TimeoutError(path)
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts), digest.hexdigest()
