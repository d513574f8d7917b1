"""Ingest, first half: find knowledge files, read and convert them to Markdown with metadata."""

from __future__ import annotations

import io
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coach.config import Settings
from coach.errors import DocumentError, one_line
from coach.metadata import DocMeta, store_metadata, validate_meta

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx", ".html", ".htm"}
SIDECAR_SUFFIX = ".meta.yaml"

_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\r?\n")
_FENCED = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
_HTML_BLOCK = re.compile(r"<(script|style|iframe)\b.*?(?:</\1\s*>|/>)", re.DOTALL | re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\([^)\n]*\)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Document:
    """One knowledge file as Markdown, with its validated metadata."""

    path: str  # relative to the knowledge folder, with forward slashes
    title: str
    text: str
    meta: DocMeta
    stored_meta: dict[str, Any] = field(default_factory=dict)


def discover(root: Path, unreadable: list[OSError] | None = None) -> tuple[list[Path], list[Path]]:
    """Files coach reads below root and those it skips; unlistable folders go to `unreadable`."""
    found: list[Path] = []
    skipped: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=_collect(unreadable)):
        # Hidden folders hold editor and VCS state, never documents.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith((".", "~$")) or name.endswith(SIDECAR_SUFFIX):
                continue
            path = Path(folder, name)
            (found if path.suffix.lower() in SUPPORTED_SUFFIXES else skipped).append(path)
    return found, skipped


def _collect(errors: list[OSError] | None):
    return errors.append if errors is not None else None


def relative_name(path: Path, root: Path) -> str:
    """The path as stored and shown: relative to root, forward slashes."""
    return path.relative_to(root).as_posix()


def read_bytes(path: Path, root: Path, settings: Settings) -> bytes:
    """Read a file after the checks that need no parsing: links, size, emptiness."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            raise DocumentError("symlink points outside the knowledge folder")
        if not target.exists():
            raise DocumentError("symlink points to a file that does not exist")
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise DocumentError(
                f"file is {size / 1_048_576:.1f} MB, over the {settings.max_file_mb:g} MB limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or one_line(exc)}") from None
    if not data.strip():
        raise DocumentError("file is empty")
    return data


def load_document(path: Path, root: Path, settings: Settings) -> Document:
    """Read one file into a Document, or raise DocumentError with a one-line reason."""
    data = read_bytes(path, root, settings)
    suffix = path.suffix.lower()
    raw_meta, body = _convert(data, suffix)
    raw_meta.update(_read_sidecar(path, suffix))
    try:
        meta = validate_meta(raw_meta)
    except ValueError as exc:
        raise DocumentError(str(exc)) from None
    body = clean_markdown(body)
    if not body.strip():
        hint = " (a scanned PDF has no text layer)" if suffix == ".pdf" else ""
        raise DocumentError(f"no text found in the document{hint}")
    title = meta.title or _first_heading(body) or _title_from_name(path)
    stored = store_metadata(meta)
    stored.update(title=title, audience=meta.audience or settings.default_audience)
    return Document(
        path=relative_name(path, root),
        title=title,
        text=body,
        meta=meta,
        stored_meta=stored,
    )


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Separate YAML (---) or TOML (+++, as Hugo writes it) front matter from the body."""
    match = _FENCED.match(text)
    if not match:
        if _FRONT_MATTER.match(text):
            raise DocumentError("invalid front matter: its closing line is missing")
        return {}, text
    fence, raw = match.group(1), match.group(2)
    try:
        meta = tomllib.loads(raw) if fence == "+++" else yaml.safe_load(raw)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise DocumentError(f"invalid front matter: {_yaml_reason(exc)}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("invalid front matter: expected key: value pairs")
    return meta, text[match.end() :]


def clean_markdown(text: str) -> str:
    """Strip what only a website renders (shortcodes, HTML, link targets) and keep the words."""
    text = text.replace("\r\n", "\n").replace("\x0c", "\n")
    text = _SHORTCODE.sub("", text)
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_BLOCK.sub("", text)
    # A line that held markup is layout, not indented code: drop its indentation with the tags.
    text = "\n".join(
        _HTML_TAG.sub("", line).strip() if _HTML_TAG.search(line) else line
        for line in text.split("\n")
    )
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUN.sub("\n\n", text).strip()


def _convert(data: bytes, suffix: str) -> tuple[dict[str, Any], str]:
    """Bytes to (front matter, Markdown body) by file type."""
    if suffix in TEXT_SUFFIXES:
        return split_front_matter(_decode_text(data))
    if suffix == ".pdf":
        return {}, _pdf_to_text(data)
    return _markitdown(data, suffix)


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


def _pdf_to_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise DocumentError(f"unreadable PDF: {one_line(exc)}") from None
    return "\n\n".join(pages)


def _markitdown(data: bytes, suffix: str) -> tuple[dict[str, Any], str]:
    """DOCX and HTML via markitdown's own converters (no lenient plain-text fallback)."""
    from markitdown import StreamInfo
    from markitdown.converters import DocxConverter, HtmlConverter

    converter = DocxConverter() if suffix == ".docx" else HtmlConverter()
    kind = "DOCX" if suffix == ".docx" else "HTML"
    try:
        result = converter.convert(io.BytesIO(data), StreamInfo(extension=suffix))
    except Exception as exc:  # zipfile, lxml and mammoth raise many types
        raise DocumentError(f"unreadable {kind}: {one_line(exc)}") from None
    # An HTML <title> is the page's own metadata, as front matter is for Markdown.
    return ({"title": result.title} if result.title else {}), result.markdown or ""


def _read_sidecar(path: Path, suffix: str) -> dict[str, Any]:
    """Front matter for files that cannot carry it (PDF, DOCX): `<name>.meta.yaml` beside them."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    if suffix in TEXT_SUFFIXES:
        # Two places for one document's metadata would let one silently override the other.
        raise DocumentError(f"{sidecar.name} is only for PDF, DOCX and HTML: put it in the file")
    try:
        loaded = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise DocumentError(f"invalid {sidecar.name}: {_yaml_reason(exc)}") from None
    if not isinstance(loaded, dict):
        raise DocumentError(f"invalid {sidecar.name}: expected key: value pairs")
    return loaded


def _yaml_reason(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return one_line(exc)


def _first_heading(markdown: str) -> str | None:
    match = _HEADING.search(markdown)
    return match.group(1).strip() if match else None


def _title_from_name(path: Path) -> str:
    stem = path.stem if path.stem not in {"_index", "index"} else path.parent.name
    return re.sub(r"[-_]+", " ", stem).strip().capitalize() or path.name
