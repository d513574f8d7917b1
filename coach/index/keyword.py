"""BM25 keyword indexes, one per audience level, beside the vector store and rebuilt after syncs."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.index.store import KnowledgeStore
from coach.personas import AUDIENCE_LEVELS

log = logging.getLogger(__name__)

# Bumped when the saved layout changes, so an index saved by an older version is rebuilt.
FORMAT = 2


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


# Each answer tokenizes the same passages, parts and headings again for its rules; stemming them
# is a cost paid once per text. Bounded (a few tens of MB at most), emptied when full.
_TOKENS_KEPT = 10_000
_tokens: dict[str, list[str]] = {}


def tokenize(texts: list[str], as_ids: bool):
    """English BM25 tokens: lower-cased, stop words dropped, stemmed."""
    if as_ids:
        return _bm25s_tokens(texts, as_ids=True)
    # Read into a local dict: another request may empty the shared one at any moment.
    found = {text: _tokens.get(text) for text in texts}
    missing = [text for text, tokens in found.items() if tokens is None]
    if missing:
        if len(_tokens) > _TOKENS_KEPT:
            _tokens.clear()
        for text, tokens in zip(missing, _bm25s_tokens(missing, as_ids=False), strict=True):
            found[text] = _tokens[text] = tokens
    return [list(found[text]) for text in texts]


def _bm25s_tokens(texts: list[str], as_ids: bool):
    return _bm25s().tokenize(
        texts, stopwords="en", stemmer=_stemmer(), return_ids=as_ids, show_progress=False
    )


@dataclass(frozen=True)
class KeywordHit:
    """One chunk a keyword search found, with its BM25 score (higher is better)."""

    chunk_id: str
    score: float


def searchable_text(title: str, heading: str, text: str) -> str:
    """What BM25 sees of a chunk: its title and heading count as words of the passage."""
    return f"{title}\n{heading}\n{text}"


class KeywordLevel:
    """A bm25s index over the chunks one audience level may read, and no other."""

    # Its word rarities, passage lengths and vocabulary are what a persona's answers are scored
    # and judged by: a document the persona may not read must not move them.

    def __init__(self, audiences: tuple[str, ...], bm25, ids: list[str], row_audiences) -> None:
        self.audiences = audiences
        self.bm25 = bm25
        self.ids = ids
        self.row_audiences = np.array(row_audiences)

    @property
    def size(self) -> int:
        """How many chunks this level holds."""
        return len(self.ids)

    def search(
        self, tokens: list[list[str]], audiences: tuple[str, ...], k: int
    ) -> list[KeywordHit]:
        """Best chunk ids for the tokenized query with BM25 scores, among `audiences`."""
        if not self.ids or not tokens[0]:
            return []
        mask = None  # a persona's audiences are the level's own; only other sets are masked
        if set(audiences) != set(self.audiences):
            mask = np.isin(self.row_audiences, audiences).astype(np.float32)
        rows, scores = self.bm25.retrieve(
            tokens, k=min(k, len(self.ids)), show_progress=False, weight_mask=mask
        )
        return [
            KeywordHit(self.ids[row], float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if score > 0
        ]

    @functools.cached_property
    def vocabulary(self) -> list[str]:
        """Every token of this level's chunks, sorted (for prefix and near-spelling lookups)."""
        return sorted(t for t in (getattr(self.bm25, "vocab_dict", None) or {}) if t)

    def doc_counts(self, tokens: list[str]) -> dict[str, int]:
        """In how many of this level's chunks each token occurs."""
        vocab = getattr(self.bm25, "vocab_dict", None) or {}
        counts = {}
        for token in dict.fromkeys(tokens):
            column = vocab.get(token) if self.ids else None
            if column is None:
                counts[token] = 0
                continue
            indptr = self.bm25.scores["indptr"]
            counts[token] = int(indptr[column + 1] - indptr[column])
        return counts


