"""The index keeper: the live store and keyword index, in step with syncs here and elsewhere."""

from __future__ import annotations

import functools
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple
from pathlib import Path

from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings

from coach.config import Settings
from coach.errors import IndexBusyError, StoreError
from coach.index.embeddings import embedding_id
from coach.index.keyword import KeywordIndex, fingerprint_of, keyword_index_for
from coach.index.ladder import Ladder, build_ladder
from coach.index.pointer import IndexState, hold_lease
from coach.index.store import (
    KnowledgeStore,
    drop_collections,
    new_collection_name,
    open_pointer,
    open_store,
    orphans_of,
)
from coach.index.sync import SyncReport, sync
from coach.personas import audiences_for

log = logging.getLogger(__name__)

FOLLOW_S = 1.0  # a reader checks the index's pointer at most this often (the freshness bound)
REBUILD_GRACE_S = 3.0  # a replaced collection stays this long for questions begun on it


class IndexKeeper:
    """The store, the keyword index and the ladder read from them, always of one index state."""

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        # Ladders per persona, with the index state they were read at.
        self._ladders: dict[str, tuple[IndexState, Ladder]] = {}
        self._checked = float("-inf")  # when follow() last looked
        self._following = threading.Lock()

    @functools.cached_property
    def store(self) -> KnowledgeStore:
        """The Chroma collection."""
        return open_store(self.settings, embedding_id(self.settings))

    @functools.cached_property
    def keywords(self) -> KeywordIndex:
        """The BM25 index, checked against the store and rebuilt if it lags behind."""
        return keyword_index_for(self.store, self.keyword_dir)

    @property
    def keyword_dir(self) -> Path:
        """Where this data dir keeps the BM25 index of the live collection."""
        return self._keyword_dir(self.store.state.collection)

    def _keyword_dir(self, collection: str) -> Path:
        return self.settings.data_dir / "keyword" / collection

    def ladder(self, persona: str) -> Ladder:
        """The career ladder as the persona may see it (read from the index's metadata once,
        and again after a sync here or elsewhere)."""
        key = self.store.state
        cached = self._ladders.get(persona)
        if cached is None or cached[0] != key:
            rows = (row.metadata for row in self.store.metadatas())
            cached = self._ladders[persona] = (key, build_ladder(rows, audiences_for(persona)))
        return cached[1]

    def follow(self, force: bool = False) -> bool:
        """Catch up with syncs made elsewhere (`coach index --watch`, another replica or
        machine): when the index's pointer moved, reopen the store, reload the keyword index and
        forget cached ladders. Checked at most every FOLLOW_S; True if it caught up."""
        now = time.monotonic()
        if not force and now - self._checked < FOLLOW_S:
            return False  # checked a moment ago
        if not self._following.acquire(blocking=force):
            return False  # another thread is catching up right now
        try:
            self._checked = now
            store = self.store
            live = store.pointer.read() if store.pointer is not None else store.state
            if live == store.state:
                return False
            log.info("the index moved to %s, generation %d: reloading", *astuple(live)[:2])
            # An embedded index is reopened from disk; a server's is always current.
            fresh = open_store(
                self.settings, embedding_id(self.settings), fresh=not self.settings.chroma_url
            )
            keywords = keyword_index_for(fresh, self._keyword_dir(fresh.state.collection))
            self._use(fresh, keywords)
            return True
        finally:
            self._following.release()

    def _use(self, store: KnowledgeStore, keywords: KeywordIndex) -> None:
        """Answer from this store and keyword index from now on (questions under way finish on
        the ones they started with)."""
        self.store, self.keywords = store, keywords
        self._ladders.clear()

    def sync(self, progress: bool = False, rebuild: bool = False, wait: float = 0) -> SyncReport:
        """Sync knowledge/ into the index, one indexer at a time (waiting `wait` s for another):
        in place, or with `rebuild` into a new collection that replaces the live one once it is
        complete. The pointer is written last: readers only ever see a finished sync."""
        try:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            with self._sole_indexer(wait):
                if rebuild:
                    return self._rebuild(progress)
                self.follow(force=True)  # from what another process left, not a stale copy
                report = sync(self.settings, self.store, self.embeddings, progress=progress)
                self._publish(self.store, bool(report.added or report.updated or report.removed))
                return report
        except OSError as exc:
            raise StoreError(
                f"cannot use the data folder {self.settings.data_dir}: {exc}"
            ) from None

    def _rebuild(self, progress: bool) -> SyncReport:
        """Embed everything into a new collection beside the live one, switch readers to it,
        then drop the old one (after a grace period for questions begun on it)."""
        embedding = embedding_id(self.settings)
        building = open_store(self.settings, embedding, name=new_collection_name(self.settings))
        previous = building.pointer.read()
        report = sync(self.settings, building, self.embeddings, progress=progress)
        self._publish(building, changed=True)
        time.sleep(REBUILD_GRACE_S)
        drop_collections(self.settings, [previous.collection])
        shutil.rmtree(self._keyword_dir(previous.collection), ignore_errors=True)
        return report

    def _publish(self, store: KnowledgeStore, changed: bool) -> None:
        """After a sync: when anything changed (or an interrupted run left the pointer behind),
        rebuild the keyword index, then bump the generation: every reader follows."""
        live = store.pointer.read()
        rows = store.ids_and_audiences()
        fingerprint = fingerprint_of([r.id for r in rows], [r.audience for r in rows])
        folder = self._keyword_dir(store.state.collection)
        current = live.collection == store.state.collection and live.fingerprint == fingerprint
        if current and not changed and (folder / "rows.json").exists():
            return
        keywords = KeywordIndex.build(store)  # before the pointer: readers find it ready
        keywords.save(folder)
        store.state = IndexState(store.state.collection, live.generation + 1, fingerprint)
        store.pointer.write(store.state)
        self._use(store, keywords)

    @contextmanager
    def _sole_indexer(self, wait: float) -> Iterator[None]:
        """One sync at a time: a lock file in the data folder, and with a Chroma server a lease
        in Chroma too, so indexers on other machines wait or stop with a clear message."""
        try:
            lock = FileLock(self.settings.data_dir / "index.lock")
            with lock.acquire(timeout=wait):
                if not self.settings.chroma_url:
                    drop_collections(self.settings, orphans_of(self.settings))
                    yield
                    return
                with hold_lease(open_pointer(self.settings), wait):
                    # What a rebuild killed halfway left behind: no other indexer is running.
                    drop_collections(self.settings, orphans_of(self.settings))
                    yield
        except Timeout:
            raise IndexBusyError(
                f"another `coach index` is already running on {self.settings.data_dir}"
            ) from None
