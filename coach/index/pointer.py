"""The index's shared state in Chroma: which collection is live, its generation, and who indexes.

Every reader (app replicas, `coach ask`) reads the pointer before answering and follows it when
it moved; every sync writes it last. It lives in Chroma itself, so processes on other machines
sharing a Chroma server see the same one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from coach.errors import IndexBusyError, StoreError

log = logging.getLogger(__name__)

STATE_SUFFIX = "__state"  # the state collection is named after the configured collection
LIVE = "live"
LEASE = "lease"
LEASE_S = 60.0  # an indexer renews its lease well within this; a crashed one's lapses after it


@dataclass(frozen=True)
class IndexState:
    """The live collection's name, how many syncs have changed it (0: never recorded), and the
    identity of its rows when it was published (what its keyword index was built from)."""

    collection: str
    generation: int = 0
    fingerprint: str = ""


def holder_name() -> str:
    """Who holds a lease: host, process and a random part (two runs never look alike)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Pointer:
    """The one-row-per-fact state collection beside the chunks (tiny vectors, never searched)."""

    def __init__(self, client: Any, base: str, call) -> None:
        self.base = base
        self._call = call  # the store's call wrapper: one-line errors, "unavailable" on outages
        self.collection = call(
            client.get_or_create_collection,
            name=base + STATE_SUFFIX,
            metadata={"hnsw:space": "cosine"},
            embedding_function=None,
        )

    def read(self) -> IndexState:
        """The live collection and generation (the configured name and 0 before any sync)."""
        meta = self._row(LIVE)
        if meta is None:
            return IndexState(self.base)
        return IndexState(
            str(meta["collection"]), int(meta["generation"]), str(meta.get("fingerprint", ""))
        )

    def write(self, state: IndexState) -> None:
        """Point readers at `state` (the last write of every sync)."""
        self._put(
            LIVE,
            {
                "collection": state.collection,
                "generation": state.generation,
                "fingerprint": state.fingerprint,
            },
        )

    def take_lease(self, holder: str, seconds: float = LEASE_S) -> None:
        """Become the one indexer (on any machine), or say who is; a lapsed lease is taken over."""
        lease = self._row(LEASE)
        now = _now()
        if lease is not None and lease["holder"] != holder and float(lease["until"]) > now:
            raise IndexBusyError(
                f"another `coach index` ({lease['holder']}) is updating this index; "
                f"its lease runs until {_clock(float(lease['until']))} unless renewed"
            )
        self._put(LEASE, {"holder": holder, "until": now + seconds})
        # Two indexers that read a free lease at the same moment both wrote; the later write
        # won, and the earlier one steps back here.
        confirmed = self._row(LEASE)
        if confirmed is None or confirmed["holder"] != holder:
            raise IndexBusyError("another `coach index` took the index lease at the same moment")

    def renew_lease(self, holder: str, seconds: float = LEASE_S) -> None:
        """Extend a lease this holder has (during a long sync)."""
        self._put(LEASE, {"holder": holder, "until": _now() + seconds})

    def release_lease(self, holder: str) -> None:
        """Give the lease up, if it is still this holder's."""
        lease = self._row(LEASE)
        if lease is not None and lease["holder"] == holder:
            self._call(self.collection.delete, ids=[LEASE])

    def _row(self, row_id: str) -> dict[str, Any] | None:
        got = self._call(self.collection.get, ids=[row_id], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else None

    def _put(self, row_id: str, meta: dict[str, Any]) -> None:
        self._call(self.collection.upsert, ids=[row_id], embeddings=[[1.0]], metadatas=[meta])


def _now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()


def _clock(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%H:%M:%S UTC")


@contextmanager
def hold_lease(pointer: Pointer, wait: float) -> Iterator[None]:
    """Hold the index lease (waiting up to `wait` s for another holder), renewed while held."""
    holder = holder_name()
    deadline = time.monotonic() + wait
    while True:
        try:
            pointer.take_lease(holder)
            break
        except IndexBusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0.0)))
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LEASE_S / 3):
            try:
                pointer.renew_lease(holder)
            except StoreError as exc:  # Chroma away for a moment: the next renewal may land
                log.warning("could not renew the index lease: %s", exc)

    renewing = threading.Thread(target=renew, name="coach-lease", daemon=True)
    renewing.start()
    try:
        yield
    finally:
        done.set()
        try:
            pointer.release_lease(holder)
        except StoreError as exc:  # it lapses by itself
            log.warning("could not release the index lease: %s", exc)
