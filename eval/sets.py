"""Question sets over their own corpora: `rag eval --set other=eval/other-councils.jsonl@DIR`.

Each set's papers are ingested into an index of its own under the output folder (kept
between runs, so a second run reads nothing again). Files named README* are not papers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .metrics import load_questions

HF = "eval/questions.jsonl,eval/hf-negatives.jsonl"  # the bundled council's gold questions


@dataclass(frozen=True)
class QuestionSet:
    name: str
    questions: tuple[Path, ...]
    corpus: Path

    def rows(self) -> list[dict]:
        return [row for path in self.questions for row in load_questions(path)]


def parse_set(spec: str) -> QuestionSet:
    """NAME=QUESTIONS[,QUESTIONS...]@CORPUS_FOLDER"""
    name, _, rest = spec.partition("=")
    files, _, corpus = rest.rpartition("@")
    if not name or not files or not corpus:
        raise ValueError(f"--set {spec!r}: write it as NAME=QUESTIONS.jsonl[,MORE.jsonl]@FOLDER")
    paths = tuple(Path(p) for p in files.split(","))
    missing = [str(p) for p in (*paths, Path(corpus)) if not p.exists()]
    if missing:
        raise ValueError(f"--set {name}: no such file or folder: {', '.join(missing)}")
    return QuestionSet(name, paths, Path(corpus))


def papers(corpus: Path) -> list[Path]:
    return [p for p in sorted(corpus.iterdir())
            if p.is_file() and not p.name.upper().startswith("README")]


def set_index(qset: QuestionSet, out_dir: Path, encoder) -> Path:
    """The set's own index, brought up to date with its corpus folder."""
    from rag.ingest import ingest

    index_dir = out_dir / f"index-{qset.name}"
    ingest(papers(qset.corpus), index_dir, encoder=encoder)
    return index_dir
