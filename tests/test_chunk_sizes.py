"""Passages sized in the model's own word pieces: what is embedded always fits the model,
and an item's motion or list stays whole with its heading while it fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import tokens
from rag.chunking import chunk_document, context_header, contextual_text
from rag.loading import load_file
from rag.papers import split_papers
from rag.types import Document

ROOT = Path(__file__).resolve().parents[1]
OTHER_COUNCILS = ROOT.parent / "shared" / "corpus-other"  # development papers, not bundled
CLAUSE = ("the council approves the contract for the new depot on the north side of the river "
          "and asks the director to report back to the next meeting of the committee with the "
          "cost and the dates when the work will start")  # 40 plain words


def minutes(text: str) -> Document:
    """A paper whose numbered item titles are marked as headings, as Markdown minutes are."""
    marked = tuple(i for i in range(len(text)) if (i == 0 or text[i - 1] == "\n")
                   and text[i:i + 3] in ("7. ", "8. "))
    return Document(doc_id="m", source="m.md", title="Minutes", committee="Civic Works Committee",
                    date=None, doc_type="minutes", author="", agenda_item="", text=text, start=0,
                    headings=marked)


def motion(clauses: int) -> str:
    body = "; and ".join(f"({chr(97 + i)}) {CLAUSE}" for i in range(clauses))
    return ("7. Depot Contract\n\nMoved by Councillor A. Smith\n\nSeconded by Councillor B. Jones"
            f"\n\nThat {body}.\n\nMotion Passed (4 to 0)\n\n8. Next Item\n\nThe committee noted "
            "the report on the parks.")


def embedded_sizes(doc: Document) -> list[int]:
    return [tokens.embedded_count(contextual_text(doc, c)) for c in chunk_document(doc)]


def test_the_limit_is_read_from_the_model_folder():
    assert tokens.model_limit() == 256
    assert tokens.count("Recommendations") == 1 and tokens.embedded_count("") == 2


@pytest.mark.parametrize("folder", [ROOT / "corpus", OTHER_COUNCILS])
def test_no_embedded_text_is_longer_than_the_model_reads(folder: Path):
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here")
    docs = [d for path in sorted(folder.iterdir()) if path.name != "README.md"
            for d in split_papers(load_file(path))]
    sizes = [n for doc in docs for n in embedded_sizes(doc)]
    assert len(sizes) > 100 and max(sizes) <= 256


def test_a_motion_of_two_hundred_words_is_one_passage_with_its_heading():
    doc = minutes(motion(4))
    assert 180 <= len(doc.text.split("8. Next Item")[0].split()) <= 220
    held = [c for c in chunk_document(doc) if "Moved by" in c.text or "Motion Passed" in c.text]
    assert len(held) == 1
    (chunk,) = held
    assert chunk.text.startswith("7. Depot Contract") and chunk.text.endswith("(4 to 0)")
    assert chunk.section == "7. Depot Contract"
    assert "vote: moved by A. Smith" in context_header(doc, chunk)
    assert max(embedded_sizes(doc)) <= 256


def test_a_longer_motion_is_split_with_the_heading_on_every_part():
    doc = minutes(motion(12))
    parts = [c for c in chunk_document(doc) if c.section == "7. Depot Contract"]
    assert len(parts) >= 3 and parts[0].text.startswith("7. Depot Contract")
    assert "Motion Passed" in parts[-1].text and "8. Next Item" not in parts[-1].text
    assert all("| 7. Depot Contract" in contextual_text(doc, c).split("\n")[0] for c in parts)
    assert max(embedded_sizes(doc)) <= 256
    assert "".join(c.text for c in parts).count("(l)") == 1  # nothing repeated or lost


def test_a_list_stays_with_its_lead_in_and_a_longer_one_carries_it():
    items = [f"- ensure that {CLAUSE.replace('the council', f'team {i}')}" for i in range(9)]
    lead = "Areas for improvement\n\nThe local authority should take the following action:"
    short = chunk_document(minutes(lead + "\n\n" + "\n\n".join(items[:3])))
    assert len(short) == 1
    doc = minutes(lead + "\n\n" + "\n\n".join(items))
    parts = chunk_document(doc)
    assert len(parts) >= 2 and parts[0].text.startswith("Areas for improvement")
    for part in parts[1:]:
        assert part.text.startswith("- ensure")
        assert "should take the following action:" in context_header(doc, part)
    assert max(embedded_sizes(doc)) <= 256


def test_a_sentence_longer_than_the_model_reads_is_cut_between_words():
    sentence = " ".join(f"word{i}" for i in range(400)) + "."
    doc = minutes("Long\n\n" + sentence)
    chunks = chunk_document(doc)
    assert len(chunks) >= 3 and max(embedded_sizes(doc)) <= 256
    words = [w for c in chunks for w in c.text.split() if w != "Long"]
    assert words == sentence.split()  # every cut falls between two words
