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
