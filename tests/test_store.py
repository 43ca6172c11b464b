"""The store's narrow interface: add, delete and publish on the write side; filter and search
on the read side (rag.index.Index)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from rag.backend import open_index
from rag.chunking import ChunkSettings
from rag.ingest import embed_entries, fill_texts, ingest_file
from rag.loading import Limits
from rag.store import Store
from rag.types import Filters

ROOT = Path(__file__).resolve().parents[1]


def test_add_delete_publish_then_filter_and_search(tiny_corpus: Path, tmp_path: Path, encoder):
    index_dir, model = tmp_path / "index", (encoder.name, encoder.dimension)
    stored = Store.open(index_dir, model, ChunkSettings().as_dict())
    assert stored.entries == {}
    for path in sorted(tiny_corpus.iterdir()):
        ingest_file(path, stored, {}, "public", Limits(), ChunkSettings())
    embed_entries(stored.entries, lambda: encoder, lambda *_: None)
    stored.publish()

    index = open_index(index_dir, encoder)
    assert index.size == stored.size
    question = encoder.embed(["school meals contract"])[0]
    since_2016 = index.filter(Filters(date_from=date(2016, 1, 1)))
    found = index.nearest(question, since_2016, 5)
    assert len(found) and since_2016[found].all()
    assert {index.docs[c.doc_id].date.year for c in index.chunks(found.tolist())} >= {2016}
    scores = index.lexical_scores("school meals", since_2016)
    assert scores[~since_2016].max() == 0 and scores.max() > 0
    sims = index.similarity(found, question)
    assert np.all(np.diff(sims) <= 0) and sims[0] > 0.3  # nearest first

    meals_2015 = next(k for k in stored.entries if k.endswith("2015-03-02_school-meals.txt"))
    again = Store.open(index_dir, model, ChunkSettings().as_dict())
    assert set(again.entries) == set(stored.entries)  # read back from the published build
    with pytest.raises(ValueError, match="indexed texts"):
        again.publish()  # entries read back need their indexed texts again
    fill_texts(again.entries, ChunkSettings())
    again.delete(meals_2015)
    again.publish()
    titles = {p["source"] for p in open_index(index_dir, encoder).papers(unlocked=False)}
    assert "2015-03-02_school-meals.txt" not in titles and len(titles) == len(stored.entries) - 1


def test_streamed_bm25_writes_what_one_bm25s_call_writes(tmp_path: Path):
    """write_bm25 tokenises and scores in batches; its files are byte for byte those of
    bm25s tokenising and indexing the whole bundled corpus at once (and a passage with no
    index term, which bm25s gives its empty token)."""
    import bm25s

    from rag.bm25_build import write_bm25
    from rag.terms import bm25_tokenizer

    stored = Store(tmp_path / "unused", ("", 0), {})
    for path in sorted((ROOT / "corpus").iterdir()):
        ingest_file(path, stored, {}, "public", Limits(), ChunkSettings())
    texts = [t for entry in stored.entries.values() for t in entry.texts]
    texts.insert(len(texts) // 2, "the and of")  # stopwords only
    assert len(texts) > 700
    write_bm25(tmp_path / "streamed", texts, batch=97)
    plain = bm25s.BM25()
    plain.index(bm25_tokenizer().tokenize(texts, update_vocab=True, return_as="tuple",
                                          show_progress=False), show_progress=False)
    plain.save(str(tmp_path / "plain"), show_progress=False)
    names = sorted(p.name for p in (tmp_path / "plain").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "streamed").iterdir())
    for name in names:
        assert (tmp_path / "streamed" / name).read_bytes() == \
            (tmp_path / "plain" / name).read_bytes(), name
    loaded = bm25s.BM25.load(str(tmp_path / "streamed"))
    assert loaded.get_scores(["school", "meal", "contract"]).max() > 0


def test_a_copy_is_skipped_and_a_moved_folder_keeps_its_papers(tiny_corpus: Path,
                                                               tiny_index: Path, encoder):
    from rag.ingest import ingest

    before = open_index(tiny_index, encoder)
    copies = tiny_corpus.parent / "copies"
    copies.mkdir()
    (copies / "meals.txt").write_bytes((tiny_corpus / "2015-03-02_school-meals.txt").read_bytes())
    report = ingest([tiny_corpus, copies], tiny_index, encoder=encoder)
    copy = next(o for o in report.outcomes if o.name == "meals.txt")
    assert copy.status == "skipped" and "a copy of" in copy.reason and not report.published

    moved = tiny_corpus.parent / "moved"
    tiny_corpus.rename(moved)
    report = ingest([moved], tiny_index, encoder=encoder)
    assert {o.status for o in report.outcomes} == {"moved"} and report.embedded == 0
    index = open_index(tiny_index, encoder)
    assert index.size == before.size and set(index.docs) == set(before.docs)
    assert {Path(row["key"]).parent for row in index.sources()} == {moved.resolve()}

    (moved / "2017-01-30_youth-clubs.txt").rename(moved / "youth-clubs.txt")
    report = ingest([moved], tiny_index, encoder=encoder)  # renamed: read again, old entry gone
    assert sorted(o.status for o in report.outcomes) == ["added", "unchanged", "unchanged"]
    index = open_index(tiny_index, encoder)
    assert index.size == before.size
    assert "youth-clubs.txt" in {d.source for d in index.docs.values()}
