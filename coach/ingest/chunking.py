"""Ingest, second half: split a Document by headings, then by size, into Chunks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from coach.ingest.documents import Document

HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
# Bump when splitting changes, so `coach index` re-chunks files whose bytes did not change.
SPLITTER_VERSION = "2"


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with everything needed to cite it."""

    id: str
    text: str  # the passage as stored and quoted
    embed_text: str  # the passage with its title and heading path, as embedded
    metadata: dict[str, Any]

    @property
    def text_hash(self) -> str:
        """Hash of what is embedded, so an unchanged passage can keep its vector."""
        return hashlib.sha256(self.embed_text.encode()).hexdigest()


def split_document(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split by Markdown headings, then by size; every chunk carries the doc's metadata."""
    by_heading = MarkdownHeaderTextSplitter(HEADERS, strip_headers=True).split_text(doc.text)
    by_size = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 2)
    )
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in by_heading:
        headings = [section.metadata[key] for _, key in HEADERS if key in section.metadata]
        # The title usually repeats as the top heading; citing it twice helps nobody.
        if headings and headings[0].casefold() == doc.title.casefold():
            headings = headings[1:]
        heading = " > ".join(headings)
        for piece in by_size.split_text(section.page_content):
            if not piece.strip():
                continue
            index = len(chunks)
            context = " > ".join(part for part in (doc.title, heading) if part)
            embed_text = f"{context}\n\n{piece}"
            content_hash = hashlib.sha256(piece.encode()).hexdigest()
            # Identical passages in one file still need distinct ids.
            repeat = seen.get(content_hash, 0)
            seen[content_hash] = repeat + 1
            chunk_id = hashlib.sha256(f"{doc.path}\0{content_hash}\0{repeat}".encode()).hexdigest()[
                :32
            ]
            metadata = {
                **doc.stored_meta,
                "path": doc.path,
                "heading": heading,
                "chunk_index": index,
                "content_hash": content_hash,
            }
            chunk = Chunk(chunk_id, piece, embed_text, metadata)
            metadata["text_hash"] = chunk.text_hash
            chunks.append(chunk)
    return chunks
