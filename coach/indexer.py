"""Index stage: sync the knowledge folder into the store, touching only what changed."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from coach.chunking import SPLITTER_VERSION, Chunk, split_document
from coach.config import Settings
from coach.documents import SIDECAR_SUFFIX, discover, load_document, read_bytes, relative_name
from coach.errors import ConfigError, DocumentError
from coach.store import KnowledgeStore

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What one sync did, per file, and what the index holds afterwards."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        """The report as `coach index --json` prints it."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "failed": self.failed,
            "skipped": self.skipped,
            "documents": self.documents,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Pending:
    path: str
    chunks: list[Chunk]
    old_ids: list[str]


def pipeline_signature(settings: Settings) -> bytes:
    """Settings that change chunks without changing files; part of every source hash."""
    return (
        f"{SPLITTER_VERSION}|{settings.chunk_size}|{settings.chunk_overlap}"
        f"|{settings.default_audience}"
    ).encode()


def source_hash(path: Path, root: Path, settings: Settings) -> str:
    """Hash of a file, its sidecar and the pipeline settings; raises DocumentError if unreadable."""
    digest = hashlib.sha256(pipeline_signature(settings))
    digest.update(read_bytes(path, root, settings))
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def sync(
    settings: Settings, store: KnowledgeStore, embeddings: Embeddings, progress: bool = False
) -> SyncReport:
    """Make the store match the folder: embed new and changed files, drop deleted ones."""
    started = time.perf_counter()
    root = settings.knowledge_dir
    if not root.is_dir():
        raise ConfigError(f"knowledge folder not found: {root}")
    report = SyncReport()
    files, skipped = discover(root)
    report.skipped = [relative_name(p, root) for p in skipped]
    indexed = store.indexed_files()
    pending: list[_Pending] = []
    for path in files:
        name = relative_name(path, root)
        previous = indexed.get(name)
        try:
            digest = source_hash(path, root, settings)
            if previous and previous.source_hash == digest:
                report.unchanged.append(name)
                continue
            doc = load_document(path, root, settings)
        except DocumentError as exc:
            # A broken file keeps whatever chunks it had until it is fixed.
            report.failed.append({"path": name, "error": str(exc)})
            log.info("not indexed: %s: %s", name, exc)
            continue
        chunks = split_document(doc, settings.chunk_size, settings.chunk_overlap)
        for chunk in chunks:
            chunk.metadata["source_hash"] = digest
        pending.append(_Pending(name, chunks, previous.ids if previous else []))
        (report.updated if previous else report.added).append(name)

    _embed_and_write(pending, store, embeddings, progress)

    present = {relative_name(p, root) for p in files}
    for name in sorted(set(indexed) - present):
        store.delete(indexed[name].ids)
        report.removed.append(name)

    report.documents = len((set(indexed) | {item.path for item in pending}) - set(report.removed))
    report.chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _embed_and_write(
    pending: list[_Pending], store: KnowledgeStore, embeddings: Embeddings, progress: bool
) -> None:
    """Per file: reuse vectors of unchanged passages, embed the rest, write, then drop stale ids."""
    total = sum(len(item.chunks) for item in pending)
    with tqdm(
        total=total, unit="chunk", desc="Indexing", disable=None if progress else True
    ) as bar:
        for item in pending:
            reusable = store.vectors_by_text(item.old_ids)
            missing = [c for c in item.chunks if c.text_hash not in reusable]
            fresh = embeddings.embed_documents([c.embed_text for c in missing])
            reusable.update((c.text_hash, v) for c, v in zip(missing, fresh, strict=True))
            # New chunks land before old ones go, so the document is never missing from the index.
            store.write(item.chunks, [reusable[c.text_hash] for c in item.chunks])
            stale = sorted(set(item.old_ids) - {c.id for c in item.chunks})
            store.delete(stale)
            bar.update(len(item.chunks))
