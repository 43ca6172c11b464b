"""Shared fixtures: the real model, tiny corpora, and indexes built from them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

REPORT = """London Borough of Hammersmith & Fulham

CHILDREN AND EDUCATION POLICY & ACCOUNTABILITY COMMITTEE

{date}

{title}

Report of the Director of Children's Services

Open Report

Classification: For Information Key Decision: No

Wards Affected: All

1. EXECUTIVE SUMMARY

1.1. {summary}

2. RECOMMENDATIONS

2.1. The Committee is asked to note the contents of this report.

3. {heading}

3.1. {body}
"""


def write_report(folder: Path, name: str, **fields) -> Path:
    path = folder / name
    path.write_text(REPORT.format(**fields))
    return path


@pytest.fixture(scope="session")
def encoder():
    from rag.embedding import load_encoder

    return load_encoder()


TINY_PAPERS = {
    "2015-03-02_school-meals.txt": {
        "date": "2 March 2015", "title": "SCHOOL MEALS CONTRACT",
        "summary": "This report sets out the school meals contract.", "heading": "SCHOOL MEALS",
        "body": "The school meals contract was awarded to Caterlink, serving 9,000 meals a day "
             "across 40 primary schools."},
    "2016-06-13_school-meals-update.txt": {
        "date": "13 June 2016", "title": "EXECUTIVE DIRECTOR'S UPDATE",
        "summary": "This report gives an update on recent developments.", "heading": "SCHOOL MEALS",
        "body": "The school meals contract has been re-procured and the new provider began "
             "serving meals in June 2016, with uptake rising to 85 per cent."},
    "2017-01-30_youth-clubs.txt": {
        "date": "30 January 2017", "title": "YOUTH SERVICES REVIEW",
        "summary": "This report reviews youth services.", "heading": "YOUTH CLUBS",
        "body": "Three youth clubs in Fulham will open on Saturday evenings from April 2017, "
             "funded by a grant of £120,000."},
}


def write_tiny_corpus(folder: Path, names: tuple[str, ...] = tuple(TINY_PAPERS)) -> Path:
    """Short committee papers on different matters and dates."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        write_report(folder, name, **TINY_PAPERS[name])
    return folder


@pytest.fixture()
def tiny_corpus(tmp_path: Path) -> Path:
    return write_tiny_corpus(tmp_path / "corpus")


@pytest.fixture()
def tiny_index(tiny_corpus: Path, tmp_path: Path, encoder) -> Path:
    from rag.ingest import ingest

    index_dir = tmp_path / "index"
    ingest([tiny_corpus], index_dir, encoder=encoder)
    return index_dir


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, encoder) -> Path:
    """The bundled corpus, ingested once for the whole test session."""
    from rag.ingest import ingest

    index_dir = tmp_path_factory.mktemp("corpus-index") / "index"
    ingest([ROOT / "corpus"], index_dir, encoder=encoder)
    return index_dir


@pytest.fixture()
def copy_fixture(tmp_path: Path):
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(FIXTURES / name, target)
        return target

    return copy


def unicode_font() -> str:
    """DejaVu Sans, shipped inside matplotlib: fpdf2 needs a Unicode TTF for "–" and "£"."""
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def make_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=unicode_font())
    pdf.set_font("DejaVu", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path
