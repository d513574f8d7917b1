"""HR's knowledge desk: upload documents safely, list them with their index status, delete them."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coach.config import Settings
from coach.errors import DeskError, DocumentError
from coach.index.store import KnowledgeStore, files_of
from coach.index.sync import source_hash
from coach.ingest.check import NO_AUDIENCE, schema_problems
from coach.ingest.documents import (
    SIDECAR_SUFFIX,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    discover,
    empty_problem,
    find_sidecars,
    is_sidecar,
    read_head,
    relative_name,
    size_problem,
)
from coach.ingest.frontmatter import MAX_BYTES, parse_yaml
from coach.ingest.metadata import validate_meta
from coach.ingest.reader import read_document, read_documents

# Plain names only: no separators, no leading dot (hidden files are never indexed), no "..".
# Matched with fullmatch: `$` would also match before a trailing newline ("hr\n").
_SAFE_NAME = re.compile(r"[^\W_][\w .()-]{0,150}")  # \w: letters of any language, digits, _
_SAFE_FOLDER_PART = re.compile(r"[^\W_][\w -]{0,60}")


@dataclass(frozen=True)
class Saved:
    """A file written into the knowledge folder, with what HR should still fix in it."""

    path: str
    replaced: bool
    warnings: list[str]


@dataclass(frozen=True)
class DocumentRow:
    """One line of the documents table."""

    title: str
    path: str
    audience: str
    updated: str
    chunks: int
    status: str


def allowed_suffixes() -> list[str]:
    """File types the desk accepts: every document type coach reads, plus metadata sidecars."""
    return [*sorted(SUPPORTED_SUFFIXES), SIDECAR_SUFFIX]


def target_path(settings: Settings, folder: str, filename: str) -> Path:
    """Where an upload goes: a safe name in a safe sub-folder of the knowledge folder."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise DeskError(
            f"{filename!r} is not a safe file name: use letters, digits, spaces and . _ - ( ) only"
        )
    if not _is_allowed(name):
        raise DeskError(
            f"{name}: this file type is not accepted (allowed: {', '.join(allowed_suffixes())})"
        )
    parts = [part for part in folder.replace("\\", "/").strip().strip("/").split("/") if part]
    for part in parts:
        if not _SAFE_FOLDER_PART.fullmatch(part):
            raise DeskError(f"folder {folder!r} is not allowed: use plain folder names like growth")
    if is_sidecar(name):
        # One spelling on disk, so a re-upload in other case replaces instead of doubling it.
        name = name[: -len(SIDECAR_SUFFIX)] + SIDECAR_SUFFIX
    root = settings.knowledge_dir.resolve()
    target = root.joinpath(*parts, name)
    if not target.resolve().is_relative_to(root):  # a symlinked folder could point outside
        raise DeskError(f"folder {folder!r} leads outside the knowledge folder")
    return target


def save_upload(
    settings: Settings,
    filename: str,
    data: bytes,
    folder: str = "",
    replace: bool = False,
    companions: Collection[str] = (),
) -> Saved:
    """Check one upload and write it into the knowledge folder; nothing is written if it fails.

    `companions` are the names of files uploaded with it, so a PDF and its sidecar arriving
    together are not warned about each other.
    """
    target = target_path(settings, folder, filename)
    shown = relative_name(target, settings.knowledge_dir.resolve())
    try:
        size_problem(len(data), settings.max_file_bytes, f"{settings.max_file_mb:g} MB", shown)
        empty_problem(data, shown)
    except DocumentError as exc:
        raise DeskError(str(exc)) from None
    # A sidecar saved under another case counts as the same file.
    existing = find_sidecars(_described(target)) if is_sidecar(target.name) else []
    existed = target.exists() or bool(existing)
    if existed and not replace:
        raise DeskError(f"{shown} already exists: tick 'Replace existing files' to overwrite it")
    warnings = _check_content(settings, target, data, {n.lower() for n in companions})
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a watcher or a sync never sees half a file.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
        for other in existing:
            if other.name != target.name:
                other.unlink(missing_ok=True)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise DeskError(f"cannot save {shown}: {exc.strerror}") from None
    return Saved(shown, existed, warnings)


def delete_document(settings: Settings, path: str) -> list[str]:
    """Delete one document of the folder (and its sidecar); returns the paths removed."""
    root = settings.knowledge_dir.resolve()
    files, _ = discover(root)
    by_name = {relative_name(p, root): p for p in files}
    if path not in by_name:
        raise DeskError(f"{path} is not a document in the knowledge folder")
    removed = []
    for victim in [by_name[path], *find_sidecars(by_name[path])]:
        if victim.exists():
            victim.unlink()
            removed.append(relative_name(victim, root))
    return removed


