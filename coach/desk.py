"""HR's knowledge desk: upload documents safely, list them with their index status, delete them."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from coach.check import schema_problems
from coach.config import Settings
from coach.documents import (
    SIDECAR_SUFFIX,
    SUPPORTED_SUFFIXES,
    discover,
    load_document,
    relative_name,
)
from coach.errors import DocumentError
from coach.indexer import source_hash
from coach.metadata import validate_meta
from coach.store import KnowledgeStore, files_of

# Plain names only: no separators, no leading dot (hidden files are never indexed), no "..".
_SAFE_NAME = re.compile(r"^[^\W_][\w .()-]{0,150}$")  # \w: letters of any language, digits, _
_SAFE_FOLDER_PART = re.compile(r"^[^\W_][\w -]{0,60}$")


class DeskError(DocumentError):
    """An upload or delete that was refused; the message says why in plain words."""


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
    return sorted(SUPPORTED_SUFFIXES) + [SIDECAR_SUFFIX]


def target_path(settings: Settings, folder: str, filename: str) -> Path:
    """Where an upload goes: a safe name in a safe sub-folder of the knowledge folder."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if not _SAFE_NAME.match(name) or ".." in name:
        raise DeskError(
            f"{filename!r} is not a safe file name: use letters, digits, spaces and . _ - ( ) only"
        )
    if not _is_allowed(name):
        raise DeskError(
            f"{name}: this file type is not accepted (allowed: {', '.join(allowed_suffixes())})"
        )
    parts = [part for part in folder.replace("\\", "/").strip().strip("/").split("/") if part]
    for part in parts:
        if not _SAFE_FOLDER_PART.match(part):
            raise DeskError(f"folder {folder!r} is not allowed: use plain folder names like growth")
    root = settings.knowledge_dir.resolve()
    target = root.joinpath(*parts, name)
    if not target.resolve().is_relative_to(root):  # a symlinked folder could point outside
        raise DeskError(f"folder {folder!r} leads outside the knowledge folder")
    return target


def save_upload(
    settings: Settings, filename: str, data: bytes, folder: str = "", replace: bool = False
) -> Saved:
    """Check one upload and write it into the knowledge folder; nothing is written if it fails."""
    target = target_path(settings, folder, filename)
    shown = relative_name(target, settings.knowledge_dir.resolve())
    if len(data) > settings.max_file_bytes:
        raise DeskError(
            f"{shown} is {len(data) / 1_048_576:.1f} MB, over the {settings.max_file_mb:g} MB limit"
        )
    if not data.strip():
        raise DeskError(f"{shown} is empty")
    existed = target.exists()
    if existed and not replace:
        raise DeskError(f"{shown} already exists: tick 'Replace existing files' to overwrite it")
    warnings = _check_content(settings, target.name, data)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a watcher or a sync never sees half a file.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
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
    for victim in (by_name[path], by_name[path].with_name(by_name[path].name + SIDECAR_SUFFIX)):
        if victim.exists():
            victim.unlink()
            removed.append(relative_name(victim, root))
    return removed


def document_rows(settings: Settings, store: KnowledgeStore) -> list[DocumentRow]:
    """Every document on disk or in the index, with its index status."""
    root = settings.knowledge_dir
    files, _ = discover(root)
    metadatas = store.metadatas()  # one read of the index serves both lookups
    indexed = files_of(metadatas)
    stored_meta = {meta["path"]: meta for _, meta in metadatas}
    rows = []
    for path in files:
        name = relative_name(path, root)
        meta, chunks = stored_meta.get(name, {}), len(indexed[name].ids) if name in indexed else 0
        try:
            current = source_hash(path, root, settings) == (
                indexed[name].source_hash if name in indexed else None
            )
            if not current:
                doc = load_document(path, root, settings)
                meta = {**doc.stored_meta, "title": doc.title}
            status = (
                "indexed"
                if current
                else ("changed since last index" if name in indexed else "new, not indexed yet")
            )
        except DocumentError as exc:
            status = f"failed: {exc}"
        rows.append(_row(name, meta, chunks, status))
    for name in sorted(set(indexed) - {relative_name(p, root) for p in files}):
        rows.append(
            _row(name, stored_meta.get(name, {}), len(indexed[name].ids), "deleted, still indexed")
        )
    return rows


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
    lowered = name.lower()
    return lowered.endswith(SIDECAR_SUFFIX) or Path(lowered).suffix in SUPPORTED_SUFFIXES


def _check_content(settings: Settings, name: str, data: bytes) -> list[str]:
    """Refuse what coach could not read; return warnings about what it reads with defaults."""
    if name.lower().endswith(SIDECAR_SUFFIX):
        try:
            loaded = yaml.safe_load(data.decode("utf-8"))
            if not isinstance(loaded, dict):
                raise DeskError(f"{name}: expected 'key: value' lines, like 'audience: employee'")
            meta = validate_meta(loaded)
        except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
            raise DeskError(f"{name}: the metadata cannot be read: {exc}") from None
        return (
            []
            if meta.audience
            else [f"{name}: no audience given, so '{settings.default_audience}' will be used"]
        )
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder, name)
        trial.write_bytes(data)
        try:
            doc = load_document(trial, Path(folder), settings)
        except DocumentError as exc:
            raise DeskError(f"{name}: {_plain(str(exc))}") from None
    return [f"{name}: {_plain(problem.message)}" for problem in schema_problems([doc])]


def _plain(reason: str) -> str:
    """Front-matter jargon in words HR uses."""
    return reason.replace("front matter", "the header block (between the --- lines)")
