"""The one place that builds coach's parts from settings; the CLI and the UI both use it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings

from coach.config import Settings
from coach.embeddings import embedding_id, make_embeddings
from coach.errors import CoachError, StoreError
from coach.indexer import SyncReport, sync
from coach.store import KnowledgeStore, open_store


@dataclass
class Coach:
    """Settings plus lazily built parts: nothing heavy happens until it is needed."""

    settings: Settings

    @functools.cached_property
    def embeddings(self) -> Embeddings:
        """The embedding model (loaded on first embed, not here)."""
        return make_embeddings(self.settings)

    @functools.cached_property
    def store(self) -> KnowledgeStore:
        """The Chroma collection."""
        return open_store(self.settings, embedding_id(self.settings))

    def sync(self, progress: bool = False, rebuild: bool = False) -> SyncReport:
        """Sync knowledge/ into the store, one sync at a time per data dir."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.settings.data_dir / "index.lock")
        try:
            with lock.acquire(timeout=0):
                if rebuild:
                    self.store = open_store(
                        self.settings, embedding_id(self.settings), rebuild=True
                    )
                return sync(self.settings, self.store, self.embeddings, progress=progress)
        except Timeout:
            raise CoachError(
                f"another `coach index` is already running on {self.settings.data_dir}"
            ) from None
        except OSError as exc:
            raise StoreError(
                f"cannot use the data folder {self.settings.data_dir}: {exc}"
            ) from None
