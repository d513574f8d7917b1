"""English word forms shared by the answer stage."""

from __future__ import annotations


def singular(word: str) -> str:
    """A plural's singular by the common English rules ("meals" -> "meal", "policies" ->
    "policy"); other words as they are."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
