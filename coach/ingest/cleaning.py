"""Markdown cleaning in linear time: drop what only a website renders, keep the words.

Lazy regexes such as `<!--.*?-->` rescan the rest of the text from every opener that has no
closer, so 140 KB of `<!--` took seconds. Here each span's closer is searched for once, from
its opener, and a closer found nowhere after one opener is never searched for again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SHORTCODE_OPEN = re.compile(r"\{\{[<%]")
_SHORTCODE_CLOSE = re.compile(r"[%>]\}\}")
_COMMENT_OPEN = re.compile(r"<!--")
_COMMENT_CLOSE = re.compile(r"-->")
_BLOCK_OPEN = re.compile(r"<(script|style|iframe)\b", re.IGNORECASE)
_BLOCK_CLOSE = {
    tag: re.compile(rf"</{tag}\s*>|/>", re.IGNORECASE) for tag in ("script", "style", "iframe")
}
# `[^<>]*` cannot run past the next `<`, so every scan ends where the next one starts: linear.
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_HEADING_MARK = re.compile(r"#{1,6}[ \t]+")
# A heading's id or attributes for the site's anchors: "## Cadence {#cadence}", "{: #id}".
_HEADING_ID = re.compile(r"\s*\{:?\s*#[^{}]*\}\s*$")
_BLANK_RUN = re.compile(r"\n{3,}")


def clean_markdown(text: str) -> str:
    """Strip what only a website renders (shortcodes, HTML, link targets) and keep the words."""
    text = text.replace("\r\n", "\n").replace("\x0c", "\n")
    text = _remove_spans(text, _SHORTCODE_OPEN, lambda _: _SHORTCODE_CLOSE)
    text = _remove_spans(text, _COMMENT_OPEN, lambda _: _COMMENT_CLOSE)
    text = _remove_spans(text, _BLOCK_OPEN, lambda opener: _BLOCK_CLOSE[opener.group(1).lower()])
    lines = []
    for line in text.split("\n"):
        if _HTML_TAG.search(line):
            # A line that held markup is layout, not indented code: drop its indentation too.
            line = _HTML_TAG.sub("", line).strip()
        if _HEADING_MARK.match(line):
            line = _HEADING_ID.sub("", line)
        lines.append(_unlink(line).rstrip())
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def first_heading(markdown: str) -> str | None:
    """The text of the first `#` heading, without closing hashes."""
    for line in markdown.split("\n"):
        mark = _HEADING_MARK.match(line)
        if mark and line[mark.end() :].strip():
            rest = line[mark.end() :]
            # `# ###` is a heading whose text is "#": only trailing hashes after text are dropped.
            return (rest.rstrip(" \t#") or rest[0]).strip()
    return None


def _remove_spans(
    text: str, opener: re.Pattern[str], closer_for: Callable[[re.Match[str]], re.Pattern[str]]
) -> str:
    """Remove every span from an opener to the first closer after it, in one pass."""
    kept: list[str] = []
    position = search_from = 0
    exhausted: set[re.Pattern[str]] = set()  # closers that occur nowhere further on
    while (start := opener.search(text, search_from)) is not None:
        closer = closer_for(start)
        end = None if closer in exhausted else closer.search(text, start.end())
        if end is None:
            # No closer after this opener means none after any later opener of its kind.
            exhausted.add(closer)
            search_from = start.start() + 1
            continue
        kept.append(text[position : start.start()])
        position = search_from = end.end()
    kept.append(text[position:])
    return "".join(kept)


def _unlink(line: str) -> str:
    """Images removed and links reduced to their text: `![alt](src)` and `[text](target)`."""
    if "](" not in line:
        return line
    return _replace_brackets(_replace_brackets(line, image=True), image=False)


def _replace_brackets(line: str, image: bool) -> str:
    """One pass over a line replacing each `[text](target)` (or `![alt](src)`) by its text.

    Every `[` before the same `]` shares that `]`, and every link before the same `)` shares
    that `)`: remembering both keeps `[[[[...` and `[a]([a](...` linear.
    """
    marker = "![" if image else "["
    kept: list[str] = []
    position = search_from = 0
    bracket = paren = -2  # cached positions of the next `]` and `)`; -1: none left in the line
    while (start := line.find(marker, search_from)) >= 0:
        text_start = start + len(marker)
        search_from = start + 1
        if not image and start > 0 and line[start - 1] == "!":
            continue  # an image, which the first pass left in place
        if bracket != -1 and bracket < text_start:
            bracket = line.find("]", text_start)
        if bracket < 0:
            break
        if (bracket == text_start and not image) or not line.startswith("(", bracket + 1):
            continue
        if paren != -1 and paren < bracket + 2:
            paren = line.find(")", bracket + 2)
        if paren < 0:
            break
        kept.append(line[position:start])
        kept.append("" if image else line[text_start:bracket])
        position = search_from = paren + 1
    kept.append(line[position:])
    return "".join(kept)
