"""A passage as quotable blocks: paragraphs, lists with their lead-in, tables with their header."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark").enable("table")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[*]*[A-Z0-9])")
_LIST_KINDS = {"bullet_list_open", "ordered_list_open"}
_WORD = re.compile(r"\w+")
_ITEM_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+", re.MULTILINE)
_ORDERED_ITEM = re.compile(r"^\s*\d+[.)]\s")
_BOLD_LINE = re.compile(r"\*\*[^*]+\*\*:?")
# A part that names its own subject first: "**Return guarantee:** you come back...",
# "*Thriving*: Exceeding expectations", "Team book: EUR 15-30M ARR".
_LABEL = re.compile(
    r"^\s*(?:[-*+•]\s+|\d+[.)]\s+)?(?:(\*\*|__|\*|_)([^*_\n]{2,60}?)[:.]?\1\s*[:.\u2014\u2013-]?"
    r"|([A-Z][\w'&/ -]{1,40}):\s)"
)


@dataclass(frozen=True)
class Block:
    """Lines quoted together: `head` goes with any of the `parts` (a list's lead-in, a table's
    header and rule); each part is a sentence, a list item or a table row, verbatim."""

    kind: str  # "paragraph" | "list" | "table"
    head: tuple[str, ...]
    parts: tuple[str, ...]

    def render(self, chosen: set[int] | None = None) -> list[str]:
        """The block as Markdown lines, with only the chosen parts (all when None)."""
        keep = sorted(range(len(self.parts)) if chosen is None else chosen)
        if not keep:
            return []
        runs: list[list[int]] = []
        for i in keep:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        if self.kind == "paragraph":
            # Sentences of one paragraph form one line; a gap between them is marked.
            return [" … ".join(" ".join(self.parts[i] for i in run) for run in runs)]
        lines = list(self.head)
        for number, run in enumerate(runs):
            if number and self.kind == "list":
                lines.append("…")  # also stops Markdown renumbering an ordered list's later steps
            lines.extend(line for i in run for line in _unwrapped(self.parts[i]))
        return lines

    @property
    def context(self) -> str:
        """What a part is scored with besides its own text: the lead-in and the header row."""
        return " ".join(line for line in self.head if line and not _is_rule(line))

    @property
    def ordered(self) -> bool:
        """A numbered list: its items are steps, read in their order."""
        return self.kind == "list" and bool(self.parts) and bool(_ORDERED_ITEM.match(self.parts[0]))

    @property
    def header(self) -> str:
        """A table's header row ("" for any other block)."""
        return self.head[-2] if self.kind == "table" and len(self.head) >= 2 else ""


def blocks_of(text: str) -> list[Block]:
    """Split Markdown into blocks by its own structure (markdown-it's line map), verbatim."""
    return list(_blocks(text))


# Parsing is the answer stage's costliest step after embedding, and the same passages come back
# for question after question (a plan reads every section of a role's page).
@functools.lru_cache(maxsize=4096)
def _blocks(text: str) -> tuple[Block, ...]:
    lines = text.split("\n")
    blocks: list[Block] = []
    tokens = _MARKDOWN.parse(text)
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        source = [line for line in lines[start:end] if line.strip()]
        if not source:
            continue
        if token.type in _LIST_KINDS:
            items = [
                _strip_blank(lines[t.map[0] : t.map[1]])
                for t in tokens[i + 1 :]
                if t.level <= 1 and t.type == "list_item_open" and t.map and start <= t.map[0] < end
            ]
            head: tuple[str, ...] = ()
            if blocks and _leads_in(blocks[-1]):
                head = (" ".join(blocks.pop().parts),)  # a lead-in stays with its items
            blocks.append(Block("list", head, tuple(items)))
        elif token.type == "table_open" and len(source) >= 2:
            # A line without a pipe right after a table is prose the parser took for a row.
            rows = [line for line in source[2:] if "|" in line]
            prose = [line for line in source[2:] if "|" not in line]
            # A lead-in stays with its table, a blank line apart (a table cannot interrupt it).
            lead_in = (" ".join(blocks.pop().parts), "") if blocks and _leads_in(blocks[-1]) else ()
            blocks.append(Block("table", (*lead_in, *source[:2]), tuple(rows)))
            if prose:
                blocks.append(_paragraph(prose))
        else:
            blocks.append(_paragraph(source))
    return tuple(_without_cut_start(blocks))


def _leads_in(block: Block) -> bool:
    """A paragraph ending in a colon, or a bold line standing as a heading ("**Module 3: Deep
    Dive**"), introduces the list after it."""
    return block.kind == "paragraph" and (
        block.parts[-1].endswith(":") or bool(_BOLD_LINE.fullmatch(" ".join(block.parts)))
    )


def _without_cut_start(blocks: list[Block]) -> list[Block]:
    """Drop the end of a sentence the passage starts with ("days."): splitting by size cut it
    from its start, and alone it says nothing."""
    if blocks and blocks[0].kind == "paragraph" and blocks[0].parts[0][:1].islower():
        parts = blocks[0].parts[1:]
        return ([Block("paragraph", (), parts)] if parts else []) + blocks[1:]
    return blocks


def _paragraph(lines: list[str]) -> Block:
    flat = " ".join(" ".join(lines).split())
    return Block("paragraph", (), tuple(_SENTENCE_END.split(flat)))


def item_line(item: str) -> str:
    """A list item as one line without its mark or its nested items."""
    return _ITEM_MARK.sub("", _unwrapped(item)[0]).strip()


def _unwrapped(item: str) -> list[str]:
    """A list item's lines with hard-wrapped text joined (PDFs wrap mid-sentence); nested items
    keep lines of their own."""
    lines: list[str] = []
    for line in item.split("\n"):
        if lines and line.strip() and not _ITEM_MARK.match(line):
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        elif line.strip():
            lines.append(line)
    return lines


def with_item_cut(block: Block, part: int, words: int) -> Block | None:
    """The list with one long item cut to its first sentences that fit in `words` ("…" marks
    the cut), or None when not even its first sentence fits (or it has one sentence only)."""
    lines = _unwrapped(block.parts[part])
    if block.kind != "list" or len(lines) != 1:  # nested items: no clean place to cut
        return None
    mark = _ITEM_MARK.match(lines[0])
    start = mark.end() if mark else 0
    sentences = _SENTENCE_END.split(lines[0][start:].rstrip())  # "1." is no sentence
    kept = 0
    while kept < len(sentences) - 1 and word_count(" ".join(sentences[: kept + 1])) <= words:
        kept += 1
    if not kept:
        return None
    parts = list(block.parts)
    parts[part] = f"{lines[0][:start]}{' '.join(sentences[:kept])} …"
    return Block(block.kind, block.head, tuple(parts))


def label_of(part: str) -> str | None:
    """The label a part starts with ("Return guarantee" of "**Return guarantee:** you come
    back..."), if it has one."""
    found = _LABEL.match(part)
    return None if found is None else found.group(2) or found.group(3)


def word_count(text: str) -> int:
    """Words as a reader counts them (table pipes and list marks are not words)."""
    return len(_WORD.findall(text))


def plain(text: str) -> str:
    """A part as words to score: list marks, table pipes and emphasis removed."""
    text = _ITEM_MARK.sub("", text)
    return " ".join(text.replace("**", "").replace("|", " ").split())


def _strip_blank(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def _is_rule(line: str) -> bool:
    return bool(re.fullmatch(r"[\s|:-]+", line))
