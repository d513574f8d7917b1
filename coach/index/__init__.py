"""Index: embed Chunks and keep Chroma (and the BM25 index) in step with the knowledge folder."""

from coach.index.store import KnowledgeStore, open_store
from coach.index.sync import SyncReport, sync

__all__ = ["KnowledgeStore", "SyncReport", "open_store", "sync"]
