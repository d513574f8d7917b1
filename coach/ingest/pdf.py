"""PDF text as Markdown: lines set larger than the body text become headings."""

from __future__ import annotations

import io
import math
import re
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
# A line that opens or closes at least this share of the pages is a running head or foot
# ("Lumenfield - Internal", "Page 3 of 12"), from a document of at least RUNNING_PAGES pages.
RUNNING_SHARE = 0.5
RUNNING_PAGES = 3
EDGE_LINES = 2  # how many lines at a page's top and bottom may be running ones
RUNNING_WORDS = 8  # a longer line that differs by its numbers only is content, not a running one
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?$", re.I)
_DIGITS = re.compile(r"\d+")


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
    found = _headings(runs)
    pages, dropped = _without_running_lines(pages, {text for text, _ in found})
    return _with_headings(_joined(pages), [h for h in found if h[0] not in dropped])


def _without_running_lines(pages: list[str], headings: set[str]) -> tuple[list[str], set[str]]:
    """The pages less their page numbers and running heads and feet, and the lines dropped. A
    running line opens or closes most pages, as it is ("Lumenfield - Internal") or but for its
    numbers ("Page 2 of 9"); a heading that differs by its number ("Part 2") is content."""
    edges = [_edges(page) for page in pages]
    exact = Counter(said for edge in edges for said in set(edge.values()))
    numberless = Counter(_numberless(said) for edge in edges for said in set(edge.values()))
    bar = max(2.0, RUNNING_SHARE * len(pages)) if len(pages) >= RUNNING_PAGES else math.inf

    def running(said: str) -> bool:
        if _PAGE_NUMBER.match(said) or exact[said] >= bar:
            return True
        short = len(said.split()) <= RUNNING_WORDS
        return short and said not in headings and numberless[_numberless(said)] >= bar

    kept, dropped = [], set()
    for page, edge in zip(pages, edges, strict=True):
        drop = {i for i, said in edge.items() if running(said)}
        dropped |= {edge[i] for i in drop}
        kept.append("\n".join(line for i, line in enumerate(page.split("\n")) if i not in drop))
    return kept, dropped


def _edges(page: str) -> dict[int, str]:
    """The first and last few non-blank lines of a page, by index (a list item is content,
    never a running line)."""
    lines = page.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    said = {i: " ".join(lines[i].split()) for i in filled[:EDGE_LINES] + filled[-EDGE_LINES:]}
    return {i: line for i, line in said.items() if not line.startswith(("-", "•", "*"))}


def _numberless(line: str) -> str:
    """A line with its numbers as "#": "Page 2 of 9" and "Page 3 of 9" are one running line."""
    return _DIGITS.sub("#", line)


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
