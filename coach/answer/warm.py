"""Every passage's quotable parts and words embedded before anyone asks: the parts a question
shortlists were most of a warm answer's time (see README, Speed)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import TypeVar

from langchain_core.embeddings import Embeddings

from coach.answer.answerability import passage_words
from coach.answer.blocks import blocks_of
from coach.answer.parts import units_of
from coach.answer.retrieve import Source
from coach.answer.vectors import embed_units, not_embedded
from coach.index.store import IndexedChunk

log = logging.getLogger(__name__)

# Texts per call to the model: small enough that a question asked meanwhile waits little.
BATCH = 32
GIVE_WAY_S = 5.0  # the longest a batch waits for questions to be answered before it runs

T = TypeVar("T")


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


class Answering:
    """The questions being answered now: embedding ahead gives way to them, since both want
    the same cores (two app replicas embedding at once slowed answers to seconds)."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def during(self, produced: Generator[str, None, T]) -> Generator[str, None, T]:
        """The answer's generator, counted as answering until it ends or is closed."""
        with self._idle:
            self._count += 1
        try:
            return (yield from produced)
        finally:
            with self._idle:
                self._count -= 1
                self._idle.notify_all()

    def give_way(self) -> None:
        """Wait until no question is being answered (at most GIVE_WAY_S: one never closed
        must not stop embedding ahead for good)."""
        with self._idle:
            self._idle.wait_for(lambda: self._count == 0, timeout=GIVE_WAY_S)


def warm_passages(
    embeddings: Embeddings,
    rows: Iterable[IndexedChunk],
    give_way: Callable[[], None] = lambda: None,
) -> WarmReport:
    """Embed the parts and words of these passages that are not embedded yet, calling
    `give_way` before each batch."""
    started = time.perf_counter()
    rows = list(rows)
    texts = list(dict.fromkeys(text for row in rows for text in passage_texts(row)))
    # Longest first, as the model batches: a batch pads to its longest text.
    missing = sorted(not_embedded(embeddings, texts), key=len, reverse=True)
    for start in range(0, len(missing), BATCH):
        give_way()
        embed_units(embeddings, missing[start : start + BATCH])
    report = WarmReport(len(rows), len(texts), len(missing), time.perf_counter() - started)
    log.info(
        "embedded %d parts and words of %d passages ahead of questions in %.1f s",
        report.embedded, report.passages, report.seconds,
    )
    return report
