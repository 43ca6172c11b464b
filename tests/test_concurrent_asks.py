"""Asks at once, as `rag serve` and the app run them: the answers of asks one at a time.

No timings are asserted here: throughput and latency are `rag bench` figures
(eval/concurrency.py, eval/BENCHMARKS.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from eval import concurrency
from eval.bench import load_questions
from rag.ask import search
from rag.backend import open_index
from rag.cite import answer_json


def answer_of(index, encoder, question: str) -> tuple:
    answer = search(index, encoder, question)
    return (answer.abstain, answer.confidence,
            [(h.chunk.chunk_id, h.score, h.highlights) for h in answer.hits])


def test_eight_threads_asking_at_once_get_the_answers_of_one_at_a_time(corpus_index, encoder):
    index = open_index(corpus_index, encoder)
    questions = load_questions()[:24]
    alone = [answer_of(index, encoder, q) for q in questions]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda q: answer_of(index, encoder, q), questions * 2))
    assert together == alone * 2
    assert any(hits for _, _, hits in alone)


def test_a_server_of_two_worker_processes_answers_as_the_library(tiny_index, encoder):
    port = concurrency.free_port()
    server = concurrency.start_server(tiny_index, port, workers=2)
    try:
        index = open_index(tiny_index, encoder)
        for question in ("Who won the school meals contract?", "youth clubs on Saturdays"):
            status, body = concurrency.post(port, "POST", "/ask", {"question": question})
            assert status == 200
            assert json.loads(body) == answer_json(search(index, encoder, question))
    finally:
        server.terminate()
        server.wait(30)
    assert server.returncode is not None


def test_the_concurrency_step_names_its_figures(tiny_index):
    questions = ["school meals contract", "youth clubs", "who serves the meals"]
    result = concurrency.run(tiny_index, questions)
    for mode in ("library", "app"):
        rows = result[mode]
        assert [row["clients"] for row in rows] == list(concurrency.CLIENTS)
        assert {row["asks"] for row in rows} == {concurrency.ROUNDS * len(questions)}
        assert rows[0]["vs_one_client"] == 1.0
        assert {"asks_per_s", "p50_ms", "p95_ms", "cpu_pressure_pct", "cpu_ms_per_ask",
                "cores_busy"} <= set(rows[0])
    assert result["batching"] == {}  # fewer questions than one batch: nothing measured


def test_an_opened_index_asks_with_one_blas_thread(corpus_index):
    """In a fresh process (a limit set by another test would hide a missing one)."""
    check = ("import json, sys, pathlib; from threadpoolctl import threadpool_info; "
             "from rag.backend import open_index; open_index(pathlib.Path(sys.argv[1])); "
             "print(json.dumps([p['num_threads'] for p in threadpool_info() "
             "if p['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", check, str(corpus_index)], capture_output=True,
                         text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    threads = json.loads(out.stdout)
    assert threads and set(threads) == {1}, threads
