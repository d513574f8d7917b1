"""PDF text as Markdown: lines set larger than the body text become headings."""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass

from coach.errors import DocumentError, one_line

# A line this much larger than the body text is a heading (a 10.5 pt body, 12 pt course names).
HEADING_RATIO = 1.1
# Longer than this, large text is a pull quote or a banner, not a heading.
HEADING_WORDS = 16
# Headings of up to this many sizes get their own level; smaller ones share the last.
HEADING_LEVELS = 4
# A heading is looked for among the next few large lines: extraction may drop or split one.
LOOKAHEAD = 3


@dataclass(frozen=True)
class _Run:
    """A piece of text as the page draws it, at its size on the page (points)."""

    text: str
    size: float


def pdf_to_markdown(data: bytes) -> str:
    """The PDF's text, page after page, its larger lines marked as Markdown headings by size
    (the largest #, the next ##...): a catalog's course names become sections to cite."""
    # pypdf caps each stream's decompressed size itself (75 MB); the worker limits the rest.
    from pypdf import PdfReader

    runs: list[_Run] = []

    def seen(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        runs.append(_Run(text, round(size * (scale or 1.0), 1)))

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("PDF is password-protected")
        pages = [page.extract_text(visitor_text=seen) or "" for page in reader.pages]
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise DocumentError(f"unreadable PDF: {one_line(exc)}") from None
    return _with_headings(_joined(pages), _headings(runs))


def _joined(pages: list[str]) -> str:
    """The pages as one text: a page that ends mid-sentence runs on into the next one."""
    text = ""
    for page in pages:
        page = page.strip()
        if not page:
            continue
        runs_on = text and text[-1] not in ".!?:)" and page[0].islower()
        text += ("\n" if runs_on else "\n\n") + page if text else page
    return text


def _headings(runs: list[_Run]) -> list[tuple[str, int]]:
    """Each heading's text and level, in reading order: lines of a size above the body's (the
    size most characters are set in), the largest size level 1."""
    by_size: Counter[float] = Counter()
    for run in runs:
        by_size[run.size] += len(run.text.strip())
    if not by_size:
        return []
    body = by_size.most_common(1)[0][0]
    larger = sorted((s for s in by_size if s >= body * HEADING_RATIO), reverse=True)
    levels = {size: min(i + 1, HEADING_LEVELS) for i, size in enumerate(larger)}
    headings: list[tuple[str, int]] = []
    pending, pending_size = "", 0.0
    for run in [*runs, _Run("", 0.0)]:
        if run.size == pending_size and run.size in levels:
            pending += run.text  # one heading drawn in several pieces
            continue
        for line in pending.split("\n"):
            words = line.split()
            if words and len(words) <= HEADING_WORDS:
                headings.append((" ".join(words), levels[pending_size]))
        pending, pending_size = (run.text, run.size) if run.size in levels else ("", 0.0)
    return headings


def _with_headings(text: str, headings: list[tuple[str, int]]) -> str:
    """The text with each heading's line marked, matched in order, a blank line around it."""
    lines: list[str] = []
    at = 0
    for line in text.split("\n"):
        said = " ".join(line.split())
        ahead = [h for h, _ in headings[at : at + LOOKAHEAD]]
        if said and said in ahead:
            at += ahead.index(said)
            lines += ["", f"{'#' * headings[at][1]} {said}", ""]
            at += 1
        else:
            lines.append(line)
    return "\n".join(lines)
