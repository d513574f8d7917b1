"""The bundled MiniLM on ONNX Runtime against the same model on torch (sentence-transformers):
loading, a question, a question's candidate parts, a batch of chunks. Side by side in one run,
alternating; run with `make bench`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from coach.config import default_model_cache
from coach.index import minilm
from coach.index.embeddings import SentenceTransformerMiniLM

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 30
BULK_ROUNDS = 3


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "knowledge").rglob("*.md"))]
    question = ["How long is the Renewals rotation, and who can apply?"]
    parts = [text[300:580] for text in texts[:10]]  # a question's ten candidate parts
    chunks = [text[i : i + 1200] for text in texts for i in range(0, len(text), 1200)][:256]
    cache = default_model_cache()
    minilm.load(cache)  # the once-per-machine export, if not made yet, is not what is measured
    # Loading: ONNX first, so its small imports are not already paid by torch's.
    load_onnx = timed(lambda: minilm.load(cache))
    onnx = minilm.load(cache)
    load_torch = timed(SentenceTransformerMiniLM)
    torch = SentenceTransformerMiniLM()
    spent: dict[str, dict[str, list[float]]] = {"onnx": {}, "torch": {}}
    for model in (onnx, torch):  # warm both once
        model.encode(parts, 32)
    for round_ in range(ROUNDS):
        for name, model in (("onnx", onnx), ("torch", torch))[:: 1 if round_ % 2 else -1]:
            spent[name].setdefault("question", []).append(
                timed(lambda m=model: m.encode(question, 32))
            )
            spent[name].setdefault("parts", []).append(timed(lambda m=model: m.encode(parts, 32)))
            if round_ < BULK_ROUNDS:
                spent[name].setdefault("chunks", []).append(
                    timed(lambda m=model: m.encode(chunks, 32))
                )
    medians = {
        name: {key: statistics.median(values) * 1000 for key, values in times.items()}
        for name, times in spent.items()
    }
    rows = [
        ("load the model, imports included (s)", load_onnx, load_torch),
        ("embed a question, p50 (ms)", medians["onnx"]["question"], medians["torch"]["question"]),
        (
            "embed a question's 10 candidate parts, p50 (ms)",
            medians["onnx"]["parts"],
            medians["torch"]["parts"],
        ),
        (
            f"embed {len(chunks)} chunks of up to 1,200 characters, p50 (ms)",
            medians["onnx"]["chunks"],
            medians["torch"]["chunks"],
        ),
    ]
    lines = ["| measure | ONNX Runtime | torch | onnx / torch |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {what} | {a:.2f} | {b:.2f} | {a / b:.2f}x |" for what, a, b in rows]
    print("\n".join(lines))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
