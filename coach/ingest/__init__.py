"""Ingest: read knowledge files (any bytes, under limits) into Documents, then Chunks."""

from coach.ingest.chunking import Chunk, split_document
from coach.ingest.documents import Document
from coach.ingest.reader import read_documents

__all__ = ["Chunk", "Document", "read_documents", "split_document"]
