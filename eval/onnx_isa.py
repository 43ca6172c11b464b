"""The int8 ONNX encoder on other instruction sets, emulated: how far each is from torch.

ONNX Runtime's MLAS picks its int8 GEMM kernels by what CPUID reports (AMX, AVX-512 VNNI,
AVX-VNNI, AVX-512, AVX2, SSE4.1), and they round and saturate differently. qemu-user
(Debian's `qemu-user`) runs the same Python as a CPU that lacks the newer sets, so one machine
measures several (eval/BENCHMARKS.md, "ONNX encoder across instruction sets"):

    python eval/onnx_isa.py torch /tmp/isa/torch.npz       # the reference, natively
    python eval/onnx_isa.py onnx /tmp/isa/native.npz
    qemu-x86_64 -cpu Haswell .venv/bin/python eval/onnx_isa.py onnx /tmp/isa/avx2.npz
    qemu-x86_64 -cpu Nehalem .venv/bin/python eval/onnx_isa.py onnx /tmp/isa/sse42.npz
    python eval/onnx_isa.py report /tmp/isa/torch.npz /tmp/isa/native.npz ...

Each file records the instruction sets CPUID reported to that run (numpy reads CPUID, as MLAS
does; /proc/cpuinfo under qemu-user is the host's). qemu 7.2's TCG has no AVX-512, so
`-cpu Skylake-Server` and `-cpu Cascadelake-Server` report AVX2 only, like Haswell.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from rag import config

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("SSE42", "AVX", "AVX2", "AVX512F", "AVX512VNNI", "AVX512_SPR")


def dev_set() -> tuple[list[dict], list[str]]:
    """The dev questions, and every gold passage of both councils' sets to rank."""
    def rows(path: Path) -> list[dict]:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    dev = rows(ROOT / config.EVAL_QUESTIONS)
    passages = sorted({e for r in dev + rows(ROOT / "eval/other-councils.jsonl")
                       for e in r.get("evidence", [])})
    return dev, passages


def agreement(ours: tuple[np.ndarray, np.ndarray], theirs: tuple[np.ndarray, np.ndarray],
              dev: list[dict], passages: list[str]) -> dict[str, float]:
    """Cosine of each vector to the reference's, and how far the dev ranking agrees."""
    cosines = np.concatenate([(a * b).sum(1) for a, b in zip(ours, theirs)])
    our_order, their_order = (np.argsort(-(q @ p.T), axis=1) for q, p in (ours, theirs))
    overlap = np.mean([len(set(a[:5]) & set(b[:5])) / 5 for a, b in zip(our_order, their_order)])
    return {"mean_cosine": float(cosines.mean()), "worst_cosine": float(cosines.min()),
            "top1_agreement": float((our_order[:, 0] == their_order[:, 0]).mean()),
            "top5_overlap": float(overlap),
            "recall_at_5": recall_at_5(dev, passages, our_order),
            "reference_recall_at_5": recall_at_5(dev, passages, their_order)}


def recall_at_5(dev: list[dict], passages: list[str], order: np.ndarray) -> float:
    found = [bool(set(order[:5]) & {passages.index(e) for e in row["evidence"]})
             for row, order in zip(dev, order) if row.get("evidence")]
    return sum(found) / len(found)


def cpu_features() -> list[str]:
    """The instruction sets this (possibly emulated) CPU reports, as numpy detects them."""
    from numpy._core._multiarray_umath import __cpu_features__ as found

    return [name for name in FEATURES if found.get(name)]


def embed(backend: str, out: Path) -> None:
    from rag.embedding import load_encoder

    dev, passages = dev_set()
    encoder = load_encoder(backend=backend)
    np.savez(out, questions=encoder.embed([row["question"] for row in dev]),
             passages=encoder.embed(passages), features=np.array(cpu_features()))


def report(reference: Path, measured: list[Path]) -> list[dict]:
    dev, passages = dev_set()
    ref = np.load(reference)
    rows = []
    for path in measured:
        ours = np.load(path)
        rows.append({"file": path.name, "cpu": " ".join(ours["features"].tolist()),
                     **agreement((ours["questions"], ours["passages"]),
                                 (ref["questions"], ref["passages"]), dev, passages)})
    return rows


if __name__ == "__main__":
    if sys.argv[1] == "report":
        print(json.dumps(report(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]), indent=1))
    else:
        embed(sys.argv[1], Path(sys.argv[2]))
