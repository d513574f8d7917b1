"""English word forms shared by the answer stage."""

from __future__ import annotations

import functools

from bm25s.stopwords import STOPWORDS_EN_PLUS

from coach.index.keyword import tokenize

# How a question is put, never what it is about: "how long", "how many", "am I allowed".
PHRASING = frozenset(
    {"how", "do", "does", "did", "get", "go", "can", "could", "would", "should", "my", "your"}
    | {"long", "much", "many", "exactly", "allowed", "need"}
)


def singular(word: str) -> str:
    """A plural's singular by the common English rules ("meals" -> "meal", "policies" ->
    "policy"); other words as they are."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_english_word(word: str) -> bool:
    """Whether the word is a whole English word ("strike", "referral"), not a misspelling
    ("certfication") or a name the documents coin ("Gainsight")."""
    return word.lower() in _english_words()


@functools.cache
def _english_words() -> frozenset[str]:
    """pyspellchecker's English word list (about 160,000 words, loaded in 0.1 s). The model's
    WordPiece vocabulary, used before, lacks "referral", "vesting" and "sabbatical", so a question
    about a referral bonus took "referral" for a misspelling of the documents' "refer"."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en").word_frequency.dictionary)


@functools.cache
def function_terms() -> frozenset[str]:
    """The index terms of words that only put a sentence together ("my", "what", "would"):
    however rarely the documents say "my", a question's "my" asks about nothing."""
    return frozenset(tokenize([" ".join(STOPWORDS_EN_PLUS)], as_ids=False)[0])


@functools.cache
def phrasing_terms() -> frozenset[str]:
    """The index terms of PHRASING: a heading of nothing else ("How much") names no subject."""
    return frozenset(tokenize([" ".join(PHRASING)], as_ids=False)[0])
