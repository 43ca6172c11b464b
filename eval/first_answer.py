"""`rag bench`: a fresh process to its first answer, then the ask path's latency.

    python eval/first_answer.py INDEX QUESTIONS.json   (prints a timestamp, then JSON)
"""

import json
import sys
import time
from pathlib import Path

from rag.ask import open_session, search

index, encoder, _ = open_session(Path(sys.argv[1]), None)
questions = json.loads(Path(sys.argv[2]).read_text())
search(index, encoder, questions[0])
print(time.time(), flush=True)
times = []
for question in questions[1:]:
    began = time.perf_counter()
    search(index, encoder, question)
    times.append((time.perf_counter() - began) * 1000)
print(json.dumps(sorted(times)))
