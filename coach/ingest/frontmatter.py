"""Front matter and sidecars: YAML and TOML read with bounds on size, nesting and aliases."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from coach.errors import DocumentError, bounded, one_line

MAX_BYTES = 64 * 1024  # a header block is a few hundred bytes; anything near this is not one
MAX_DEPTH = 20  # our schema needs 2 levels; parsers recurse per level
MAX_VALUES = 10_000  # values after expanding YAML aliases ("billion laughs" expands to billions)

_OPENING = re.compile(r"(---|\+\+\+)[ \t]*\r?\n")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Separate YAML (---) or TOML (+++, as Hugo writes it) front matter from the body."""
    opening = _OPENING.match(text)
    if not opening:
        return {}, text
    fence = opening.group(1)
    end = _closing_line(text, opening.end(), fence)
    if end is None:
        raise DocumentError("invalid front matter: its closing line is missing")
    block_end, body_start = end
    raw = text[opening.end() : block_end]
    meta = parse_toml(raw) if fence == "+++" else parse_yaml(raw, "front matter")
    return meta, text[body_start:]


def _closing_line(text: str, start: int, fence: str) -> tuple[int, int] | None:
    """(end of block, start of body) at the first line from `start` that is the fence alone."""
    line_start = start
    while True:
        if text.startswith(fence, line_start):
            after = line_start + len(fence)
            line_end = text.find("\n", after)
            stop = len(text) if line_end < 0 else line_end
            if not text[after:stop].strip(" \t\r"):
                return line_start, stop + 1
        # Jump to the next line that starts with the fence: one pass however long the file.
        found = text.find("\n" + fence, line_start)
        if found < 0:
            return None
        line_start = found + 1


def parse_yaml(raw: str, what: str) -> dict[str, Any]:
    """A YAML mapping read within the bounds, or DocumentError naming `what` and the problem."""
    _check_size(raw, what)
    loader = _BoundedLoader(raw, what)
    try:
        loaded = loader.get_single_data()
    except DocumentError:
        raise
    except yaml.YAMLError as exc:
        raise DocumentError(f"invalid {what}: {_yaml_reason(exc)}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Construction errors: a date like 2026-13-45, an integer of 5,000 digits.
        raise DocumentError(f"invalid {what}: {one_line(exc)}") from None
    finally:
        loader.dispose()
    return _mapping(loaded, what)


def parse_toml(raw: str) -> dict[str, Any]:
    """A TOML mapping read within the bounds (tomllib recurses per level and per dotted key)."""
    _check_size(raw, "front matter")
    if _toml_depth(raw) > MAX_DEPTH:
        raise DocumentError(f"invalid front matter: nested more than {MAX_DEPTH} levels deep")
    try:
        loaded = tomllib.loads(raw)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise DocumentError(f"invalid front matter: {one_line(exc)}") from None
    return _mapping(loaded, "front matter")


def _check_size(raw: str, what: str) -> None:
    if len(raw) > MAX_BYTES:
        raise DocumentError(
            f"invalid {what}: over {MAX_BYTES // 1024} KB (a header is a few lines)"
        )


def _mapping(loaded: Any, what: str) -> dict[str, Any]:
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise DocumentError(f"invalid {what}: expected key: value pairs")
    return loaded


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits checked while composing, before anything is built."""

    def __init__(self, stream: str, what: str) -> None:
        super().__init__(stream)
        self._what = what
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values it stands for, aliases expanded

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """One node, refused when too deep, self-referencing or too large once expanded."""
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:  # still being composed: the alias is inside itself
                raise DocumentError(f"invalid {self._what}: a YAML alias refers to itself")
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise DocumentError(f"invalid {self._what}: nested more than {MAX_DEPTH} levels deep")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = 1 + sum(self._sizes[id(child)] for child in _children(node))
        if size > MAX_VALUES:
            raise DocumentError(
                f"invalid {self._what}: more than {MAX_VALUES:,} values (aliases count as expanded)"
            )
        self._sizes[id(node)] = size
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _toml_depth(raw: str) -> int:
    """Deepest bracket nesting or dotted key, outside strings and comments; one linear pass."""
    deepest = depth = dots = 0
    position, length = 0, len(raw)
    while position < length:
        char = raw[position]
        if char in "\"'":
            position = _string_end(raw, position)
            continue
        if char == "#":
            newline = raw.find("\n", position)
            position = length if newline < 0 else newline
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == ".":
            dots += 1  # `a.b.c = 1` nests as deeply as three tables
        if char in "=,\n[]{}":
            dots = 0
        deepest = max(deepest, depth + dots)
        position += 1
    return deepest


def _string_end(raw: str, start: int) -> int:
    """Index just past the TOML string opening at `start` (basic, literal, single or multi-line)."""
    quote = raw[start] * 3 if raw.startswith(raw[start] * 3, start) else raw[start]
    position = start + len(quote)
    escapes = quote[0] == '"'
    while position < len(raw):
        if escapes and raw[position] == "\\":
            position += 2
        elif raw.startswith(quote, position):
            return position + len(quote)
        elif raw[position] == "\n" and len(quote) == 1:
            return position  # an unclosed one-line string: tomllib will report it
        else:
            position += 1
    return position


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return bounded(f"{problem} (line {mark.line + 1}, column {mark.column + 1})", 200)
    return one_line(exc)
