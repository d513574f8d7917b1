"""Follow-ups without an LLM: a short question that points back is searched with the last one."""

from __future__ import annotations

import re

# Offline: a short question that starts like a continuation or points back ("it", "that one")
# is searched together with the previous one.
FOLLOW_UP_WORDS = 8
FOLLOW_UP_CUES = {
    "it",
    "its",
    "that",
    "this",
    "one",
    "ones",
    "they",
    "them",
    "those",
    "these",
    "there",
    "what about",
    "else",
}


def offline_standalone(question: str, last: str) -> str:
    """Without an LLM, a short follow-up is searched together with the previous question."""
    words = re.findall(r"[a-z']+", question.lower())
    follows = len(words) <= FOLLOW_UP_WORDS and (
        words[:1] in (["and"], ["but"], ["also"], ["so"])
        or question.lower().startswith(("what about", "how about"))
        or FOLLOW_UP_CUES & set(words)
    )
    return f"{last} {question}" if last and follows else question
