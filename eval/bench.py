"""`rag bench`: speed against the model's own bound and against a LlamaIndex peer, in one run.

Every figure is measured here, on this machine, in this run: the model alone, a full
ingest from scratch and an unchanged re-ingest (each a fresh `rag ingest` process), the
ask path on synthesised indexes of growing size (eval/scale.py), the time from a fresh
process to a first answer, and LlamaIndex's default pipeline on the same corpus and model.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rag import config

log = logging.getLogger(__name__)
ENCODE_SAMPLE = 384  # chunks the raw encoding rate is measured on (evenly spread)
HERE = Path(__file__).resolve().parent
BENCH_VENV = HERE.parent / ".venv-bench"
PEER_SCRIPT = HERE / "bench_peer.py"
FALLBACK_QUESTIONS = ["What did Ofsted find about services for looked after children?",
                      "Who won the school meals contract?", "youth club funding"]
APP = HERE.parent / "ui" / "app.py"


def run(corpus: Path, sizes: list[int], peer: bool = True,
        progress: Callable[[str], None] = lambda stage: None) -> dict:
    """All the figures, as one flat-as-possible dict (per-size figures in `query`)."""
    pressure = cpu_pressure()
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as work:
        work = Path(work)
        questions = work / "questions.json"
        questions.write_text(json.dumps(load_questions()))
        result = {"backend": config.ENCODER_BACKEND}
        progress("encoding the corpus's chunks with the model alone")
        _, _, out = child([sys.executable, "-m", "eval.bench", "encode", str(corpus)])
        result |= json.loads(out)  # in a child, so this process stays small (see child())
        progress("ingesting the corpus from scratch, then again unchanged")
        result |= ingest_figures(corpus, work / "index")
        progress("opening the index in a fresh process for a first answer")
        result |= first_answer(work / "index", questions)
        result |= app_first_answer(work / "index", corpus, json.loads(questions.read_text())[0])
        result["query"] = []
        for size in sizes:
            progress(f"synthesising and searching {size:,} chunks")
            result["query"].append(scale(size, work / f"scale-{size}", corpus, questions))
        if peer:
            progress("running the LlamaIndex peer on the same corpus")
            result |= peer_figures(corpus, questions)
        result |= ratios(result)
        progress("asking with 1, 4 and 8 clients at once (library, then rag serve)")
        result["concurrency"] = json.loads(child([sys.executable, "-m", "eval.concurrency",
                                                  str(work / "index"), str(questions), "2"])[2])
    result["cpu_pressure_pct"] = round(100 * (cpu_pressure() - pressure) / elapsed(), 1) \
        if pressure is not None else None
    return result


_STARTED = time.perf_counter()


def elapsed() -> float:
    return time.perf_counter() - _STARTED


def cpu_pressure() -> float | None:
    """Seconds some task here waited for a CPU (Linux PSI): other workers' contention."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None
    return int(line.rsplit("total=", 1)[1]) / 1e6


def load_questions() -> list[str]:
    try:
        rows = [json.loads(line) for line in config.EVAL_QUESTIONS.read_text().splitlines()
                if line.strip()]
        return [row["question"] for row in rows] or FALLBACK_QUESTIONS
    except (OSError, ValueError, KeyError):
        return FALLBACK_QUESTIONS


def corpus_texts(corpus: Path) -> list[str]:
    """The texts ingest embeds: each chunk with its context header."""
    from rag.chunking import ChunkSettings
    from rag.ingest import find_files, ingest_file
    from rag.loading import Limits
    from rag.store import Store

    stored = Store(Path(tempfile.gettempdir()), ("", 0), {})  # never published
    for path in find_files([corpus]):
        ingest_file(path, stored, {}, "public", Limits(), ChunkSettings())
    return [text for entry in stored.entries.values() for text in entry.texts]


