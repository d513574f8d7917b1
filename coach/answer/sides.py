"""A comparison's two sides: "the difference between a vertical and a dual plan", "IC3 vs IC4",
"CCSM Level 1 or Level 2 - how do they compare?"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.answer.numbered import numbered_names
from coach.answer.words import function_terms
from coach.index.keyword import tokenize

# "What changes from CSM II to Senior CSM?", "CSM I vs CSM II", "what separates ... from ...".
COMPARES = re.compile(
    r"\b(chang\w*|differ\w*|separates?|compare\w*|vs\.?|versus|gap|between|"
    # "from CSM II to Senior CSM", not "stop me from transferring permanently to another team"
    r"from (?!\w+ing\b)(?:[\w'&/-]+ ){1,4}to)\b"
    # "X or Y - what grade is each one?": "each" closing the question asks of two things.
    r"|\beach(?: one| of them| of the two)?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# Each side is the words up to punctuation, "in", a dash between spaces or a question word (a
# new clause: "IC2 vs IC3 what differs?").
_SIDE = r"(?:an? |the )?([\w'&/ -]+?)"
_BEFORE_VS = r"(\w[\w'&/-]*(?: [\w'&/-]+){0,2})"  # up to three words before "vs"
_END = r"\s*(?:[?.!,;:(]|\s[-\u2013\u2014]\s|\bin\b|\b(?:what|how|which|who|why)\b|$)"
_SIDES = (
    re.compile(rf"\bbetween {_SIDE} and {_SIDE}{_END}", re.I),
    # ... not "compare on price and who...": what they are compared on is no side.
    re.compile(rf"\bcompar\w* (?!on |in |by |for ){_SIDE} (?:and|with|to) {_SIDE}{_END}", re.I),
    re.compile(rf"\b(?:is|are|does|do) {_SIDE} differ\w* (?:from|than|to) {_SIDE}{_END}", re.I),
    re.compile(rf"{_BEFORE_VS} (?:vs\.?|versus|compared (?:to|with)) {_SIDE}{_END}", re.I),
)
# An "or" names two sides only in a question that compares: "a formal career ladder or
# checklist?" asks for either.
_OR_SIDES = re.compile(rf"{_BEFORE_VS} or {_SIDE}{_END}", re.I)
_LAST_NUMBER = re.compile(r"\d+$")


@dataclass(frozen=True)
class Sides:
    """The two things compared, as index terms (or names with a number) and as search words."""

    terms: tuple[tuple[str, ...], ...] = ()  # each without the words both share
    phrases: tuple[str, ...] = ()  # each as a search would name it ("CCSM Level 2")


NO_SIDES = Sides()


def compared(text: str) -> Sides:
    """The two sides a comparison names; no sides if the question names none."""
    patterns = [*_SIDES, _OR_SIDES] if COMPARES.search(text) else _SIDES
    for pattern in patterns:
        if match := pattern.search(text):
            first, second = (" ".join(side.split()) for side in match.groups())
            if sides := _by_words(first, second) or _numbered(first, second):
                return sides
    return NO_SIDES


def _by_words(first: str, second: str) -> Sides | None:
    """Sides told apart by their content words ("vertical" and "dual" in "a vertical and a
    dual career path"); "my" names nothing ("my first 3 months")."""
    one, other = (
        tuple(t for t in tokenize([side], as_ids=False)[0] if t not in function_terms())
        for side in (first, second)
    )
    if len(one) == 1 < len(other):  # "a vertical and a dual career path" ...
        other = other[:1]
        if " " not in first:  # ... is searched as "vertical career path"
            first = f"{first} {second.split(' ', 1)[1]}"
    only_one = tuple(t for t in one if t not in other)
    only_other = tuple(t for t in other if t not in one)
    return Sides((only_one, only_other), (first, second)) if only_one and only_other else None


def _numbered(first: str, second: str) -> Sides | None:
    """Two items of one series, each by its name with its number ("level 1", "level 2"): the
    index terms drop single digits, so "Level 1 or Level 2" share all theirs. The second side
    takes what the first says around its number ("grade 7 vs 8", "CCSM Level 1 or Level 2")."""
    named_first, named_second = numbered_names(first), numbered_names(second)
    series = {name.rsplit(" ", 1)[0] for name in named_first | named_second}
    number = second.rsplit(" ", 1)[-1]
    if len(series) <= 1 and number.isdigit() and _LAST_NUMBER.search(first):
        second = _LAST_NUMBER.sub(number, first)
        named_second = numbered_names(second)
    if len(named_first) == len(named_second) == 1 and named_first != named_second:
        return Sides(((*named_first,), (*named_second,)), (first, second))
    return None
