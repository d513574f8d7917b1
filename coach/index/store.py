"""The Chroma collection that holds the chunks: embedded by default, a server when configured."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import numpy as np

from coach.config import Settings
from coach.errors import ConfigError, StoreError, StoreUnavailableError, one_line
from coach.index.pointer import IndexState, Pointer
from coach.ingest.chunking import Chunk

log = logging.getLogger(__name__)

PAGE = 5000  # rows per `get` call, so a large collection is read in bounded pieces
OVERFETCH = 3  # unfiltered rows fetched per wanted row before filtering by audience


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the store returns it, with its similarity to the question."""

    id: str
    text: str
    metadata: dict[str, Any]
    similarity: float


@dataclass(frozen=True)
class IndexedChunk:
    """A chunk as all_chunks() reads it: id, text and metadata, no vector."""

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class ChunkMetadata:
    """A chunk's id and metadata, as metadatas() reads them (no text, no vector)."""

    id: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class ChunkAudience:
    """A chunk's id and the audience that may read it."""

    id: str
    audience: str


@dataclass
class IndexedFile:
    """What the store holds for one source file."""

    ids: list[str] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)

    @property
    def source_hash(self) -> str:
        """The file's hash, or "" when its chunks disagree (a sync was interrupted midway)."""
        return next(iter(self.hashes)) if len(self.hashes) == 1 else ""


def chroma_call(method, /, **kwargs):
    """Call Chroma; its many error types become one-line StoreErrors, and an outage says so."""
    try:
        return method(**kwargs)
    except Exception as exc:  # chromadb raises transport and server errors of many types
        if _unreachable(exc):
            raise StoreUnavailableError(
                "the knowledge base is unavailable (Chroma does not answer): try again shortly"
            ) from None
        raise StoreError(f"Chroma {method.__name__} failed: {one_line(exc)}") from None


def _unreachable(exc: BaseException) -> bool:
    """A server that is down or restarting, not a request it refused."""
    import httpx

    said = str(exc)
    return isinstance(exc, httpx.TransportError | ConnectionError) or any(
        words in said for words in ("Could not connect", "Connection refused", "connection reset")
    )


