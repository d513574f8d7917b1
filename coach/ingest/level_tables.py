"""Levels pages: a table with a row per level ("| IC2 | Engineer | Owns features |").

Some companies describe their ladder in one table rather than a section per level. A table whose
first column names two or more levels (IC1, L3, Senior, Level 2...) gives a row per level: its
title (a Title or Role column, else the level), the level's order and track, and its other cells
as what that level asks for. A table of bare numbered levels without titles ("Level 3 | USD
4,000") holds a value per level, such as a pay band, and gives no rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from markdown_it.token import Token

from coach.ingest.levels import MANAGEMENT, Level, level_of

_TITLE_COLUMN = re.compile(r"^(?:job\s+)?(?:title|role|position|name)s?$", re.I)
_LEVEL_COLUMN = re.compile(r"^(?:level|grade|band)s?$", re.I)
_GENERIC_LEVEL = re.compile(r"^(?:level|job grade) ", re.I)


@dataclass(frozen=True)
class LevelRow:
    """One level as a levels table states it."""

    ladder: str
    title: str
    level: str
    order: float
    track: str
    cells: tuple[str, ...]  # "Scope: Features end to end", its other columns in order


def level_rows(tokens: Sequence[Token], ladder: str) -> list[LevelRow]:
    """The rows of every levels table among these tokens, in order."""
    rows: list[LevelRow] = []
    for table in _tables(tokens):
        rows += _levels_of(table, ladder)
    return rows


def rows_metadata(rows: list[LevelRow]) -> str:
    """The rows as one chunk metadata value (Chroma keeps scalars only)."""
    return json.dumps([asdict(row) for row in rows])


def rows_from_metadata(raw: str) -> list[LevelRow]:
    """The rows a chunk's metadata holds ([] when unreadable: an older index)."""
    try:
        return [
            LevelRow(**{**item, "cells": tuple(item.get("cells", ()))}) for item in json.loads(raw)
        ]
    except (ValueError, TypeError):
        return []


def _tables(tokens: Sequence[Token]) -> list[list[list[str]]]:
    """Each table as its rows of cell texts, the header row first."""
    tables: list[list[list[str]]] = []
    inside = False
    for token in tokens:
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
            tables += [[]] if inside else []
        elif inside and token.type == "tr_open":
            tables[-1].append([])
        elif inside and token.type == "inline" and tables[-1]:  # a table's inlines are cells
            tables[-1][-1].append(token.content.strip())
    return tables


def _levels_of(table: list[list[str]], ladder: str) -> list[LevelRow]:
    """The table's rows as levels, if its first column names at least two distinct ones."""
    if len(table) < 3:
        return []
    header, body = table[0], [row for row in table[1:] if row]
    numbered = bool(_LEVEL_COLUMN.match(header[0])) if header else False
    named = [_level(row[0], numbered) for row in body]
    levels = [level for level in named if level is not None]
    if len(levels) < len(body) or len({level.order for level in levels}) < 2:
        return []
    title_at = next((i for i, h in enumerate(header) if _TITLE_COLUMN.match(h)), 0)
    if not title_at and any(_GENERIC_LEVEL.match(level.name) for level in levels):
        # "Level 3 | USD 4,000": a value per level (pay bands, budgets), not roles.
        return []
    found = []
    for row, level in zip(body, levels, strict=True):
        title = row[title_at] if title_at and title_at < len(row) and row[title_at] else row[0]
        named = level_of(title)
        track = MANAGEMENT if named and named.track == MANAGEMENT else level.track
        cells = tuple(
            f"{name}: {value}"
            for i, (name, value) in enumerate(zip(header, row, strict=False))
            if i not in (0, title_at) and value
        )
        found.append(LevelRow(ladder, title, level.name, level.order, track, cells))
    return found


def _level(cell: str, numbered: bool) -> Level | None:
    """The level a first-column cell names; a bare number under a Level column is "Level N"."""
    if numbered and cell.isdigit():
        return level_of(f"Level {cell}")
    return level_of(cell)
