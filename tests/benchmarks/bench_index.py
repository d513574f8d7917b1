"""Indexing benchmark: full index vs raw embedding of the same chunks, and an unchanged re-run.

Run with `make bench`. Prints ratios measured side by side in this one run, plus peak memory.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from coach.compose import Coach
from coach.config import load_settings
from coach.index.embeddings import make_embeddings
from coach.ingest.chunking import split_document
from coach.ingest.documents import discover, load_document

REPO = Path(__file__).resolve().parents[2]
REALWORLD = REPO.parent / "shared" / "realworld" / "gitlab-handbook"
log = logging.getLogger("bench")


def build_corpus(target: Path) -> Path:
    """Our knowledge folder plus the real-world handbook pages, side by side."""
    shutil.copytree(REPO / "knowledge", target / "ours")
    if REALWORLD.is_dir():
        shutil.copytree(REALWORLD, target / "realworld")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternate raw/index this many times")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory() as tmp:
        root = build_corpus(Path(tmp) / "kb")
        settings = load_settings(knowledge_dir=root, data_dir=Path(tmp) / "data")
        embeddings = make_embeddings(settings)
        files, _ = discover(root)
        texts = [
            chunk.embed_text
            for path in files
            for chunk in split_document(
                load_document(path, root, settings), settings.chunk_size, settings.chunk_overlap
            )
        ]
        embeddings.embed_documents(texts[:64])  # load the model and warm up outside the timing

        raw_times, index_times = [], []
        for round_no in range(args.rounds):
            started = time.perf_counter()
            embeddings.embed_documents(texts)
            raw_times.append(time.perf_counter() - started)
            # A fresh data folder each round: Chroma caches clients per path.
            settings = settings.model_copy(update={"data_dir": Path(tmp) / f"data-{round_no}"})
            coach = Coach(settings)  # what `coach index` runs: the sync and the BM25 rebuild
            coach.store  # noqa: B018 - connecting to Chroma is set-up, not indexing throughput
            started = time.perf_counter()
            coach.sync()
            index_times.append(time.perf_counter() - started)
            log.info(
                "round %d: raw %.1f s, index %.1f s", round_no + 1, raw_times[-1], index_times[-1]
            )
        started = time.perf_counter()
        coach.sync()
        rerun_s = time.perf_counter() - started

    # The machine is noisy (+-10% between identical runs): pair each index run with the raw run
    # beside it and take the median ratio.
    ratio = statistics.median(r / i for r, i in zip(raw_times, index_times, strict=True))
    full = statistics.median(index_times)
    result = {
        "files": len(files),
        "chunks": len(texts),
        "rounds": args.rounds,
        "round_ratios": [round(r / i, 2) for r, i in zip(raw_times, index_times, strict=True)],
        "raw_embed_chunks_per_s": round(len(texts) / statistics.median(raw_times), 1),
        "full_index_chunks_per_s": round(len(texts) / full, 1),
        "index_vs_raw_throughput": round(ratio, 3),
        "full_index_s": round(full, 2),
        "unchanged_rerun_s": round(rerun_s, 3),
        "rerun_vs_full": round(rerun_s / full, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))  # noqa: T201 - the benchmark's output
    print(  # noqa: T201
        f"index throughput {result['index_vs_raw_throughput']:.2f}x raw embedding "
        f"(target >= 0.85); unchanged re-run {result['rerun_vs_full']:.2%} of a full index "
        f"(target <= 3%); peak memory {result['peak_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
