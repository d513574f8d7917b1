"""What a role looks after, in figures: the line of its page that sizes its book or team."""

from __future__ import annotations

import re

from coach.answer.blocks import blocks_of, item_line

# A count of what the role is responsible for: "8-14 named accounts", "7-10 direct reports",
# "4-6 CSMs", "around 30 customers". Two roles compared differ here first.
# Words in between are lower-case: "2-3 Staff CSMs" counts the role itself, not its charge.
_HEAD_COUNT = re.compile(
    r"\b\d+(?:\s*[-\u2013]\s*\d+)?\+?\s+(?:[a-z-]+\s+){0,2}?"
    r"(?i:accounts|customers|clients|direct reports|reports|CSMs|people|team members|engineers)\b"
)
# ... else the size of the book it carries: "3.75m ARR book", "~$2.5m ARR" (not a single
# account's size: "accounts between EUR 150,000 and EUR 750,000 ARR" names no book).
_BOOK = re.compile(r"\d(?:[\d.,]*)\s*(?:m|M|k|K)\b[^.;]{0,20}?\b(?:ARR|book)\b")
_ACCOUNT_SIZE = re.compile(r"\b(?:accounts?|customers?) (?:between|above|below|over|under)\b", re.I)

Row = tuple[str, str, dict]


def scope_line(rows: list[Row]) -> tuple[str, Row] | None:
    """The first part of these chunks that counts what the role looks after (else the first
    that sizes its book), as one plain line, with the chunk it is in; None when none does."""
    parts = [(part, row) for row in rows for part in _parts(row[1])]
    for pattern in (_HEAD_COUNT, _BOOK):
        for part, row in parts:
            if pattern.search(part) and not _ACCOUNT_SIZE.search(part):
                return part, row
    return None


def _parts(text: str) -> list[str]:
    """A chunk's sentences and list items, as plain lines."""
    lines = []
    for block in blocks_of(text):
        if block.kind == "table":
            continue
        for part in block.parts:
            line = item_line(part) if block.kind == "list" else part
            lines.append(" ".join(line.replace("**", "").split()))
    return lines
