"""MDX (Markdown with JSX, as docs sites write it) to plain Markdown, in one linear pass.

Dropped: ESM lines (`import`, `export`), `{expressions}` and `{/* comments */}`, and JSX tags
themselves; kept: the Markdown and the text between tags, and a component's `title="..."`
(a `<Step title="Install the SDK">` or `<Callout title="Note">` names what follows). Fenced
code and inline code are copied as written. MDX has no indented code, so text indented inside
a component is moved back to the margin instead of turning into a code block.

No Python library parses MDX; the scanner below follows its rules for tags and expressions
(quotes, nested braces, `=>` inside attributes). An unterminated tag or expression makes the
rest of the file plain text, so every character is scanned a bounded number of times.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ESM = re.compile(r"(import|export)\b")
_TAG_START = re.compile(r"<(/?)([A-Za-z_$][\w$.:-]*|(?=>))")
_URL_OR_MAIL = re.compile(r"<[A-Za-z][\w+.-]*:|<[^\s<>@]+@")  # <https://…>, <name@host>: text
_TITLE = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_INDENT_PER_LEVEL = 4
_NO_TAG = -1
_VOID_HTML = {"br", "hr", "img", "input", "meta", "link", "wbr", "source"}  # never closed


def mdx_to_markdown(text: str) -> str:
    """The Markdown of an MDX body: ESM, expressions and JSX tags dropped, their text kept."""
    return _Scanner(text.replace("\r\n", "\n")).run()


class _Scanner:
    """One pass over the text; `depth` counts the JSX elements open at the current point."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.depth = 0
        self.broken = False  # an unterminated tag or expression: the rest is plain text

    def run(self) -> str:
        text, size, i = self.text, len(self.text), 0
        while i < size:
            if i == 0 or text[i - 1] == "\n":
                after = self._whole_lines(i)
                if after != i:  # a fenced block copied or an ESM block dropped
                    i = after
                    continue
                i = self._dedent(i)
                if i >= size:
                    break
            char = text[i]
            if self.broken or char not in "`\\{<":
                self.out.append(char)
                i += 1
            elif char == "`":
                i = self._code_span(i)
            elif char == "\\":
                escaped = text[i + 1 : i + 2]
                # `\{` and `\<` are escapes in MDX: the character itself, as text.
                self.out.append(escaped if escaped in ("{", "}", "<", ">") else "\\")
                i += 2 if escaped in ("{", "}", "<", ">") else 1
            elif char == "{":
                i = self._after_dropped(self._skip_or_keep(i, self._expression_end(i)))
            else:
                i = self._after_dropped(self._tag(i))
        return "".join(self.out)

    def _after_dropped(self, i: int) -> int:
        """Where to go on after a dropped span: past a space, if one is already written before it
        ("Ask <TeamMember /> or" reads "Ask or", not "Ask  or")."""
        if self.text.startswith(" ", i) and self.out and self.out[-1].endswith(" "):
            return i + 1
        return i

    def _whole_lines(self, i: int) -> int:
        """At a line start: copy a fenced code block, or drop an ESM block; else return i."""
        text = self.text
        if opened := _FENCE.match(text, i):
            fence = opened.group(1)
            line_end = _line_end(text, i)
            self.out.append(text[i:line_end].lstrip() + "\n")
            i = line_end + 1
            while i < len(text):  # to the closing fence (or the end of the file)
                line_end = _line_end(text, i)
                line = text[i:line_end]
                self.out.append(line + "\n")
                i = line_end + 1
                if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                    break
            return i
        if self.depth == 0 and not self.broken and _ESM.match(text, i):
            while i < len(text) and text[i:_line_end(text, i)].strip():
                i = _line_end(text, i) + 1  # an ESM block runs to the next blank line
            return i
        return i

    def _dedent(self, i: int) -> int:
        """Skip the indentation a component's children carry (nothing is indented code in MDX)."""
        limit = i + self.depth * _INDENT_PER_LEVEL
        while i < limit and i < len(self.text) and self.text[i] in " \t":
            i += 1
        return i

    def _code_span(self, i: int) -> int:
        """Inline code, copied as written: backticks to the same number of backticks."""
        end = _line_end(self.text, i)
        run = len(self.text[i:end]) - len(self.text[i:end].lstrip("`"))
        ticks = "`" * run
        close = self.text.find(ticks, i + run, end)
        if close < 0:
            self.out.append(ticks)
            return i + run
        self.out.append(self.text[i : close + run])
        return close + run

    def _skip_or_keep(self, i: int, after: int | None) -> int:
        if after is None:
            self.broken = True
            self.out.append(self.text[i])
            return i + 1
        return after

    def _tag(self, i: int) -> int:
        text = self.text
        tag = _TAG_START.match(text, i)
        if tag is None or _URL_OR_MAIL.match(text, i):
            self.out.append("<")
            return i + 1
        after = self._tag_end(tag.end())
        if after == _NO_TAG:  # "if a <b then": text, and the scan stopped at the next `<`
            self.out.append("<")
            return i + 1
        if after is None:
            return self._skip_or_keep(i, None)
        closing = bool(tag.group(1))
        if closing:
            self.depth = max(self.depth - 1, 0)
        elif text[after - 2] != "/" and tag.group(2).lower() not in _VOID_HTML:
            self.depth += 1
        if not closing and (title := _TITLE.search(text, tag.end(), after)):
            # Its own paragraph when the tag ended its line, so it heads the children.
            alone = text.startswith("\n", after)
            self.out.append(f"**{title.group(1) or title.group(2)}**" + ("\n" if alone else ""))
        return after

    def _tag_end(self, i: int) -> int | None:
        """Just past the `>` closing a tag whose name ends at i; _NO_TAG if another `<` comes
        first, None if the file ends first."""
        text, size = self.text, len(self.text)
        while i < size:
            char = text[i]
            if char == ">":
                return i + 1
            if char in "\"'":
                close = text.find(char, i + 1)
                if close < 0:
                    return None
                i = close + 1
            elif char == "{":
                after = self._expression_end(i)
                if after is None:
                    return None
                i = after
            elif char == "<":
                return _NO_TAG  # a `<` inside a tag's attributes: this was no tag
            else:
                i += 1
        return None

    def _expression_end(self, i: int) -> int | None:
        """Just past the `}` closing the expression opened at i (strings, comments, nesting)."""
        text, size, depth = self.text, len(self.text), 0
        while i < size:
            char = text[i]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif char in "\"'`":
                close = text.find(char, i + 1)
                if close < 0:
                    return None
                i = close
            elif text.startswith("/*", i):
                close = text.find("*/", i + 2)
                if close < 0:
                    return None
                i = close + 1
            i += 1
        return None


def _line_end(text: str, i: int) -> int:
    """The index of the newline ending the line at i (or the text's length)."""
    end = text.find("\n", i)
    return len(text) if end < 0 else end
