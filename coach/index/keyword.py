"""BM25 keyword index over every chunk, kept beside the vector store and rebuilt after syncs."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.index.store import KnowledgeStore

log = logging.getLogger(__name__)


@functools.cache
def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG on import and would announce every index build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@functools.cache
def _stemmer():
    import Stemmer  # PyStemmer: "certifications" and "certification" should match

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str], as_ids: bool):
    """English BM25 tokens: lower-cased, stop words dropped, stemmed."""
    return _bm25s().tokenize(
        texts, stopwords="en", stemmer=_stemmer(), return_ids=as_ids, show_progress=False
    )


def searchable_text(title: str, heading: str, text: str) -> str:
    """What BM25 sees of a chunk: its title and heading count as words of the passage."""
    return f"{title}\n{heading}\n{text}"


@dataclass(frozen=True)
class TermCount:
    """How many chunks hold a token: those a persona may read, and all of them."""

    visible: int
    everywhere: int


class KeywordIndex:
    """A bm25s index plus each row's chunk id and audience, so searches filter by audience."""

    def __init__(self, bm25, ids: list[str], audiences: list[str], fingerprint: str) -> None:
        self.bm25 = bm25
        self.ids = ids
        self.audiences = np.array(audiences)
        self.fingerprint = fingerprint

    @classmethod
    def build(cls, store: KnowledgeStore) -> KeywordIndex:
        """Index every chunk the store holds."""
        rows = store.all_chunks()
        bm25 = _bm25s().BM25()
        if rows:
            texts = [
                searchable_text(m.get("title", ""), m.get("heading", ""), d) for _, d, m in rows
            ]
            bm25.index(tokenize(texts, as_ids=True), show_progress=False)
        ids = [chunk_id for chunk_id, _, _ in rows]
        audiences = [meta["audience"] for _, _, meta in rows]
        return cls(bm25, ids, audiences, fingerprint_of(ids, audiences))

    def search(self, query: str, audiences: tuple[str, ...], k: int) -> list[tuple[str, float]]:
        """Best chunk ids for the query among the allowed audiences, with BM25 scores."""
        tokens = tokenize([query], as_ids=False)
        if not self.ids or not tokens[0]:
            return []
        mask = np.isin(self.audiences, audiences).astype(np.float32)
        rows, scores = self.bm25.retrieve(
            tokens, k=min(k, len(self.ids)), show_progress=False, weight_mask=mask
        )
        return [
            (self.ids[row], float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if score > 0
        ]

    @functools.cached_property
    def vocabulary(self) -> list[str]:
        """Every indexed token, sorted (for prefix and near-spelling lookups)."""
        return sorted(getattr(self.bm25, "vocab_dict", None) or {})

    def term_counts(self, tokens: list[str], audiences: tuple[str, ...]) -> dict[str, TermCount]:
        """In how many chunks each token occurs: among the allowed audiences, and in all."""
        vocab = getattr(self.bm25, "vocab_dict", None) or {}
        counts = {}
        for token in dict.fromkeys(tokens):
            column = vocab.get(token)
            if column is None:
                counts[token] = TermCount(0, 0)
                continue
            indptr = self.bm25.scores["indptr"]
            rows = self.bm25.scores["indices"][indptr[column] : indptr[column + 1]]
            allowed = int(np.isin(self.audiences[rows], audiences).sum())
            counts[token] = TermCount(allowed, len(rows))
        return counts

    def save(self, folder: Path) -> None:
        """Write the index and its row table into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self.bm25.save(str(folder), show_progress=False)
        table = {"ids": self.ids, "audiences": self.audiences.tolist(), "fp": self.fingerprint}
        (folder / "rows.json").write_text(json.dumps(table))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """Read a saved index, or None when there is none (or it is unreadable)."""
        bm25s = _bm25s()
        try:
            table = json.loads((folder / "rows.json").read_text())
            bm25 = bm25s.BM25.load(str(folder), show_progress=False) if table["ids"] else None
        except (OSError, ValueError, KeyError) as exc:
            log.info("no usable keyword index in %s (%s)", folder, exc)
            return None
        return cls(bm25 or bm25s.BM25(), table["ids"], table["audiences"], table["fp"])


def fingerprint_of(ids: list[str], audiences: list[str]) -> str:
    """Identity of the indexed rows: ids change with text, audiences with front matter."""
    digest = hashlib.sha256()
    for chunk_id, audience in sorted(zip(ids, audiences, strict=True)):
        digest.update(f"{chunk_id}:{audience}\n".encode())
    return digest.hexdigest()


def keyword_index_for(store: KnowledgeStore, folder: Path) -> KeywordIndex:
    """The saved index if it matches the store's rows, else a fresh one (saved for next time)."""
    rows = store.ids_and_audiences()
    current = fingerprint_of([r[0] for r in rows], [r[1] for r in rows])
    saved = KeywordIndex.load(folder)
    if saved is not None and saved.fingerprint == current:
        return saved
    log.info("building the keyword index")
    index = KeywordIndex.build(store)
    index.save(folder)
    return index
