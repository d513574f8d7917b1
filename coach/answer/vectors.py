"""Small texts (quotable parts, single words) embedded once and remembered."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

_unit_vectors: dict[tuple[int, str], list[float]] = {}


def embed_units(embeddings: Embeddings, texts: list[str]) -> list[list[float]]:
    """Embed units, remembering them: the same sentences come back for related questions."""
    model = id(embeddings)  # one vector space per model
    # Read into a local dict: another request may empty the shared cache at any moment.
    found = {t: _unit_vectors.get((model, t)) for t in dict.fromkeys(texts)}
    missing = [t for t, vector in found.items() if vector is None]
    if missing:
        fresh = embeddings.embed_documents(missing)
        if len(_unit_vectors) > 50_000:
            _unit_vectors.clear()
        for text, vector in zip(missing, fresh, strict=True):
            found[text] = _unit_vectors[(model, text)] = vector
    return [found[t] for t in texts]
