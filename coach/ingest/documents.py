"""Ingest, first half: find knowledge files, read and convert them to Markdown with metadata."""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from coach.config import Settings
from coach.errors import DocumentError, bounded, one_line

# clean_markdown and split_front_matter are imported from here too: this is ingest's front door.
from coach.ingest.cleaning import clean_markdown, first_heading
from coach.ingest.docx import DocxText, check_zip, docx_to_markdown
from coach.ingest.frontmatter import MAX_BYTES, parse_yaml, split_front_matter
from coach.ingest.mdx import mdx_to_markdown
from coach.ingest.metadata import DocMeta, store_metadata, validate_meta
from coach.ingest.pdf import pdf_to_markdown

TEXT_SUFFIXES = {".md", ".markdown", ".mdx", ".txt"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx", ".html", ".htm"}
SIDECAR_SUFFIX = ".meta.yaml"  # matched in any case: `plan.pdf.META.YAML` is a sidecar too


@dataclass(frozen=True)
class Document:
    """One knowledge file as Markdown, with its validated metadata."""

    path: str  # relative to the knowledge folder, with forward slashes
    title: str
    text: str
    meta: DocMeta
    stored_meta: dict[str, Any] = field(default_factory=dict)
    converter: str = ""  # for DOCX: "markitdown", or "mammoth" when markitdown could not read it
    fallback_reason: str = ""  # why the first converter failed, logged by the reading process


@dataclass(frozen=True)
class Skipped:
    """A file below the knowledge folder that coach does not read, and why, in one line."""

    path: Path
    reason: str


def discover(
    root: Path,
    unreadable: list[OSError] | None = None,
    sidecars: dict[Path, list[Path]] | None = None,
) -> tuple[list[Path], list[Skipped]]:
    """Files coach reads below root and those it skips; unlistable folders go to `unreadable`.

    `sidecars`, when given, receives each found file's metadata sidecars (usually none or one).
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=_collect(unreadable)):
        # Hidden folders hold editor and VCS state, never documents.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here: list[Path] = []
        beside: dict[str, list[Path]] = {}
        for name in sorted(files):
            path = Path(folder, name)
            if is_sidecar(name):
                beside.setdefault(name.lower(), []).append(path)
            elif name.startswith((".", "~$")):
                continue
            elif kind := special_kind(path):
                # Reading a named pipe waits for a writer forever; a device may never end.
                skipped.append(Skipped(path, f"{kind}, not a regular file: never opened"))
            elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                here.append(path)
            else:
                skipped.append(Skipped(path, f"unsupported file type {path.suffix or '(none)'}"))
        found += here
        if sidecars is not None:
            for path in here:
                sidecars[path] = beside.get((path.name + SIDECAR_SUFFIX).lower(), [])
    return found, skipped


def _collect(errors: list[OSError] | None):
    return errors.append if errors is not None else None


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def special_kind(path: Path) -> str | None:
    """What a path is when it is no regular file ("a named pipe"), following links; else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # gone or a broken link: reading it gives the precise reason
    return None if stat.S_ISREG(mode) else _kind_of(mode)


def _kind_of(mode: int) -> str:
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a regular file")


@contextmanager
def open_regular(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """Open a regular file for reading, with its size; anything else is refused, never waited on.

    discover() already skips pipes and devices; this holds when one replaces a file between
    listing and reading: O_NONBLOCK opens a pipe without waiting for a writer, and fstat then
    tells what was opened before a byte is read. Raises DocumentError, or OSError.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{_kind_of(info.st_mode)}, not a regular file: never read")
        yield handle, info.st_size


def read_head(path: Path, limit: int) -> bytes:
    """The first `limit` + 1 bytes of a regular file: enough to tell it is over `limit`."""
    try:
        with open_regular(path) as (handle, _):
            return handle.read(limit + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read {path.name}: {exc.strerror or one_line(exc)}") from None
    except DocumentError as exc:
        raise DocumentError(f"cannot read {path.name}: {exc}") from None


def read_regular(path: Path, limit: int, shown_limit: str) -> bytes:
    """A regular file's bytes, refused when over `limit` (checked before and while reading)."""
    with open_regular(path) as (handle, size):
        size_problem(size, limit, shown_limit)
        data = handle.read(limit + 1)  # a file still growing stops at the limit all the same
    size_problem(len(data), limit, shown_limit)
    return data


def is_sidecar(name: str) -> bool:
    """Whether a file name is a metadata sidecar, `<file name>.meta.yaml` in any case."""
    return name.lower().endswith(SIDECAR_SUFFIX) and len(name) > len(SIDECAR_SUFFIX)


def find_sidecars(path: Path) -> list[Path]:
    """The sidecars beside a file: its name plus `.meta.yaml`, compared ignoring case."""
    wanted = (path.name + SIDECAR_SUFFIX).lower()
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return sorted(path.with_name(name) for name in names if name.lower() == wanted)


def relative_name(path: Path, root: Path) -> str:
    """The path as stored and shown: relative to root, forward slashes."""
    return path.relative_to(root).as_posix()


def read_bytes(path: Path, root: Path, settings: Settings) -> bytes:
    """Read a file after the checks that need no parsing: links, size, emptiness."""
    return _read_checked(path, root, settings.max_file_bytes, f"{settings.max_file_mb:g} MB")


def _read_checked(path: Path, root: Path, limit: int, shown_limit: str) -> bytes:
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            raise DocumentError("symlink points outside the knowledge folder")
        if not target.exists():
            raise DocumentError("symlink points to a file that does not exist")
    try:
        data = read_regular(path, limit, shown_limit)
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or one_line(exc)}") from None
    empty_problem(data)
    return data


def size_problem(size: int, limit: int, shown_limit: str, name: str = "file") -> None:
    """Refuse a file over the size limit (checked before it is read or parsed)."""
    if size > limit:
        raise DocumentError(f"{name} is {size / 1_048_576:.1f} MB, over the {shown_limit} limit")


def empty_problem(data: bytes, name: str = "file") -> None:
    """Refuse a file with nothing but whitespace in it."""
    if not data.strip():
        raise DocumentError(f"{name} is empty")


def load_document(path: Path, root: Path, settings: Settings) -> Document:
    """Read one file into a Document, or raise DocumentError with a one-line reason."""
    try:
        return convert_document(path, root, settings)
    except Exception as exc:  # whatever a hostile file makes a converter raise
        raise DocumentError(failure_reason(exc)) from None


def failure_reason(exc: BaseException) -> str:
    """Why a file could not be read, in one line of at most 300 characters."""
    if isinstance(exc, DocumentError):
        return bounded(str(exc))
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "ran out of memory while reading"
    return bounded(f"cannot read the file: {type(exc).__name__}: {one_line(exc)}")


def convert_document(path: Path, root: Path, settings: Settings) -> Document:
    """Read one file into a Document; may raise anything (load_document turns it into a reason)."""
    data = read_bytes(path, root, settings)
    suffix = path.suffix.lower()
    raw_meta, body, converted = _convert(data, suffix, settings)
    raw_meta.update(_read_sidecar(path, root, suffix))
    try:
        meta = validate_meta(raw_meta)
    except ValueError as exc:
        raise DocumentError(str(exc)) from None
    body = clean_markdown(body)
    if not body.strip():
        hint = " (a scanned PDF has no text layer)" if suffix == ".pdf" else ""
        raise DocumentError(f"no text found in the document{hint}")
    title = meta.title or first_heading(body) or _title_from_name(path)
    stored = store_metadata(meta)
    stored.update(title=title, audience=meta.audience or settings.default_audience)
    return Document(
        path=relative_name(path, root),
        title=title,
        text=body,
        meta=meta,
        stored_meta=stored,
        converter=converted.converter if converted else "",
        fallback_reason=converted.fallback_reason if converted else "",
    )


def _convert(
    data: bytes, suffix: str, settings: Settings
) -> tuple[dict[str, Any], str, DocxText | None]:
    """Bytes to (front matter, Markdown body, how a DOCX was read) by file type."""
    if suffix == ".mdx":
        meta, body = split_front_matter(_decode_text(data))
        return meta, mdx_to_markdown(body), None
    if suffix in TEXT_SUFFIXES:
        return *split_front_matter(_decode_text(data)), None
    if suffix == ".pdf":
        return {}, pdf_to_markdown(data), None
    if suffix == ".docx":
        # Parsed XML takes several times its size: a quarter of the memory limit, expanded.
        check_zip(data, settings.file_memory_mb * 1_048_576 // 4)
        converted = docx_to_markdown(data)
        return {}, converted.markdown, converted
    return *_html(data), None


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError("binary data in a text file (is it really Markdown or text?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None


def _html(data: bytes) -> tuple[dict[str, Any], str]:
    """HTML via markitdown's own converter."""
    from markitdown import StreamInfo
    from markitdown.converters import HtmlConverter

    try:
        result = HtmlConverter().convert(io.BytesIO(data), StreamInfo(extension=".html"))
    except MemoryError:
        raise
    except Exception as exc:  # BeautifulSoup and markdownify raise many types
        raise DocumentError(f"unreadable HTML: {one_line(exc)}") from None
    # An HTML <title> is the page's own metadata, as front matter is for Markdown.
    return ({"title": result.title} if result.title else {}), result.markdown or ""


def _read_sidecar(path: Path, root: Path, suffix: str) -> dict[str, Any]:
    """Front matter for files that cannot carry it (PDF, DOCX): `<name>.meta.yaml` beside them."""
    found = find_sidecars(path)
    if not found:
        return {}
    names = ", ".join(sidecar.name for sidecar in found)
    if len(found) > 1:
        # Which one wins would depend on the file system: refuse rather than guess.
        raise DocumentError(f"two metadata files differ only in case ({names}): keep one")
    sidecar = found[0]
    if suffix in TEXT_SUFFIXES:
        # Two places for one document's metadata would let one silently override the other.
        raise DocumentError(f"{sidecar.name} is only for PDF, DOCX and HTML: put it in the file")
    try:
        data = _read_checked(sidecar, root, MAX_BYTES, f"{MAX_BYTES // 1024} KB")
        text = data.decode("utf-8-sig")
    except DocumentError as exc:
        raise DocumentError(f"invalid {sidecar.name}: {exc}") from None
    except UnicodeDecodeError:
        raise DocumentError(f"invalid {sidecar.name}: not UTF-8 text") from None
    return parse_yaml(text, sidecar.name)


def _title_from_name(path: Path) -> str:
    stem = path.stem if path.stem not in {"_index", "index"} else path.parent.name
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or path.name
