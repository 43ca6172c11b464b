"""`rag bench`'s concurrency step: asks/s and latency with 1, 4 and 8 clients at once.

- library: N threads in this process calling `rag.ask.search` on one loaded index of the
  corpus, with the real encoder (what the Streamlit app does for N sessions);
- app: N HTTP clients (threads here, one keep-alive connection each) against `rag serve`
  running in its own process on 127.0.0.1, `workers` uvicorn processes;
- batching: whether encoding questions 8 to a run would pay (time and vectors against one
  question a run), the micro-batching that serving systems use.

Each level asks ROUNDS times the questions in all, after a warm-up. `cpu_pressure_pct` is the
share of the level's wall time some task on the machine waited for a CPU (Linux PSI); it
includes this step's own threads at 4 and 8 clients, so `idle_pressure_pct` (sampled with
this step asleep) says how loaded the machine was by others. `cpu_ms_per_ask` is the CPU
time of the answering process (this one, or the server's processes) per ask and `cores_busy`
its CPU seconds per wall second: these hold up under load where asks/s does not, and bound
what more clients can reach: on C cores, at most C / cores_busy(1 client) times one client.

    python -m eval.concurrency INDEX QUESTIONS.json [WORKERS]   (prints JSON)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

CLIENTS = (1, 4, 8)
ROUNDS = 2
BATCH = 8


def pressure() -> float | None:
    from eval.bench import cpu_pressure

    return cpu_pressure()


def idle_pressure(seconds: float = 2.0) -> float | None:
    before = pressure()
    time.sleep(seconds)
    after = pressure()
    return None if before is None else round(100 * (after - before) / seconds, 1)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc (0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def drive(ask: Callable[[str], object], questions: list[str], clients: int,
          pid: int | None = None) -> dict:
    """`clients` threads share ROUNDS x the questions, each asking its next one when done."""
    total, taken, lock = ROUNDS * len(questions), iter(range(ROUNDS * len(questions))), \
        threading.Lock()
    times: list[float] = []

    def client() -> None:
        while True:
            with lock:
                number = next(taken, None)
            if number is None:
                return
            began = time.perf_counter()
            ask(questions[number % len(questions)])
            times.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    before, began, cpu = pressure(), time.perf_counter(), cpu_seconds(pid or os.getpid())
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu = cpu_seconds(pid or os.getpid()) - cpu
    if len(times) != total:
        raise RuntimeError(f"{total - len(times)} of {total} asks failed (see stderr)")
    return {"clients": clients, "asks": total, "asks_per_s": round(total / wall, 1),
            "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1),
            "cpu_ms_per_ask": round(1000 * cpu / total, 1), "cores_busy": round(cpu / wall, 2),
            "cpu_pressure_pct": None if before is None else
            round(100 * (pressure() - before) / wall, 1)}


def levels(ask: Callable[[str], object], questions: list[str],
           pid: int | None = None) -> list[dict]:
    """One row per number of clients; `pid`: the process whose CPU time the asks use."""
    drive(ask, questions[:4], 4)  # warm caches, lazy imports and every server worker
    rows = [drive(ask, questions, n, pid) for n in CLIENTS]
    for row in rows:
        row["vs_one_client"] = round(row["asks_per_s"] / rows[0]["asks_per_s"], 2)
    return rows


def library(index_dir: Path, questions: list[str]) -> list[dict]:
    from rag.ask import open_session, search

    index, encoder, _ = open_session(index_dir, None)
    return levels(lambda question: search(index, encoder, question), questions)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(index_dir: Path, port: int, workers: int) -> subprocess.Popen:
    argv = [sys.executable, "-m", "rag.cli", "serve", "--index", str(index_dir),
            "--port", str(port)] + (["--workers", str(workers)] if workers > 1 else [])
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if post(port, "GET", "/health", None)[0] == 200:
                return server
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("rag serve did not answer /health within 120 s")


def post(port: int, method: str, path: str, body: dict | None, connection=None):
    import http.client

    http = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    http.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = http.getresponse()
    return response.status, response.read()


def app(index_dir: Path, questions: list[str], workers: int = 1) -> list[dict]:
    """HTTP clients against `rag serve`; one connection per client thread."""
    import http.client

    port = free_port()
    server = start_server(index_dir, port, workers)
    local = threading.local()

    def ask(question: str) -> None:
        if not hasattr(local, "http"):
            local.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, body = post(port, "POST", "/ask", {"question": question}, local.http)
        if status != 200:
            raise RuntimeError(f"/ask answered {status}: {body[:200]!r}")

    try:
        return levels(ask, questions, server.pid)
    finally:
        server.terminate()
        server.wait(30)


def batching(questions: list[str]) -> dict:
    """Questions encoded BATCH to a run against one a run: ms a question, and how far the
    batched vectors move (int8 activations are scaled per run, and short texts are padded)."""
    from rag.embedding import load_encoder

    encoder = load_encoder()
    groups = [questions[i: i + BATCH] for i in range(0, len(questions) - BATCH + 1, BATCH)]
    if not groups or not hasattr(encoder, "embed_batch"):  # torch batches its own way
        return {}
    texts = [q for group in groups for q in group]
    encoder.embed_batch(texts[:BATCH])  # warm-up
    one = best_ms(lambda: [encoder.embed_batch([q]) for q in texts]) / len(texts)
    batched = best_ms(lambda: [encoder.embed_batch(g) for g in groups]) / len(texts)
    single = np.vstack([encoder.embed_batch([q]) for q in texts])
    together = np.vstack([encoder.embed_batch(g) for g in groups])
    cosine = (single * together).sum(axis=1)
    return {"batch": BATCH, "one_a_run_ms_per_question": round(one, 2),
            "batched_ms_per_question": round(batched, 2),
            "batched_min_cosine": round(float(cosine.min()), 5)}


def best_ms(work: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return min(times)


def run(index_dir: Path, questions: list[str], workers: int = 1) -> dict:
    """The step's figures, as one dict for `rag bench --json`."""
    result = {"idle_pressure_pct": idle_pressure(), "library": library(index_dir, questions)}
    result["app"] = app(index_dir, questions)
    if workers > 1:
        result[f"app_{workers}_workers"] = app(index_dir, questions, workers)
    result["batching"] = batching(questions)
    result["idle_pressure_pct_after"] = idle_pressure()
    return result


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()),
                         int(sys.argv[3]) if len(sys.argv) > 3 else 1)))


def table_rows(result: dict) -> list[tuple[str, str]]:
    """`rag bench`'s table rows: asks/s (x one client) and p50 / p95 ms per level."""
    rows = []
    for mode in [m for m in result if m == "library" or m.startswith("app")]:
        for row in result[mode]:
            label = f"{mode.replace('_', ' ')}, {row['clients']} clients: asks/s (x one), p50/p95"
            value = f"{row['asks_per_s']} ({row['vs_one_client']}x), {row['p50_ms']} / " \
                    f"{row['p95_ms']} ms"
            rows.append((label, value))
    return rows