class KeywordIndex:
    """One KeywordLevel per personas.AUDIENCE_LEVELS, built, saved and loaded together."""

    def __init__(
        self, levels: list[KeywordLevel], ids: list[str], audiences: list[str], fingerprint: str
    ) -> None:
        self.levels = levels  # narrowest first
        self.ids = ids
        self.audiences = audiences
        self.fingerprint = fingerprint

    @classmethod
    def build(cls, store: KnowledgeStore) -> KeywordIndex:
        """Index every chunk the store holds, once per level (tokenized once)."""
        rows = store.all_chunks()
        texts = [
            searchable_text(r.metadata.get("title", ""), r.metadata.get("heading", ""), r.text)
            for r in rows
        ]
        # Not remembered: every chunk at once would crowd out the answer stage's texts.
        tokens = _bm25s_tokens(texts, as_ids=False) if rows else []
        ids = [row.id for row in rows]
        audiences = [row.metadata["audience"] for row in rows]
        levels = []
        for level in AUDIENCE_LEVELS:
            members = _members(audiences, level)
            bm25 = _bm25s().BM25()
            if members:
                bm25.index([tokens[i] for i in members], show_progress=False)
            levels.append(_level(level, bm25, ids, audiences, members))
        return cls(levels, ids, audiences, fingerprint_of(ids, audiences))

    def level(self, audiences: tuple[str, ...]) -> KeywordLevel:
        """The narrowest level holding every chunk these audiences may read (a persona's own)."""
        wanted = set(audiences)
        return next((lv for lv in self.levels if wanted <= set(lv.audiences)), self.levels[-1])

    def search(self, query: str, audiences: tuple[str, ...], k: int) -> list[KeywordHit]:
        """Best chunk ids for the query among the allowed audiences, scored over their level."""
        return self.level(audiences).search(tokenize([query], as_ids=False), audiences, k)

    def save(self, folder: Path) -> None:
        """Write each level's index and the row table into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        for level in self.levels:
            if level.ids:
                level.bm25.save(str(folder / _folder_name(level.audiences)), show_progress=False)
        table = {
            "format": FORMAT,
            "levels": [list(level.audiences) for level in self.levels],
            "ids": self.ids,
            "audiences": self.audiences,
            "fp": self.fingerprint,
        }
        (folder / "rows.json").write_text(json.dumps(table))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """Read a saved index, or None when there is none (unreadable, or of another layout)."""
        bm25s = _bm25s()
        try:
            table = json.loads((folder / "rows.json").read_text())
            if table.get("format") != FORMAT or table["levels"] != [
                list(level) for level in AUDIENCE_LEVELS
            ]:
                raise ValueError("saved by another version")
            ids, audiences = table["ids"], table["audiences"]
            levels = []
            for level in AUDIENCE_LEVELS:
                members = _members(audiences, level)
                path = str(folder / _folder_name(level))
                bm25 = bm25s.BM25.load(path, show_progress=False) if members else bm25s.BM25()
                levels.append(_level(level, bm25, ids, audiences, members))
        except (OSError, ValueError, KeyError) as exc:
            log.info("no usable keyword index in %s (%s)", folder, exc)
            return None
        return cls(levels, ids, audiences, table["fp"])


def _members(audiences: list[str], level: tuple[str, ...]) -> list[int]:
    return [i for i, audience in enumerate(audiences) if audience in level]


def _level(
    level: tuple[str, ...], bm25, ids: list[str], audiences: list[str], members: list[int]
) -> KeywordLevel:
    return KeywordLevel(level, bm25, [ids[i] for i in members], [audiences[i] for i in members])


def _folder_name(level: tuple[str, ...]) -> str:
    return "level-" + "-".join(level)


def fingerprint_of(ids: list[str], audiences: list[str]) -> str:
    """Identity of the indexed rows: ids change with text, audiences with front matter."""
    digest = hashlib.sha256()
    for chunk_id, audience in sorted(zip(ids, audiences, strict=True)):
        digest.update(f"{chunk_id}:{audience}\n".encode())
    return digest.hexdigest()


def keyword_index_for(store: KnowledgeStore, folder: Path) -> KeywordIndex:
    """The saved index if it matches the store's rows, else a fresh one (saved for next time)."""
    rows = store.ids_and_audiences()
    current = fingerprint_of([r.id for r in rows], [r.audience for r in rows])
    saved = KeywordIndex.load(folder)
    if saved is not None and saved.fingerprint == current:
        return saved
    log.info("building the keyword index")
    index = KeywordIndex.build(store)
    index.save(folder)
    return index