def document_rows(settings: Settings, store: KnowledgeStore) -> list[DocumentRow]:
    """Every document on disk or in the index, with its index status."""
    root = settings.knowledge_dir
    sidecars: dict[Path, list[Path]] = {}
    files, skipped = discover(root, sidecars=sidecars)
    metadatas = store.metadatas()  # one read of the index serves both lookups
    indexed = files_of(metadatas)
    stored_meta = {row.metadata["path"]: row.metadata for row in metadatas}
    chunks = {name: len(entry.ids) for name, entry in indexed.items()}
    rows: dict[Path, DocumentRow] = {}
    stale: list[Path] = []
    for path in files:
        name = relative_name(path, root)
        meta = stored_meta.get(name, {})
        try:
            digest = source_hash(path, root, settings, sidecars[path])
        except DocumentError as exc:
            rows[path] = _row(name, meta, chunks.get(name, 0), f"failed: {exc}")
            continue
        if name in indexed and indexed[name].source_hash == digest:
            rows[path] = _row(name, meta, chunks[name], "indexed")
        else:
            stale.append(path)
    # Changed files are read as a sync reads them: in workers, under the per-file limits.
    for outcome in read_documents(stale, root, settings):
        name = relative_name(outcome.path, root)
        meta, status = stored_meta.get(name, {}), f"failed: {outcome.error}"
        if outcome.document is not None:
            meta = {**outcome.document.stored_meta, "title": outcome.document.title}
            status = "changed since last index" if name in indexed else "new, not indexed yet"
        rows[outcome.path] = _row(name, meta, chunks.get(name, 0), status)
    # What is in the folder but never read (a spreadsheet, a named pipe) says why, in its
    # place among the documents, so HR sees it next to what it was meant to sit beside.
    skipped_rows = [
        _row(relative_name(s.path, root), {}, 0, f"skipped: {s.reason}") for s in skipped
    ]
    ordered = sorted([rows[path] for path in files] + skipped_rows, key=lambda row: row.path)
    for name in sorted(set(indexed) - {relative_name(p, root) for p in files}):
        ordered.append(
            _row(name, stored_meta.get(name, {}), chunks[name], "deleted, still indexed")
        )
    return ordered


def _row(path: str, meta: dict, chunks: int, status: str) -> DocumentRow:
    return DocumentRow(
        title=meta.get("title", PurePosixPath(path).stem),
        path=path,
        audience=meta.get("audience", ""),
        updated=meta.get("updated", ""),
        chunks=chunks,
        status=status,
    )


def _is_allowed(name: str) -> bool:
    return is_sidecar(name) or Path(name.lower()).suffix in SUPPORTED_SUFFIXES


def _described(sidecar: Path) -> Path:
    """The document a sidecar gives metadata to: its name without `.meta.yaml`."""
    return sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])


def _check_content(
    settings: Settings, target: Path, data: bytes, companions: set[str]
) -> list[str]:
    """Refuse what coach could not read; return warnings about what it reads with defaults."""
    if is_sidecar(target.name):
        return _check_sidecar(settings, target, data, companions)
    sidecars = [s for s in find_sidecars(target) if s.name.lower() not in companions]
    with tempfile.TemporaryDirectory() as folder:
        # The trial sees the sidecars the real file will have, so its checks are the real ones.
        trial = Path(folder, target.name)
        trial.write_bytes(data)
        try:
            for sidecar in sidecars:
                # The head is enough: a sidecar over the size limit fails on its size alone.
                Path(folder, sidecar.name).write_bytes(read_head(sidecar, MAX_BYTES))
            doc = read_document(trial, Path(folder), settings)
        except DocumentError as exc:
            raise DeskError(f"{target.name}: {_plain(str(exc))}") from None
    warnings = [f"{target.name}: {_plain(p.message)}" for p in schema_problems([doc])]
    if target.suffix.lower() in TEXT_SUFFIXES or sidecars:
        return warnings
    # Only a sidecar can say who may read a PDF, DOCX or HTML page: say plainly if it has none.
    warnings = [w for w in warnings if NO_AUDIENCE not in w]
    if (target.name + SIDECAR_SUFFIX).lower() not in companions:
        warnings.insert(
            0,
            f"{target.name}: no {target.name}{SIDECAR_SUFFIX} beside it, so it is indexed for "
            f"audience '{settings.default_audience}' (the default)",
        )
    return warnings


def _check_sidecar(
    settings: Settings, target: Path, data: bytes, companions: set[str]
) -> list[str]:
    """A sidecar must parse, validate and describe a PDF, DOCX or HTML file."""
    name, document = target.name, _described(target)
    if document.suffix.lower() in TEXT_SUFFIXES:
        raise DeskError(
            f"{name}: {document.name} carries its own header block (between the --- lines); "
            "put the metadata there"
        )
    if document.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DeskError(
            f"{name}: coach does not read {document.name} (a sidecar is for PDF, DOCX, HTML)"
        )
    try:
        meta = validate_meta(parse_yaml(data.decode("utf-8-sig"), name))
    except UnicodeDecodeError:
        raise DeskError(f"{name}: the metadata cannot be read: not UTF-8 text") from None
    except (DocumentError, ValueError) as exc:
        raise DeskError(f"{name}: the metadata cannot be read: {exc}") from None
    warnings = []
    if not _exists_in_any_case(document) and document.name.lower() not in companions:
        warnings.append(
            f"{name}: there is no {document.name} in this folder yet; "
            "the metadata applies once it is uploaded here"
        )
    if not meta.audience:
        warnings.append(f"{name}: no audience given, so '{settings.default_audience}' will be used")
    return warnings


def _exists_in_any_case(path: Path) -> bool:
    """Whether the folder holds this name in some case, as sidecars are matched."""
    wanted = path.name.lower()
    try:
        return any(name.lower() == wanted for name in os.listdir(path.parent))
    except OSError:
        return False


def _plain(reason: str) -> str:
    """Front-matter jargon in words HR uses."""
    return reason.replace("front matter", "the header block (between the --- lines)")
