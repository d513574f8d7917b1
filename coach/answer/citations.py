"""Citations: which numbered sources a text cites, and cleaning them as an answer streams."""

from __future__ import annotations

import re

# [1], [1, 2], [Source 3], [1-2] (with a hyphen or an en dash): what models write when asked.
_CITATION = re.compile(
    r"\s?\[(?:sources?\s*)?(\d+(?:\s*[,;\u2013-]\s*(?:sources?\s*)?\d+)*)\]", re.I
)
_OPEN_CITATION = re.compile(r"\s*\[[^\[\]\n]{0,24}$")


def numbers(citation: str) -> list[int]:
    """The source numbers inside one citation's brackets."""
    return [int(n) for n in re.findall(r"\d+", citation)]


def clean_citations(text: str, valid: set[int]) -> str:
    """Keep citations to returned sources; drop any number that points at nothing."""

    def keep(match: re.Match[str]) -> str:
        good = [n for n in dict.fromkeys(numbers(match.group(1))) if n in valid]
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{lead}[{', '.join(map(str, good))}]" if good else ""

    return _CITATION.sub(keep, text)


class CitationStream:
    """Clean citations in streamed text, holding back an unfinished `[..` until it closes."""

    def __init__(self, valid: set[int]) -> None:
        self.valid = valid
        self.pending = ""

    def feed(self, delta: str) -> str:
        """Text that is safe to show now."""
        self.pending += delta
        # Hold back a bracket that may still become a citation, and trailing spaces: a dropped
        # citation takes the space before it along.
        opened = _OPEN_CITATION.search(self.pending)
        cut = opened.start() if opened else len(self.pending.rstrip(" "))
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        return clean_citations(ready, self.valid)

    def finish(self) -> str:
        """Whatever is still held back."""
        rest, self.pending = self.pending, ""
        return clean_citations(rest, self.valid)


def cited_numbers(text: str) -> set[int]:
    """Every source number the text cites."""
    return {n for group in _CITATION.findall(text) for n in numbers(group)}
