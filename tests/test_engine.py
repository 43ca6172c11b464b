"""The store on Milvus (milvus-lite, started by the tests): the retrieval and access suites
and the app's main paths run against it, and it upserts, deletes and survives a kill -9
mid-upsert by key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rag import engine
from rag.ask import search
from rag.backend import current_version, open_index
from rag.cli import main
from rag.ingest import ingest

from .conftest import ROOT
from .test_access import (  # noqa: F401 (run here against the engine)
    SECRETS,
    restricted_index,
    test_access_levels_are_set_three_ways,
    test_ask_and_precedents_never_leak_to_the_public,
    test_eval_results_and_diagnostics_never_leak,
    test_members_see_restricted_papers,
)
from .test_app import (  # noqa: F401 (run here against the engine)
    app,
    library,
    test_ask_shows_cited_cards_with_highlight_and_reading,
    test_library_lists_papers_and_when_the_index_was_built,
    test_restricted_paper_never_shown_to_the_public_but_shown_to_members,
    test_source_view_opens_the_paper_at_the_passage,
)
from .test_crash import QUESTION, add_paper, answers, ingest_until, kill
from .test_retrieval import (  # noqa: F401 (run here against the engine)
    test_abstains_when_nothing_answers,
    test_filters_are_hard_and_readings_are_soft,
    test_json_answer_has_the_promised_fields,
    test_ofsted_2011_recommendations_come_first,
    test_precedents_are_earlier_papers_oldest_first,
    test_repeated_passages_collapse_into_also_in,
)


@pytest.fixture(scope="module", autouse=True)
def engine_store(tmp_path_factory):
    """Every index in this module lives in one milvus-lite file."""
    url = f"milvus://{tmp_path_factory.mktemp('milvus') / 'engine.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_STORE", url)
        yield url
        engine.release(url)


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory, encoder, engine_store) -> Path:
    index_dir = tmp_path_factory.mktemp("engine-corpus") / "index"
    ingest([ROOT / "corpus"], index_dir, encoder=encoder)
    return index_dir


def test_the_engine_serves_the_index(corpus_index, encoder):
    index = open_index(corpus_index, encoder)
    assert type(index).__name__ == "EngineIndex" and not (corpus_index / "current").exists()
    assert index.size > 500 and index.manifest["store"].startswith("milvus://")
    assert current_version(corpus_index) == index.build  # what the app caches the index by
    result = CliRunner().invoke(main, ["check", "--index", str(corpus_index)])
    assert result.exit_code == 1 and "the engine keeps the index" in result.output


def test_a_public_query_never_matches_a_restricted_passage_in_the_engine(
        restricted_index, encoder):  # noqa: F811 (the fixture imported above)
    index = open_index(restricted_index, encoder)
    restricted = {p for p in range(index.size)
                  if index.docs[index.doc_order[index.chunk_doc[p]]].access == "restricted"}
    assert restricted
    public, member = index.filter(None, False), index.filter(None, True)
    assert 'access == "public"' in public.expr and "access" not in member.expr
    for _, _, phrase in SECRETS.values():
        vector = encoder.embed([phrase])[0]
        for allowed in (public, member):  # what the engine itself returns, before any mask
            found = {p for p, _ in index.search([vector.tolist()], "dense", allowed, 50)}
            found |= {p for p, _ in index.search([phrase], "sparse", allowed, 50)}
            assert bool(found & restricted) == (allowed is member), phrase
        raw = index.engine.client.search(index.engine.chunks, data=[phrase], anns_field="sparse",
                                         limit=50, filter=public.expr, output_fields=["access"])
        assert {hit["entity"]["access"] for hit in raw[0]} <= {"public"}
    answer = search(index, encoder, SECRETS["cover"][2], k=10)
    assert all(hit.doc.access == "public" for hit in answer.hits)


def test_changed_and_removed_papers_are_upserted_and_deleted_by_key(tiny_corpus, tiny_index,
                                                                   encoder):
    before = open_index(tiny_index, encoder)
    clubs = tiny_corpus / "2017-01-30_youth-clubs.txt"
    clubs.write_text(clubs.read_text().replace("Saturday evenings", "Sunday mornings"))
    (tiny_corpus / "2015-03-02_school-meals.txt").unlink()
    report = ingest([tiny_corpus], tiny_index, encoder=encoder)
    assert sorted(o.status for o in report.outcomes) == ["removed", "unchanged", "updated"]
    assert report.embedded == sum(o.chunks for o in report.outcomes if o.status == "updated")
    index = open_index(tiny_index, encoder)
    assert {d.source for d in index.docs.values()} == {"2016-06-13_school-meals-update.txt",
                                                      "2017-01-30_youth-clubs.txt"}
    texts = " ".join(c.text for c in index.chunks(list(range(index.size))))
    assert "Sunday mornings" in texts and "Saturday evenings" not in texts
    assert "Caterlink" not in texts and index.size < before.size
    stored = {r["id"] for r in engine.scan(index.engine, index.engine.chunks, "gen >= 0", [])}
    assert stored == set(index.keys.tolist())  # the old generations are gone from the engine


@pytest.mark.parametrize("stage, goes_live", [
    ("engine-chunks", False),  # the new passages written, the file's new version not committed
    ("engine-committed", True),  # committed, the previous version not yet deleted
])
def test_sigkill_mid_upsert_keeps_the_previous_version(tiny_corpus, tiny_index, encoder,
                                                       engine_store, stage, goes_live):
    before = answers(tiny_index, encoder)
    size = open_index(tiny_index, encoder).size
    clubs = tiny_corpus / "2017-01-30_youth-clubs.txt"
    clubs.write_text(clubs.read_text().replace("Saturday evenings", "Friday nights"))
    engine.release(engine_store)  # milvus-lite lets one process at a time open its file
    kill(ingest_until(stage, tiny_corpus, tiny_index))

    index = open_index(tiny_index, encoder)
    texts = " ".join(c.text for c in index.chunks(list(range(index.size))))
    assert ("Friday nights" in texts) == goes_live and ("Saturday evenings" in texts) != goes_live
    assert index.size == size  # never both versions, never neither
    if not goes_live:
        assert answers(tiny_index, encoder) == before
    stored = {r["id"] for r in engine.scan(index.engine, index.engine.chunks, "gen >= 0", [])}
    assert len(stored) > index.size  # the unfinished (or not yet deleted) rows are there...

    add_paper(tiny_corpus)
    ingest([tiny_corpus], tiny_index, encoder=encoder)  # ...and the next ingest sweeps them
    index = open_index(tiny_index, encoder)
    stored = {r["id"] for r in engine.scan(index.engine, index.engine.chunks, "gen >= 0", [])}
    assert stored == set(index.keys.tolist())
    assert "Friday nights" in " ".join(c.text for c in index.chunks(list(range(index.size))))
    assert search(index, encoder, QUESTION, k=3).hits[0].doc.source == clubs.name
    assert np.all(np.diff(index.keys[index.chunk_doc == index.chunk_doc[0]]) > 0)
