"""Ingest, second half: split a Document by headings, then by size, into Chunks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter
from markdown_it import MarkdownIt

from coach.ingest.documents import Document
from coach.ingest.level_tables import LevelRow, level_rows, rows_metadata
from coach.ingest.levels import Placement, family_of, holds_levels, placements

HEADING_DEPTH = 4  # h1-h4 start sections; deeper headings stay in the text
# Bump when splitting changes, so `coach index` re-chunks files whose bytes did not change.
# 4: level placements; 5: levels tables; 6: PDF headings, doc_type; 8: levels by job grade;
# 9: headings without their anchor ids
SPLITTER_VERSION = "9"
_MARKDOWN = MarkdownIt("commonmark").enable("table")
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*")


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


@dataclass(frozen=True)
class Section:
    """The text under one heading path, its lines as written (blank lines kept)."""

    headings: tuple[str, ...]
    text: str
    placement: Placement | None = None  # its level on a ladder, in a parallel level section
    level_rows: tuple[LevelRow, ...] = ()  # a levels table's rows, one per level


def sections_of(text: str, title: str = "", levels: bool = True) -> list[Section]:
    """Split Markdown at its h1-h4 headings (found by markdown-it, so `#` in code is no heading),
    each placed on its ladder when it is one of the document's parallel level sections (unless
    `levels` is False: a document that says it is no ladder)."""
    lines = text.split("\n")
    tokens = _MARKDOWN.parse(text)
    placed = placements(tokens, title) if levels else {}
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    start, placement = 0, None
    for i, token in enumerate(tokens):
        depth = int(token.tag[1]) if token.type == "heading_open" else 0
        if token.level != 0 or not 1 <= depth <= HEADING_DEPTH or token.map is None:
            continue
        headings = tuple(h for _, h in path)
        sections.append(Section(headings, "\n".join(lines[start : token.map[0]]), placement))
        path = [(d, h) for d, h in path if d < depth] + [(depth, tokens[i + 1].content.strip())]
        start, placement = token.map[1], placed.get(i)
    sections.append(Section(tuple(h for _, h in path), "\n".join(lines[start:]), placement))
    kept = [s for s in sections if s.text.strip()]
    return [_with_level_rows(s, title) for s in kept] if levels else kept


def _with_level_rows(section: Section, title: str) -> Section:
    """The section with the rows of any levels table it holds (a row per level)."""
    if "|" not in section.text:  # no table: no parse
        return section
    family = family_of(section.headings[-1] if section.headings else "", title)
    rows = level_rows(_MARKDOWN.parse(section.text), family)
    return replace(section, level_rows=tuple(rows)) if rows else section


def with_table_headers(pieces: list[str], section: str) -> list[str]:
    """A piece that starts inside a table gets the table's header rows again, so every row is
    read (and quoted) with its column names."""
    lines = section.split("\n")
    fixed = []
    for piece in pieces:
        first = piece.lstrip("\n").split("\n", 1)[0]
        second = piece.lstrip("\n").split("\n", 2)[1:2]
        if first.lstrip().startswith("|") and not (second and _is_rule(second[0])):
            header = _header_above(lines, first)
            piece = f"{header}\n{piece.lstrip(chr(10))}" if header else piece
        fixed.append(piece)
    return fixed


def _header_above(lines: list[str], row: str) -> str:
    """The header and rule lines of the table that holds this row."""
    if row not in lines:
        return ""
    for at in range(lines.index(row) - 1, 0, -1):
        if _is_rule(lines[at]):
            return f"{lines[at - 1]}\n{lines[at]}"
        if not lines[at].lstrip().startswith("|"):
            return ""
    return ""


def _is_rule(line: str) -> bool:
    """A table's delimiter row ("| --- | :-: |"); a bare "---" is a thematic break."""
    return "|" in line and bool(_TABLE_RULE.fullmatch(line))


def heading_path(section: Section, title: str) -> str:
    """The section's headings as cited: "Levels > Senior CSM" (without the document title)."""
    headings = list(section.headings)
    # The title usually repeats as the top heading; citing it twice helps nobody.
    if headings and headings[0].casefold() == title.casefold():
        headings = headings[1:]
    return " > ".join(headings)


def section_rows(doc: Document) -> list[dict[str, Any]]:
    """The document's metadata once, then once per level section or levels table (as its
    chunks would store it): what the ladder is read from without indexing."""
    base = {**doc.stored_meta, "path": doc.path}
    return [base] + [
        {**base, "heading": heading_path(s, doc.title), "chunk_index": i, **level_metadata(s)}
        for i, s in enumerate(sections_of(doc.text, doc.title, holds_levels(doc.meta.doc_type)))
        if s.placement or s.level_rows
    ]


def level_metadata(section: Section) -> dict[str, Any]:
    """What a section's chunks store of its level: its placement, a levels table's rows."""
    found: dict[str, Any] = section.placement.as_metadata() if section.placement else {}
    if section.level_rows:
        found["section_level_rows"] = rows_metadata(list(section.level_rows))
    return found


def split_document(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Split by Markdown headings, then by size; every chunk carries the doc's metadata."""
    by_size = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 2)
    )
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in sections_of(doc.text, doc.title, holds_levels(doc.meta.doc_type)):
        heading = heading_path(section, doc.title)
        for piece in with_table_headers(by_size.split_text(section.text), section.text):
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
                **level_metadata(section),
            }
            chunk = Chunk(chunk_id, piece, embed_text, metadata)
            metadata["text_hash"] = chunk.text_hash
            chunks.append(chunk)
    return chunks
