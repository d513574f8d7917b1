"""Names with a number: "CCSM Level 2", "module 3", "job grades 4-7" name items of a series."""

from __future__ import annotations

import re

from coach.answer.blocks import plain
from coach.answer.words import singular

# A name with a number ("CCSM Level 2", "module 3", "grade 7") names one item of a series; not
# an amount ("EUR 1,300") nor a span ("takes 6 weeks"). A table row read out says "Level: 5".
_NOT_AN_ITEM = r"(?![.,]\d)(?!\s*(?:%|percent|(?:minute|hour|day|week|month|year)s?\b))"
_NUMBERED = re.compile(rf"\b([a-z]{{2,}}):?\s+(\d{{1,3}})\b{_NOT_AN_ITEM}", re.I)
# ... and a run of them: "job grades 4-7", "levels 2 to 4", "grade 8+" (up to OPEN_SPAN more).
_NUMBERED_SPAN = re.compile(
    rf"\b([a-z]{{2,}}):?\s+(\d{{1,3}})(?:\s?(?:-|\u2013|to)\s?(\d{{1,3}})\b{_NOT_AN_ITEM}|\+)", re.I
)
MAX_SPAN = 20  # a wider run of numbers is a range of amounts, not of items
OPEN_SPAN = 10


def numbered_names(text: str) -> set[str]:
    """The names with a number the text holds, lower-cased and singular: {"level 2", "module
    3"}; a run names each of its items ("grades 4-7": grade 4, 5, 6 and 7)."""
    text = plain(text)
    names = {(word, int(number)) for word, number in _NUMBERED.findall(text)}
    for word, first, last in _NUMBERED_SPAN.findall(text):
        low = int(first)
        high = int(last) if last else low + OPEN_SPAN
        if low < high <= low + MAX_SPAN:
            names |= {(word, number) for number in range(low, high + 1)}
    return {f"{singular(word.lower())} {number}" for word, number in names}


# "The last module", "the final step", "the first stage": one end of a series the passages
# number. Not spans of time ("the last month of the quarter", "my first week" are not items).
_ORDINAL = re.compile(r"\b(last|final|first)\s+([a-z]{3,})\b", re.I)
_TIME_UNITS = {"minute", "hour", "day", "week", "month", "quarter", "year", "time"}


def ordinal_item(question: str, texts: list[str]) -> str | None:
    """The numbered name a "last X" or "first X" question means among the texts' items of
    series X ("module 7" when the texts number modules 5 to 7); None when it means none."""
    found = _ORDINAL.search(question)
    if found is None:
        return None
    series = singular(found.group(2).lower())
    if series in _TIME_UNITS:
        return None
    numbers = sorted(
        int(name.split()[1])
        for text in texts
        for name in numbered_names(text)
        if name.split()[0] == series
    )
    if not numbers:
        return None
    return f"{series} {numbers[0] if found.group(1).lower() == 'first' else numbers[-1]}"