class KnowledgeStore:
    """Thin wrapper over one Chroma collection; every write passes vectors explicitly."""

    def __init__(
        self,
        collection: Any,
        max_batch: int,
        pointer: Pointer | None = None,
        state: IndexState | None = None,
    ) -> None:
        self.collection = collection
        self.max_batch = max_batch
        self.pointer = pointer  # the shared state: which collection is live, its generation
        self.state = state or IndexState(getattr(collection, "name", ""))  # as opened

    def indexed_files(self) -> dict[str, IndexedFile]:
        """Every indexed path with its source hash and chunk ids, read from the store itself."""
        return files_of(self.metadatas())

    def metadatas(self) -> list[ChunkMetadata]:
        """Every chunk id with its metadata (cheap: no text, no vectors)."""
        return [
            ChunkMetadata(chunk_id, meta)
            for page in self._pages(include=["metadatas"])
            for chunk_id, meta in zip(page["ids"], page["metadatas"], strict=True)
        ]

    def ids_and_audiences(self) -> list[ChunkAudience]:
        """Every chunk id with its audience."""
        return [ChunkAudience(row.id, row.metadata["audience"]) for row in self.metadatas()]

    def all_chunks(self) -> list[IndexedChunk]:
        """Every chunk with its text and metadata."""
        return [
            IndexedChunk(chunk_id, text, meta)
            for page in self._pages(include=["metadatas", "documents"])
            for chunk_id, text, meta in zip(
                page["ids"], page["documents"], page["metadatas"], strict=True
            )
        ]

    def document_chunks(self, paths: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """Every chunk (id, text, metadata) of the given documents, in document order."""
        if not paths:
            return []
        got = self._call(
            self.collection.get,
            where={"path": {"$in": list(paths)}},
            include=["metadatas", "documents"],
        )
        rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        return sorted(rows, key=lambda row: (row[2]["path"], row[2].get("chunk_index", 0)))

    def query(
        self, vector: list[float], n: int, audiences: tuple[str, ...]
    ) -> tuple[list[StoredChunk], float]:
        """Nearest chunks the audiences may see, and the best similarity among the rest."""
        # An unfiltered query is ~15x faster than a metadata-filtered one in local Chroma, so
        # over-fetch and filter here; the filtered query only runs when too few rows pass.
        rows = self._nearest(vector, n * OVERFETCH, None)
        visible, hidden_rows = [], []
        for row in rows:
            (visible if row.metadata.get("audience") in audiences else hidden_rows).append(row)
        hidden = max((r.similarity for r in hidden_rows), default=0.0)
        if len(visible) < n and len(rows) == n * OVERFETCH:
            visible = self._nearest(vector, n, {"audience": {"$in": list(audiences)}})
        return visible[:n], hidden

    def _nearest(
        self, vector: list[float], n: int, where: dict[str, Any] | None
    ) -> list[StoredChunk]:
        got = self._call(
            self.collection.query,
            query_embeddings=[vector],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        # A chunk another process deleted a moment ago may still be found without its row:
        # skipped, never an error.
        return [
            StoredChunk(i, d, m, 1.0 - dist)
            for i, d, m, dist in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
            if m is not None and d is not None
        ]

    def fetch(self, ids: list[str], vector: list[float]) -> dict[str, StoredChunk]:
        """Chunks by id, as query() returns them, with their similarity to vector."""
        if not ids:
            return {}
        return self._rows(vector, ids=ids)

    def fetch_document(self, path: str, vector: list[float]) -> dict[str, StoredChunk]:
        """Every chunk of one document, as fetch() returns them."""
        return self._rows(vector, where={"path": path})

    def _rows(self, vector: list[float], **selector: Any) -> dict[str, StoredChunk]:
        include = ["documents", "metadatas", "embeddings"]
        got = self._call(self.collection.get, include=include, **selector)
        rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        query = np.asarray(vector) / (np.linalg.norm(vector) or 1.0)
        return {
            i: StoredChunk(i, d, m, _cosine(e, query))
            for i, d, m, e in rows
            if m is not None and d is not None  # gone between search and read: skipped
        }

    def vectors_by_text(self, ids: list[str]) -> dict[str, list[float]]:
        """Stored vectors of the given chunks, keyed by the hash of their embedded text."""
        if not ids:
            return {}
        got = self._call(self.collection.get, ids=ids, include=["metadatas", "embeddings"])
        return {
            meta.get("text_hash", ""): list(vector)
            for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True)
        }

    def write(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        """Upsert chunks with their vectors, in batches the server accepts."""
        for start in range(0, len(chunks), self.max_batch):
            batch = chunks[start : start + self.max_batch]
            self._call(
                self.collection.upsert,
                ids=[c.id for c in batch],
                embeddings=vectors[start : start + self.max_batch],
                documents=[c.text for c in batch],
                metadatas=[c.metadata for c in batch],
            )

    def delete(self, ids: list[str]) -> None:
        """Remove chunks by id."""
        for start in range(0, len(ids), self.max_batch):
            self._call(self.collection.delete, ids=ids[start : start + self.max_batch])

    def count(self) -> int:
        """Chunks in the collection, counted by Chroma."""
        return self._call(self.collection.count)

    def _pages(self, include: list[str]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            got = self._call(self.collection.get, include=include, limit=PAGE, offset=offset)
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    _call = staticmethod(chroma_call)


def files_of(metadatas: list[ChunkMetadata]) -> dict[str, IndexedFile]:
    """Chunk metadata grouped by source file."""
    files: dict[str, IndexedFile] = defaultdict(IndexedFile)
    for row in metadatas:
        entry = files[row.metadata["path"]]
        entry.ids.append(row.id)
        entry.hashes.add(row.metadata.get("source_hash", ""))
    return dict(files)


def _cosine(stored: Any, unit_query: np.ndarray) -> float:
    stored = np.asarray(stored)
    return float(stored @ unit_query / (np.linalg.norm(stored) or 1.0))


def open_store(
    settings: Settings,
    embedding: str,
    rebuild: bool = False,
    name: str | None = None,
    fresh: bool = False,
) -> KnowledgeStore:
    """Open (or create) the live collection, or the one `name`d; refuse one built with another
    embedding model. `fresh` reopens an embedded index from disk, with what other processes
    wrote since (a server is always current)."""
    client = _client(settings, fresh)
    pointer = Pointer(client, settings.collection, chroma_call)
    state = pointer.read()
    name = name or state.collection
    try:
        if rebuild and name in {c.name for c in client.list_collections()}:
            client.delete_collection(name)
        collection = client.get_or_create_collection(
            name,
            metadata={"hnsw:space": "cosine", "embedding": embedding},
            embedding_function=None,
        )
        max_batch = client.get_max_batch_size()
    except Exception as exc:
        raise StoreError(f"cannot open Chroma collection {name!r}: {one_line(exc)}") from None
    built_with = (collection.metadata or {}).get("embedding")
    if built_with and built_with != embedding:
        raise StoreError(
            f"the index was built with {built_with}, settings ask for {embedding}: "
            "run `coach index --rebuild`"
        )
    opened = state if name == state.collection else IndexState(name)  # live, or being built
    return KnowledgeStore(collection, max_batch, pointer, opened)


def _client(settings: Settings, fresh: bool = False) -> Any:
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        path = settings.data_dir / "chroma"
        if fresh:
            # Chroma shares one in-memory index per path and process; it does not see another
            # process's writes. A new one reads them (clients in use keep the old one).
            SharedSystemClient.clear_system_cache()
        try:
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:
            raise StoreError(f"cannot open the index in {path}: {one_line(exc)}") from None
    url = urlparse(settings.chroma_url)
    if url.scheme not in {"http", "https"} or not url.hostname:
        raise ConfigError(f"COACH_CHROMA_URL must look like http://host:port, not {url.geturl()!r}")
    try:
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    except Exception as exc:
        raise StoreError(f"cannot reach Chroma at {settings.chroma_url}: {one_line(exc)}") from None


def open_pointer(settings: Settings) -> Pointer:
    """The index's shared state (live collection, generation, lease), without opening chunks."""
    return Pointer(_client(settings), settings.collection, chroma_call)


def new_collection_name(settings: Settings) -> str:
    """A name for a collection being rebuilt beside the live one."""
    return f"{settings.collection}-{uuid.uuid4().hex[:8]}"


def collection_names(settings: Settings) -> list[str]:
    """Every collection in this Chroma (the index's, its state, and any others)."""
    return [c.name for c in chroma_call(_client(settings).list_collections)]


def orphans_of(settings: Settings) -> list[str]:
    """Collections an interrupted rebuild left behind (not live; run by the lease holder)."""
    live = open_pointer(settings).read().collection
    prefix = f"{settings.collection}-"
    return [n for n in collection_names(settings) if n.startswith(prefix) and n != live]


def drop_collections(settings: Settings, names: list[str]) -> None:
    """Delete these collections (those not there any more are fine)."""
    client = _client(settings)
    for name in names:
        try:
            client.delete_collection(name)
            log.info("dropped collection %s", name)
        except Exception as exc:  # already gone, or Chroma away: the next rebuild retries
            log.info("could not drop collection %s: %s", name, one_line(exc))
