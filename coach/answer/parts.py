"""A passage's quotable parts (sentences, list items, table rows), each with what rules read."""

from __future__ import annotations

from dataclasses import dataclass

from coach.answer.blocks import Block, label_of, plain, word_count
from coach.answer.retrieve import Source
from coach.index.keyword import tokenize

UNIT_CHARS = 300  # a part is embedded by its start: cost grows with length, meaning rarely does
LEAD_IN_CHARS = 100


@dataclass(frozen=True)
class Unit:
    """One quotable part (sentence, list item or table row) and where it stands."""

    source: Source
    block: int
    part: int
    text: str  # verbatim
    lead_in: str  # a list's or table's lead-in, and a table's header row ("" for a sentence)
    header: str = ""  # a table's header row, naming each cell of this row

    @property
    def context(self) -> str:
        """The heading path and the lead-in: scored together with the part's own words."""
        return f"{self.source.label}. {self.lead_in}".strip()

    @property
    def embed_text(self) -> str:
        """What is embedded: the nearest heading, a short lead-in (a table row names its
        columns itself), then the part (which must not be cut off by a long context)."""
        row = self.table_row
        lead_in = self.lead_in.removesuffix(self.header) if row else self.lead_in
        said = row or plain(self.text)
        return f"{section_of(self.source)}: {lead_in[:LEAD_IN_CHARS]} {said}"[:UNIT_CHARS]

    @property
    def name(self) -> str:
        """What the part names before saying anything of it: a list item's label ("**Dual
        plan:** ..."), a table row's first cell ("| Mobility | ..."); "" when it names none."""
        cells = _cells(self.text)
        return cells[0] if cells else label_of(self.text) or ""

    @property
    def table_row(self) -> str:
        """A table row as a reader takes it in, each cell under its column's name ("Level: 5;
        Target refresh value: USD 14,000"); "" for any other part."""
        names, cells = _cells(self.header), _cells(self.text)
        if not names or len(names) != len(cells):
            return ""
        pairs = zip(names, cells, strict=True)
        return "; ".join(f"{name}: {cell}" if name else cell for name, cell in pairs)


@dataclass(frozen=True)
class Part:
    """A unit with its words as index terms, tokenized once per question for every rule."""

    unit: Unit
    own: frozenset[str]  # the terms of its own text
    around: frozenset[str]  # ... and of its heading path and lead-in


@dataclass(frozen=True)
class Scored:
    """A unit, how well it answers the question, and what each rule gave it."""

    unit: Unit
    score: float
    embedded: bool  # scored by embedding too, not only by the cheap prior
    similarity: float  # cosine to the question (0 when not embedded)
    rules: tuple[float, ...]  # each PART_RULES contribution, in the table's order


def units_of(source: Source, blocks: list[Block]) -> list[Unit]:
    """Every part of a passage, with the context it is scored in."""
    return [
        Unit(source, b, p, text, block.context, block.header)
        for b, block in enumerate(blocks)
        for p, text in enumerate(block.parts)
        if word_count(text) >= 2
    ]


def parts_of(units: list[Unit]) -> list[Part]:
    """The units with their terms (one tokenizer call for all: it is slow per call)."""
    texts = [plain(u.text) for u in units] + [f"{u.context} {plain(u.text)}" for u in units]
    tokens = tokenize(texts, as_ids=False) if units else []
    own, around = tokens[: len(units)], tokens[len(units) :]
    return [
        Part(u, frozenset(o), frozenset(a)) for u, o, a in zip(units, own, around, strict=True)
    ]


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table line, without emphasis ([] for a line that is none)."""
    line = line.strip()
    if not line.startswith("|") or "\n" in line:
        return []
    return [plain(cell) for cell in line.strip("|").split("|")]


def section_of(source: Source) -> str:
    """The passage's own section heading (its document's title when it has none)."""
    return source.heading.rsplit(" > ", 1)[-1] or source.title
