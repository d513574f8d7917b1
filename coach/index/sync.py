"""Index stage: sync the knowledge folder into the store, touching only what changed."""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from coach.config import Settings
from coach.errors import ConfigError, DocumentError
from coach.index.store import KnowledgeStore
from coach.ingest.chunking import SPLITTER_VERSION, Chunk, split_document
from coach.ingest.documents import (
    discover,
    failure_reason,
    find_sidecars,
    read_bytes,
    read_head,
    relative_name,
)
from coach.ingest.frontmatter import MAX_BYTES
from coach.ingest.reader import read_documents

log = logging.getLogger(__name__)

EMBED_GROUP = 256  # chunks embedded per model call; bounds memory and paces the progress bar


@dataclass(frozen=True, kw_only=True)
class FileFailure:
    """A file (or folder) that could not be indexed, and why, in one line."""

    path: str
    error: str


@dataclass(frozen=True, kw_only=True)
class FileSkipped:
    """A file in the folder that coach does not read (its type, or no regular file), and why."""

    path: str
    reason: str


@dataclass
class SyncReport:
    """What one sync did, per file, and what the index holds afterwards."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    skipped: list[FileSkipped] = field(default_factory=list)
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
            "failed": [asdict(failure) for failure in self.failed],
            "skipped": [asdict(skip) for skip in self.skipped],
            "documents": self.documents,
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        """One line: what the index holds and what this sync changed."""
        return (
            f"{self.documents} documents, {self.chunks} chunks in the index "
            f"({len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.failed)} failed) in {self.seconds:.1f} s"
        )


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


def source_hash(
    path: Path, root: Path, settings: Settings, sidecars: list[Path] | None = None
) -> str:
    """Hash of a file, its sidecars and the pipeline settings; raises DocumentError if unreadable.

    `sidecars` are the file's `.meta.yaml` files when the caller listed them already.
    """
    digest = hashlib.sha256(pipeline_signature(settings))
    digest.update(read_bytes(path, root, settings))
    for sidecar in find_sidecars(path) if sidecars is None else sidecars:
        # A sidecar over the limit fails to load whatever it holds: its head is enough.
        digest.update(read_head(sidecar, MAX_BYTES))
    return digest.hexdigest()


@dataclass(frozen=True)
class _Changed:
    path: Path
    name: str
    digest: str
    existed: bool
    old_ids: list[str]


def sync(
    settings: Settings, store: KnowledgeStore, embeddings: Embeddings, progress: bool = False
) -> SyncReport:
    """Make the store match the folder: embed new and changed files, drop deleted ones."""
    started = time.perf_counter()
    root = settings.knowledge_dir
    if not root.is_dir():
        raise ConfigError(f"knowledge folder not found: {root}")
    report = SyncReport()
    unreadable: list[OSError] = []
    sidecars: dict[Path, list[Path]] = {}
    files, skipped = discover(root, unreadable, sidecars)
    report.skipped = [
        FileSkipped(path=relative_name(s.path, root), reason=s.reason) for s in skipped
    ]
    for skip in report.skipped:
        log.info("not read: %s: %s", skip.path, skip.reason)
    if any(Path(e.filename) == root for e in unreadable):
        raise ConfigError(f"cannot read the knowledge folder {root}: {unreadable[0].strerror}")
    for error in unreadable:
        folder = relative_name(Path(error.filename), root)
        report.failed.append(
            FileFailure(path=folder, error=f"cannot read folder: {error.strerror}")
        )
    indexed = store.indexed_files()
    changed: list[_Changed] = []
    for path in files:
        name = relative_name(path, root)
        previous = indexed.get(name)
        try:
            digest = source_hash(path, root, settings, sidecars.get(path, []))
        except DocumentError as exc:
            _failed(report, name, str(exc))
            continue
        if previous is None:
            changed.append(_Changed(path, name, digest, existed=False, old_ids=[]))
        elif previous.source_hash != digest:
            changed.append(_Changed(path, name, digest, existed=True, old_ids=previous.ids))
        else:
            report.unchanged.append(name)

    pending: list[_Pending] = []
    # Only changed files are converted, in worker processes: an unchanged re-run starts none.
    outcomes = read_documents([item.path for item in changed], root, settings)
    for item, outcome in zip(changed, outcomes, strict=True):
        if outcome.document is None:
            # A broken file keeps whatever chunks it had until it is fixed.
            _failed(report, item.name, outcome.error)
            continue
        try:
            chunks = split_document(outcome.document, settings.chunk_size, settings.chunk_overlap)
        except Exception as exc:  # the splitter on hostile text: that file fails, not the sync
            _failed(report, item.name, failure_reason(exc))
            continue
        if not chunks:
            _failed(report, item.name, "no text besides headings")
            continue
        for chunk in chunks:
            chunk.metadata["source_hash"] = item.digest
        pending.append(_Pending(item.name, chunks, item.old_ids))
        (report.updated if item.existed else report.added).append(item.name)

    _embed_and_write(pending, store, embeddings, progress)

    present = {relative_name(p, root) for p in files}
    # Files in a folder that could not be listed are not deleted: keep their chunks.
    hidden = tuple(f"{relative_name(Path(e.filename), root)}/" for e in unreadable)
    for name in sorted(n for n in set(indexed) - present if not n.startswith(hidden)):
        store.delete(indexed[name].ids)
        report.removed.append(name)

    report.documents = len((set(indexed) | {item.path for item in pending}) - set(report.removed))
    report.chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _failed(report: SyncReport, name: str, reason: str) -> None:
    report.failed.append(FileFailure(path=name, error=reason))
    log.info("not indexed: %s: %s", name, reason)


def _embed_and_write(
    pending: list[_Pending], store: KnowledgeStore, embeddings: Embeddings, progress: bool
) -> None:
    """Embed changed passages in large groups while a writer thread stores the previous group."""
    total = sum(len(item.chunks) for item in pending)
    bar = tqdm(total=total, unit="chunk", desc="Indexing", disable=None if progress else True)
    # Chroma's writes release the GIL, so storing group N overlaps embedding group N + 1.
    with bar, ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach-write") as writer:
        writes: list[Future[None]] = []
        for group in _groups(pending, EMBED_GROUP):
            vectors: dict[str, list[float]] = {}
            for item in group:
                vectors.update(store.vectors_by_text(item.old_ids))
            missing = list(
                {
                    c.text_hash: c for g in group for c in g.chunks if c.text_hash not in vectors
                }.values()
            )
            # One call per group: the model sorts by length, so little goes to padding.
            fresh = embeddings.embed_documents([c.embed_text for c in missing])
            vectors.update((c.text_hash, v) for c, v in zip(missing, fresh, strict=True))
            writes.append(writer.submit(_write_group, group, vectors, store, bar))
        for done in writes:
            done.result()  # re-raise a failed write here, in the caller's thread


def _write_group(
    group: list[_Pending], vectors: dict[str, list[float]], store: KnowledgeStore, bar: tqdm
) -> None:
    for item in group:
        # New chunks land before old ones go: the document is never absent from the index.
        store.write(item.chunks, [vectors[c.text_hash] for c in item.chunks])
        store.delete(sorted(set(item.old_ids) - {c.id for c in item.chunks}))
        bar.update(len(item.chunks))


def _groups(pending: list[_Pending], size: int) -> list[list[_Pending]]:
    """Consecutive files bundled until each bundle holds at least `size` chunks."""
    groups: list[list[_Pending]] = [[]]
    count = 0
    for item in pending:
        if count >= size:
            groups.append([])
            count = 0
        groups[-1].append(item)
        count += len(item.chunks)
    return [group for group in groups if group]