def raw_encode(corpus: Path) -> dict:
    """The bound: chunks per second of the model alone, default backend and torch."""
    from rag.embedding import load_encoder

    texts = corpus_texts(corpus)
    n = min(ENCODE_SAMPLE, len(texts))
    sample = [texts[i * len(texts) // n] for i in range(n)]  # spread over the whole corpus
    rates = {}
    for backend in dict.fromkeys([config.ENCODER_BACKEND, "torch"]):
        encoder = load_encoder(backend=backend)
        encoder.embed(sample[:8])  # warm-up
        began = time.perf_counter()
        encoder.embed(sample)
        rates[backend] = round(len(sample) / (time.perf_counter() - began), 1)
    return {"corpus_chunks": len(texts), "raw_encode_sample": len(sample),
            "raw_encode_chunks_per_s": rates[config.ENCODER_BACKEND],
            "raw_encode_chunks_per_s_torch": rates["torch"]}


def child(argv: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run a process; its wall seconds, its peak RSS (MB, from wait4) and its stdout.

    Linux carries the parent's peak RSS into the child, so the parent stays small.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, text=True,
                                   env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if process.returncode:
            raise RuntimeError(f"{' '.join(argv[:4])} failed: {err.read().strip()[-400:]}")
        return wall, round(usage.ru_maxrss / 1024, 1), out.read()


def ingest_figures(corpus: Path, index_dir: Path) -> dict:
    argv = [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(index_dir)]
    wall, rss, _ = child(argv)
    chunks = json.loads((index_dir / "current" / "manifest.json").read_text())["chunks"]
    again, _, _ = child(argv)
    return {"ingest_s": round(wall, 2), "ingest_chunks_per_s": round(chunks / wall, 1),
            "ingest_peak_rss_mb": rss, "reingest_unchanged_s": round(again, 2)}


def ratios(result: dict) -> dict:
    """The issue's ratios, within this run: ingest against the model's own encode rate (the
    same chunks), and the peer's wall time for the same corpus against ours."""
    out = {}
    if result.get("raw_encode_chunks_per_s") and result.get("ingest_chunks_per_s"):
        out["ingest_over_encode"] = round(result["ingest_chunks_per_s"]
                                          / result["raw_encode_chunks_per_s"], 3)
    if result.get("peer_llamaindex_ingest_s") and result.get("ingest_s"):
        out["peer_wall_over_ours"] = round(result["peer_llamaindex_ingest_s"]
                                           / result["ingest_s"], 2)
    return out


def first_answer(index_dir: Path, questions: Path) -> dict:
    """A fresh process to its first answer, then the real ask path's latency on the corpus."""
    began = time.time()
    script = str(HERE / "first_answer.py")
    _, rss, out = child([sys.executable, script, str(index_dir), str(questions)])
    answered, times = out.strip().splitlines()[-2:]
    times = json.loads(times) or [0.0]
    return {"first_answer_s": round(float(answered) - began, 2), "first_answer_peak_rss_mb": rss,
            "first_answer_how": "fresh python process: import, load_encoder, open_index, "
                                "one rag.ask.search (library path, not the Streamlit app)",
            "corpus_query_p50_ms": round(percentile(times, 50), 1),
            "corpus_query_p95_ms": round(percentile(times, 95), 1)}


def app_first_answer(index_dir: Path, corpus: Path, question: str) -> dict:
    """The Streamlit app (through AppTest, in a fresh process) from start to a first answer."""
    if not APP.exists():
        return {}
    try:
        script = str(HERE / "app_first_answer.py")
        wall, rss, out = child([sys.executable, script, str(APP), question],
                               env={"RAG_INDEX": str(index_dir), "RAG_CORPUS": str(corpus)})
    except RuntimeError as exc:
        log.warning("the app did not answer: %s", exc)
        return {"app_first_answer_error": str(exc)[-300:]}
    errors = json.loads(out.strip().splitlines()[-1])
    return {"app_first_answer_s": round(wall, 2), "app_first_answer_peak_rss_mb": rss,
            **({"app_first_answer_error": errors[0][:300]} if errors else {})}


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q))


def scale(size: int, folder: Path, corpus: Path, questions: Path) -> dict:
    """Build a synthetic index of `size` chunks, then time the ask path on it."""
    import shutil

    module = [sys.executable, "-m", "eval.scale"]
    _, build_rss, out = child([*module, "build", str(size), str(folder), str(corpus),
                                  str(questions)])
    built = json.loads(out)
    _, _, out = child([*module, "check", str(folder), str(questions)])
    built |= json.loads(out)
    _, query_rss, out = child([*module, "query", str(folder), str(questions)])
    searched = json.loads(out)
    index_mb = sum(p.stat().st_size for p in (folder / "current").resolve().rglob("*")
                   if p.is_file()) / 2**20
    shutil.rmtree(folder, ignore_errors=True)
    searches = built["vector_p95_ms"] + searched["bm25_p95_ms"]
    searched["ask_p95_over_searches"] = round(searched["query_p95_ms"] / searches, 2)
    return {"chunks": size, **built, **searched, "peak_rss_mb": query_rss,
            "build_peak_rss_mb": build_rss, "index_mb": round(index_mb, 1)}


def peer_figures(corpus: Path, questions: Path) -> dict:
    """LlamaIndex's default pipeline, from .venv-bench when there is one."""
    python = BENCH_VENV / "bin" / "python"
    python = str(python) if python.exists() else sys.executable
    try:
        _, rss, out = child([python, str(PEER_SCRIPT), str(corpus), str(config.model_path()),
                             str(questions)], env={"TOKENIZERS_PARALLELISM": "false"})
    except RuntimeError as exc:
        log.warning("LlamaIndex peer did not run: %s", exc)
        return {"peer_llamaindex_error": str(exc)[-300:]}
    figures = json.loads(out.strip().splitlines()[-1])
    return {f"peer_llamaindex_{k}": v for k, v in {**figures, "peak_rss_mb": rss}.items()}


def bench_table(result: dict):
    """The figures as a rich table: ours beside the peer's, then one row per index size."""
    from rich.table import Table

    table = Table(title=f"rag bench ({result.get('backend')} encoder, "
                        f"CPU pressure {result.get('cpu_pressure_pct')} %)")
    for column in ("measure", "rag", "LlamaIndex peer"):
        table.add_column(column)
    rows = [("raw encode, chunks/s", "raw_encode_chunks_per_s", None),
            ("raw encode (torch), chunks/s", "raw_encode_chunks_per_s_torch", None),
            ("ingest, chunks/s (same chunks as raw encode)", "ingest_chunks_per_s", None),
            ("ingest / raw encode rate", "ingest_over_encode", None),
            ("ingest of the corpus, wall s (same corpus, same model)", "ingest_s", "ingest_s"),
            ("peer wall / our wall", "peer_wall_over_ours", None),
            ("ingest peak RSS, MB", "ingest_peak_rss_mb", "peak_rss_mb"),
            ("re-ingest unchanged, s", "reingest_unchanged_s", None),
            ("first answer, fresh process, s", "first_answer_s", None),
            ("first answer, Streamlit app, s", "app_first_answer_s", None),
            ("corpus query p50, ms", "corpus_query_p50_ms", "query_p50_ms"),
            ("corpus query p95, ms", "corpus_query_p95_ms", "query_p95_ms")]
    for label, ours, theirs in rows:
        table.add_row(label, str(result.get(ours, "")) if ours else "",
                      str(result.get(f"peer_llamaindex_{theirs}", "")) if theirs else "")
    for size in result.get("query", []):
        table.add_row(f"{size['chunks']:,} chunks ({size['index']}): p50 / p95 ms (first "
                      "round's p95)", f"{size['query_p50_ms']} / {size['query_p95_ms']} "
                      f"({size.get('cold_query_p95_ms', '')})", "")
        table.add_row("  vector p95 + BM25 p95 ms, ask p95 over them",
                      f"{size['vector_p95_ms']} + {size['bm25_p95_ms']}, "
                      f"{size['ask_p95_over_searches']}x", "")
        table.add_row("  recall vs exact, RSS MB (build, serving), index MB",
                      f"{size['recall_vs_exact']}, {size['build_peak_rss_mb']} / "
                      f"{size['peak_rss_mb']}, {size['index_mb']}", "")
    from eval.concurrency import table_rows

    for row in table_rows(result.get("concurrency", {})):
        table.add_row(*row, "")
    return table


if __name__ == "__main__" and sys.argv[1:2] == ["encode"]:
    print(json.dumps(raw_encode(Path(sys.argv[2]))))
