"""Small texts (quotable parts, single words) embedded once and remembered."""

from __future__ import annotations

import numpy as np
from langchain_core.embeddings import Embeddings

# About 1.5 KB a vector: a 10,000-passage index's parts and words fit well under this.
MAX_REMEMBERED = 200_000

_unit_vectors: dict[tuple[int, str], np.ndarray] = {}


def embed_units(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Embed units (one row each), remembering them: the same sentences come back for related
    questions, and the app embeds every passage's parts ahead of the first (warm.py)."""
    model = id(embeddings)  # one vector space per model
    # Read into a local dict: another request may empty the shared cache at any moment.
    found = {t: _unit_vectors.get((model, t)) for t in dict.fromkeys(texts)}
    missing = [t for t, vector in found.items() if vector is None]
    if missing:
        # The model's own precision: float32 keeps its vectors exactly, in 1.5 KB each (a
        # list of Python floats takes about 12 KB).
        fresh = np.asarray(embeddings.embed_documents(missing), dtype=np.float32)
        if len(_unit_vectors) + len(missing) > MAX_REMEMBERED:
            _unit_vectors.clear()
        for text, vector in zip(missing, fresh, strict=True):
            found[text] = _unit_vectors[(model, text)] = vector
    if not texts:
        return np.empty((0, 0), dtype=np.float32)
    return np.stack([found[t] for t in texts])


def not_embedded(embeddings: Embeddings, texts: list[str]) -> list[str]:
    """The texts (once each) that are not embedded yet."""
    model = id(embeddings)
    return [t for t in dict.fromkeys(texts) if (model, t) not in _unit_vectors]


def forget() -> None:
    """Drop every remembered vector: a benchmark's next questions start cold again."""
    _unit_vectors.clear()
