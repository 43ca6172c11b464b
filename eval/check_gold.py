"""Check hand-written gold questions against an index: each answerable question's evidence
must be found, by the gold relevance rule, in one of its passages (as `rag eval` scores it,
whatever paper the passage is in).

    .venv/bin/python -m eval.check_gold QUESTIONS.jsonl INDEX_DIR

Prints one line per question whose evidence no passage holds; exit 1 if any.
Says nothing about ranking: it only checks that the relevance rule can see the answer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.metrics import answers
from rag.backend import open_index


def unanswerable(questions: Path, index_dir: Path) -> list[str]:
    index = open_index(index_dir)
    passages = index.chunks(list(range(index.size)))
    problems = []
    for line in questions.read_text().splitlines():
        item = json.loads(line)
        if item["kind"] == "negative":
            continue
        if not any(answers(p.text, item["evidence"]) for p in passages):
            problems.append(f"{item['id']}: no passage holds its evidence")
    return problems


if __name__ == "__main__":
    found = unanswerable(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(found) or "every answerable question's evidence is in a passage")
    sys.exit(1 if found else 0)
