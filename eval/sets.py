"""Question sets over their own corpora: `rag eval --set other=eval/other-councils.jsonl@DIR`.

Each set's papers are ingested into an index of its own under the output folder (kept
between runs, so a second run reads nothing again). Files named README* are not papers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .metrics import load_questions

# The bundled council's gold questions: the shared dev set, ours, and our negatives.
HF = "eval/questions.jsonl,eval/hf-more.jsonl,eval/hf-negatives.jsonl"


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


def score_set(qset, names: list[str], k: int, out_dir: Path, index_dir: Path | None,
              results: Path | None) -> dict:
    """Every configuration's metrics on one set, with its diagnostics and plot written."""
    from rag.ask import open_session
    from rag.embedding import load_encoder

    from .compare import evaluate, plot_recall, write_diagnostics, write_results

    folder = out_dir / qset.name if index_dir is None else out_dir
    folder.mkdir(parents=True, exist_ok=True)
    index_dir = index_dir or set_index(qset, out_dir, load_encoder())
    index, encoder, _ = open_session(index_dir, None)
    outcome = evaluate(index, encoder, qset.rows(), names, k)
    final = outcome[names[-1]]["rows"]
    write_diagnostics(folder / "diagnostics.jsonl", final)
    plot_recall(folder / "recall_at_k.png", outcome)
    if results:
        write_results(results, final)
    summaries = {name: result["summary"] for name, result in outcome.items()}
    (folder / "metrics.json").write_text(json.dumps(summaries, indent=2))
    return summaries
