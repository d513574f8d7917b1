"""Citations: which numbered sources a text cites, and cleaning them as an answer streams."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

S = TypeVar("S", bound=Any)  # a Source (a dataclass with `n`)

# [1], [1, 2], [Source 3], [1-2] (with a hyphen or an en dash): what models write when asked.
# The one citation pattern: cleaning, renumbering, linking and stripping all use it.
CITATION = re.compile(
    r"\s?\[(?:sources?\s*)?(\d+(?:\s*[,;\u2013-]\s*(?:sources?\s*)?\d+)*)\]", re.I
)
_OPEN_CITATION = re.compile(r"\s*\[[^\[\]\n]{0,24}$")


class Numbering:
    """Source numbers as a reader meets them: the first source cited becomes [1], the next new
    one [2]; sources never cited follow. Shared by a stream and the answer it ends in."""

    def __init__(self, valid: set[int]) -> None:
        self.valid = valid
        self.order: dict[int, int] = {}

    def __call__(self, n: int) -> int | None:
        """The reader's number for source `n` (None: no such source)."""
        if n not in self.valid:
            return None
        return self.order.setdefault(n, len(self.order) + 1)

    def text(self, text: str) -> str:
        """The whole text with its citations renumbered (and those to no source dropped)."""
        return clean_citations(text, self.valid, self)

    def sources(self, sources: Sequence[S]) -> list[S]:
        """The sources renumbered to match: cited ones first, in citation order."""
        rest = [s for s in sources if s.n not in self.order]
        for source in rest:
            self(source.n)
        by_new = sorted(sources, key=lambda s: self.order[s.n])
        return [replace(s, n=self.order[s.n]) for s in by_new]


def numbers(citation: str) -> list[int]:
    """The source numbers inside one citation's brackets."""
    return [int(n) for n in re.findall(r"\d+", citation)]


def clean_citations(text: str, valid: set[int], numbering: Numbering | None = None) -> str:
    """Keep citations to returned sources (renumbered by `numbering`, if given); drop any
    number that points at nothing."""

    def keep(match: re.Match[str]) -> str:
        good = [n for n in dict.fromkeys(numbers(match.group(1))) if n in valid]
        if numbering is not None:
            good = [numbering(n) for n in good]
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{lead}[{', '.join(map(str, good))}]" if good else ""

    return CITATION.sub(keep, text)


class CitationStream:
    """Clean citations in streamed text, holding back an unfinished `[..` until it closes."""

    def __init__(self, valid: set[int], numbering: Numbering | None = None) -> None:
        self.valid = valid
        self.numbering = numbering
        self.pending = ""

    def feed(self, delta: str) -> str:
        """Text that is safe to show now."""
        self.pending += delta
        # Hold back a bracket that may still become a citation, and trailing spaces: a dropped
        # citation takes the space before it along.
        opened = _OPEN_CITATION.search(self.pending)
        cut = opened.start() if opened else len(self.pending.rstrip(" "))
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        return clean_citations(ready, self.valid, self.numbering)

    def finish(self) -> str:
        """Whatever is still held back."""
        rest, self.pending = self.pending, ""
        return clean_citations(rest, self.valid, self.numbering)


def cited_numbers(text: str) -> set[int]:
    """Every source number the text cites."""
    return {n for group in CITATION.findall(text) for n in numbers(group)}


def link_citations(text: str, valid: set[int], link: Callable[[int], str]) -> str:
    """Each cited number that points at a source as `link(n)` ("[2, 3]" becomes two links);
    a citation pointing at nothing stays as written."""

    def links(match: re.Match[str]) -> str:
        cited = numbers(match.group(1))
        if not any(n in valid for n in cited):
            return match.group(0)
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return lead + "".join(link(n) if n in valid else f"[{n}]" for n in cited)

    return CITATION.sub(links, text)


def without_citations(text: str) -> str:
    """The text with its citations taken out: what it says, not where it says it."""
    return CITATION.sub("", text)
