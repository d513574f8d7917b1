"""Citations for plans: each claim points at the passage of the document that states it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from coach.answer.retrieve import Source
from coach.index.roles import CareerRole
from coach.index.store import KnowledgeStore
from coach.ingest.level_tables import rows_from_metadata


def _flat(text: str) -> str:
    return " ".join(text.replace("**", "").split()).lower()


class Citations:
    """Numbers passages in the order a plan first cites them, reading each document once."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self._chunks: dict[str, list[tuple[str, str, dict]]] = {}
        self._numbers: dict[str, int] = {}
        self._sections: dict[tuple[str, str], int] = {}
        self.sources: list[Source] = []

    def load(self, paths: Iterable[str]) -> None:
        """Read the chunks of these documents in one call (the plan cites from all of them)."""
        wanted = [p for p in dict.fromkeys(paths) if p not in self._chunks]
        for path in wanted:
            self._chunks[path] = []
        for row in self.store.document_chunks(wanted):
            self._chunks[row[2]["path"]].append(row)

    def chunks(self, path: str) -> list[tuple[str, str, dict]]:
        """Every chunk (id, text, metadata) of one document, in order."""
        self.load([path])
        return self._chunks[path]

    def section(self, role: CareerRole) -> list[tuple[str, str, dict]]:
        """The chunks of an inferred role's own level section (or of the levels table that
        has its row), in order."""
        return [
            row
            for row in self.chunks(role.path)
            if (
                row[2].get("section_role") == role.title
                and row[2].get("section_ladder", "") == role.family
            )
            or (role.facts and _has_row(row[2], role) and role.title in row[1])
        ]

    def passage(self, path: str, needle: str = "", heading: str = "") -> tuple[int, str] | None:
        """(citation number, passage text) of the first passage of `path` that says `needle`
        (case and spacing aside) in its text or its own heading (a catalog entry is titled by
        its course), else the first under a heading matching `heading`."""
        self.load([path])
        rows = self._chunks[path]
        wanted = _flat(needle)
        found = next((r for r in rows if wanted and wanted in _said(r)), None)
        if found is None and heading:
            pattern = re.compile(heading, re.IGNORECASE)
            found = next((r for r in rows if pattern.search(r[2].get("heading", ""))), None)
        if found is None:
            return None
        return self.number(found), found[1]

    def cite(self, path: str, needle: str = "", heading: str = "") -> int | None:
        """The citation number of the passage that says `needle` (see `passage`)."""
        found = self.passage(path, needle, heading)
        return found[0] if found else None

    def number(self, row: tuple[str, str, dict]) -> int:
        """The citation number of a chunk row (given on its first citation): one number per
        document section, so a catalog's pages under one heading are one source, not six."""
        chunk_id, text, meta = row
        if chunk_id in self._numbers:
            return self._numbers[chunk_id]
        section = (meta.get("path", ""), meta.get("heading", ""))
        n = self._sections.get(section)
        if n is None:
            n = self._sections[section] = len(self.sources) + 1
            self.sources.append(Source.from_chunk(n, chunk_id, text, meta))
        else:  # the section's source reads on with this chunk
            kept = self.sources[n - 1]
            self.sources[n - 1] = replace(kept, text=f"{kept.text}\n\n{text}")
        self._numbers[chunk_id] = n
        return n


def _said(row: tuple[str, str, dict]) -> str:
    """A passage's own heading and text, flattened for matching."""
    own_heading = row[2].get("heading", "").rsplit(" > ", 1)[-1]
    return _flat(f"{own_heading}\n{row[1]}")


def _has_row(meta: dict, role: CareerRole) -> bool:
    """Whether a chunk's levels table has this role's row."""
    rows = rows_from_metadata(meta.get("section_level_rows") or "[]")
    return any(r.title == role.title and r.ladder == role.family for r in rows)
