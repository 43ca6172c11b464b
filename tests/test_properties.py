"""Properties that must hold for any input: loaders, cleaning, the chunker, the question reader."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.chunking import ChunkSettings, chunk_document
from rag.cleaning import clean_text, html_to_text
from rag.errors import SkipFile
from rag.loading import load_file
from rag.question import read_question
from rag.retrieve import top_indices
from rag.types import Document

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
WORD = st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=12)
PUNCT = st.sampled_from([" ", " ", " ", ", ", ". ", "; ", ": ", "! ", "? ", " (", ") ", " – "])


@st.composite
def prose(draw) -> str:
    """Plain text: lines of words with ordinary punctuation, blank lines between some."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        words = draw(st.lists(WORD, min_size=1, max_size=15))
        gaps = draw(st.lists(PUNCT, min_size=len(words), max_size=len(words)))
        lines.append("".join(w + g for w, g in zip(words, gaps)).strip())
        lines += [""] * draw(st.integers(0, 2))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@FAST
@given(st.text())
def test_cleaning_never_crashes(raw):
    assert isinstance(clean_text(raw), str)
    assert isinstance(clean_text(html_to_text(raw)), str)


@FAST
@given(prose())
def test_cleaning_keeps_every_word_of_plain_text(text):
    assert words(clean_text(text)) == words(text)


@FAST
@given(prose(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
def test_text_loader_keeps_every_word_in_any_encoding(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # letters the legacy code page lacks
        encoding, data = "utf-8", text.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.txt"
        path.write_bytes(data)
        loaded = load_file(path)
    if encoding.startswith("utf") or not is_utf8(data):  # legacy bytes that are not UTF-8
        assert words(loaded.text) == words(text)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@FAST
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.pdf", "a.html", "a.md", "a.doc"]))
def test_loader_never_crashes_on_any_bytes(data, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            source = load_file(path)
        except SkipFile as exc:
            assert str(exc)
        else:
            assert source.text.strip()


LINE = st.one_of(
    prose(),
    st.builds(lambda n, t: f"{n}. {t}", st.integers(1, 20), prose()),  # numbered paragraphs
    st.builds(lambda n, t: f"{n}. {t.upper()}", st.integers(1, 9), WORD),  # numbered headings
    st.builds(lambda t: t.upper(), WORD),  # bare headings
    st.builds(lambda n: " ".join(["word"] * n), st.integers(30, 90)),  # over-long runs
    st.builds(lambda ws, gap: gap.join(ws), st.lists(WORD, min_size=25, max_size=80),
              st.sampled_from([" ", "  ", "\t", ". ", "; ", " \u00a0"])),  # long, odd spacing
    st.just(""), st.just("   "), st.just("| a | b |"),
)


@st.composite
def documents(draw) -> Document:
    text = "\n".join(draw(st.lists(LINE, min_size=1, max_size=25)))
    pages = sorted(set(draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=4))))
    return Document(doc_id="d", source="d.txt", title="T", committee="", date=None,
                    doc_type="document", author="", agenda_item="", text=text, start=0,
                    page_starts=tuple((i + 1, p) for i, p in enumerate(pages)))


@FAST
@given(documents(), st.sampled_from([ChunkSettings(), ChunkSettings(max_tokens=26, min_tokens=6)]))
def test_chunks_point_at_their_text_and_lose_nothing(doc, chunk_settings):
    chunks = chunk_document(doc, chunk_settings)
    covered = [False] * len(doc.text)
    for chunk in chunks:
        assert doc.text[chunk.start:chunk.end] == chunk.text
        covered[chunk.start:chunk.end] = [True] * (chunk.end - chunk.start)
    lost = [i for i, ch in enumerate(doc.text) if not ch.isspace() and not covered[i]]
    assert not lost, repr(doc.text[lost[0] - 20: lost[0] + 20])


@FAST
@given(st.text(), st.lists(st.dates(date(1990, 1, 1), date(2030, 12, 31)), max_size=5),
       st.lists(st.text(max_size=30), max_size=3))
def test_question_reader_never_crashes(text, dates, committees):
    query = read_question(text, dates, committees)
    assert isinstance(query.reading(), dict)


@FAST
@given(st.text(alphabet=st.sampled_from(list("0123456789 /-–.,'sndrthJanuaryMayspringlate"
                                              "betweenandfromtosincebeforeyear")), max_size=60))
def test_question_reader_never_crashes_on_date_like_text(text):
    read_question(text, [date(2016, 6, 13), date(2020, 11, 9)], ["Cabinet"])


@FAST
@given(st.integers(0, 20), st.integers(0, 40_000), st.floats(0, 0.95), st.integers(1, 50),
       st.integers(0, 2**32 - 1))
def test_top_indices_are_the_n_best_positive_scores(n, size, zero_share, levels, seed):
    """Sampled floor or not (large arrays sample it), the picks are the n best positive
    scores: ties and zeros included, coarse score levels make ties common."""
    rng = np.random.default_rng(seed)
    scores = (rng.integers(1, levels + 1, size) / levels).astype(np.float32)
    scores[rng.random(size) < zero_share] = 0
    picked = top_indices(scores, n)
    best = np.sort(scores[scores > 0])[::-1][:n]
    assert len(set(picked.tolist())) == len(picked)
    assert np.array_equal(np.sort(scores[picked])[::-1], best)
