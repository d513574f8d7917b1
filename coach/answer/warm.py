"""Every passage's quotable parts and words embedded before anyone asks: the parts a question
shortlists were most of a warm answer's time (see README, Speed)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from coach.answer.answerability import passage_words
from coach.answer.blocks import blocks_of
from coach.answer.parts import units_of
from coach.answer.retrieve import Source
from coach.answer.vectors import embed_units, not_embedded
from coach.index.store import IndexedChunk

log = logging.getLogger(__name__)

# Texts per call to the model: small enough that a question asked meanwhile waits little.
BATCH = 128


@dataclass(frozen=True)
class WarmReport:
    """What embedding the passages ahead did."""

    passages: int
    texts: int  # distinct parts and words of those passages
    embedded: int  # ... of which were not embedded yet
    seconds: float


def passage_texts(row: IndexedChunk) -> list[str]:
    """What answering embeds of a passage: each part as the quoting step scores it, and the
    words answerability matches missing words against."""
    source = Source.from_chunk(0, row.id, row.text, row.metadata)
    parts = [unit.embed_text for unit in units_of(source, blocks_of(source.text))]
    return parts + passage_words([f"{source.label} {source.text}"])


def warm_passages(embeddings: Embeddings, rows: Iterable[IndexedChunk]) -> WarmReport:
    """Embed the parts and words of these passages that are not embedded yet."""
    started = time.perf_counter()
    rows = list(rows)
    texts = list(dict.fromkeys(text for row in rows for text in passage_texts(row)))
    # Longest first, as the model batches: a batch pads to its longest text.
    missing = sorted(not_embedded(embeddings, texts), key=len, reverse=True)
    for start in range(0, len(missing), BATCH):
        embed_units(embeddings, missing[start : start + BATCH])
    report = WarmReport(len(rows), len(texts), len(missing), time.perf_counter() - started)
    log.info(
        "embedded %d parts and words of %d passages ahead of questions in %.1f s",
        report.embedded, report.passages, report.seconds,
    )
    return report
