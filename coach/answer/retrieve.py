"""Retrieve stage: dense (Chroma) + BM25, fused by reciprocal rank, filtered by audience."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.embeddings import Embeddings

from coach.answer.answerability import rare_asked_about
from coach.answer.numbered import numbered_names
from coach.answer.sides import NO_SIDES, Sides
from coach.index.keyword import KeywordIndex, tokenize
from coach.index.store import KnowledgeStore, StoredChunk
from coach.personas import audiences_for

log = logging.getLogger(__name__)

RRF_K = 60  # the usual reciprocal-rank-fusion constant; dampens the weight of rank 1
# The keyword search's best passage, when it alone says a rare word of the question, is kept
# only this close to the question's meaning: further off it says the word in another sense
# ("our car phone" for "a company car", 0.15; "Thriving" in the level steps is 0.33).
KEYWORD_WINNER_SIMILARITY = 0.2
SNIPPET_CHARS = 240
SIDE_NEAREST = 5  # a compared side's passage is looked for among its nearest few
_WORD = re.compile(r"\w+")
# A list item's mark ("- ", "* ", "1. ", "2) "), wherever list items are quoted or shown.
LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
# A table's rule line (| --- | :-: |) says nothing; its cells read as "a · b".
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_TABLE_CELLS = re.compile(r"\s*\|\s*")
# What `coach ask --json` shows of a passage, in this order (its documented shape).
JSON_FIELDS = ("n", "path", "title", "heading", "snippet", "score")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass
class Source:
    """One cited passage."""

    n: int
    id: str
    path: str
    title: str
    heading: str
    text: str
    score: float  # fused RRF score, higher is better
    similarity: float  # cosine similarity of passage and question
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Title and heading path, as a citation shows them (a top heading echoing the title
        is left out)."""
        parts = self.heading.split(" > ") if self.heading else []
        if parts and _words(parts[0]) == _words(self.title):
            parts = parts[1:]
        return f"{self.title} — {' > '.join(parts)}" if parts else self.title

    def cite(self) -> str:
        """The citation line: `[n] Title — heading (path)`."""
        return f"[{self.n}] {self.label} ({self.path})"

    @property
    def snippet(self) -> str:
        """The passage's start as plain text (no list marks, bold or table pipes), cut at a word
        boundary."""
        lines = (
            _TABLE_CELLS.sub(" · ", LIST_MARK.sub("", line).replace("**", "").strip().strip("|"))
            for line in self.text.split("\n")
            if not _TABLE_RULE.match(line)
        )
        flat = " ".join(" ".join(lines).split())
        if len(flat) <= SNIPPET_CHARS:
            return flat
        return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"

    @classmethod
    def from_chunk(
        cls,
        n: int,
        chunk_id: str,
        text: str,
        metadata: dict[str, Any],
        score: float = 0.0,
        similarity: float = 0.0,
    ) -> Source:
        """The passage of an indexed chunk, cited as number n."""
        return cls(
            n=n,
            id=chunk_id,
            path=metadata["path"],
            title=metadata.get("title", ""),
            heading=metadata.get("heading", ""),
            text=text,
            score=score,
            similarity=similarity,
            metadata=metadata,
        )

    def to_row(self) -> dict[str, Any]:
        """The passage as saved with an answer: what `coach ask --json` shows, plus id and text."""
        # Key order is the printed order: `coach ask --json` output must not change.
        return {
            "n": self.n,
            "path": self.path,
            "title": self.title,
            "heading": self.heading,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "id": self.id,
            "text": self.text,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Source:
        """A passage saved by to_row(), or by an older version (no id, no text)."""
        # Answers saved before passages kept their text show their snippet instead.
        return cls(
            n=row["n"],
            id=row.get("id", ""),
            path=row["path"],
            title=row["title"],
            heading=row["heading"],
            text=row.get("text", row.get("snippet", "")),
            score=row.get("score", 0.0),
            similarity=0.0,
        )

    def as_json(self) -> dict[str, Any]:
        """The fields `coach ask --json` shows: to_row() without the id and full text."""
        row = self.to_row()
        return {key: row[key] for key in JSON_FIELDS}


@dataclass
class Retrieval:
    """What one search found for one persona."""

    sources: list[Source]
    vector: list[float]
    hidden_similarity: float  # best match among passages the persona may not read (never shown)


class Retriever:
    """Hybrid retrieval over one store and its keyword index."""

    def __init__(
        self,
        store: KnowledgeStore,
        keywords: KeywordIndex,
        embeddings: Embeddings,
        top_k: int = 5,
        candidates: int = 20,
    ) -> None:
        self.store = store
        self.keywords = keywords
        self.embeddings = embeddings
        self.top_k = top_k
        self.candidates = candidates

    def _with_sides(
        self,
        picked: list[StoredChunk],
        sides: Sides,
        allowed: tuple[str, ...],
        vector: list[float],
        k: int,
    ) -> list[StoredChunk]:
        """The picked passages, with the nearest passage of each compared side that none of
        them names ("CCSM Level 1" when only Level 2's page was found)."""
        nearest = []
        for phrase, key in zip(sides.phrases, sides.terms, strict=True):
            if any(_names(row, key) for row in picked):
                continue
            near, _ = self.store.query(self.embeddings.embed_query(phrase), SIDE_NEAREST, allowed)
            # The model hears "Level 1" and "Level 3" alike: the passage must name the side.
            found = next((row for row in near if _names(row, key)), None)
            nearest += self.store.fetch([found.id], vector).values() if found else []
        return _side_seats(picked, nearest, k) if nearest else picked

    def retrieve(self, question: str, persona: str, k: int | None = None) -> list[Source]:
        """The top-k distinct passages for the question that the persona may read."""
        return self.search(question, persona, k).sources

    def search(
        self,
        question: str,
        persona: str,
        k: int | None = None,
        focus: str = "",
        sides: Sides = NO_SIDES,
    ) -> Retrieval:
        """retrieve(), plus the question's vector and how well hidden passages match it.

        `focus` names a document (the asker's own role) whose passages join the fusion as a
        third ranking, so "what should I do next?" is answered from that role's page. A side of
        a comparison (`sides`) that no picked passage is about is searched for by its own name
        ("CCSM Level 1"): "how do they compare on price" finds neither side's entry.
        """
        allowed = audiences_for(persona)
        vector = self.embeddings.embed_query(question)
        dense, hidden = self.store.query(vector, self.candidates, allowed)
        sparse = self.keywords.search(question, allowed, self.candidates)
        rows = {row.id: row for row in dense}
        keyword_only = [hit.chunk_id for hit in sparse if hit.chunk_id not in rows]
        rows.update(self.store.fetch(keyword_only, vector))
        # Every candidate is ranked by meaning, not only the nearest few: a passage the keywords
        # put first but the vector search left just outside its list would count once, as if
        # it matched in meaning least of all.
        by_meaning = sorted(rows, key=lambda i: rows[i].similarity, reverse=True)
        rankings = [by_meaning, [hit.chunk_id for hit in sparse]]
        if focus:
            own = self.store.fetch_document(focus, vector)
            rows.update(own)
            rankings.append(sorted(own, key=lambda i: own[i].similarity, reverse=True))
        fused: dict[str, float] = {}
        for ranking in rankings:
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        # Both searches filtered already; this also catches a keyword index that lags behind the
        # store, and it runs before numbering so the sources are numbered without gaps.
        rows = {i: r for i, r in rows.items() if r.metadata.get("audience") in allowed}
        ordered = sorted(fused, key=fused.__getitem__, reverse=True)
        picked = _distinct([rows[i] for i in ordered if i in rows], k or self.top_k)
        winner = rows.get(sparse[0].chunk_id) if sparse else None
        level = self.keywords.level(allowed)
        picked = _with_keyword_winner(
            picked, winner, lambda: rare_asked_about(question, vector, level, self.embeddings),
            k or self.top_k,
        )
        picked = self._with_sides(picked, sides, allowed, vector, k or self.top_k)
        sources = [
            Source.from_chunk(
                n, row.id, row.text, row.metadata, fused.get(row.id, 0.0), row.similarity
            )
            for n, row in enumerate(picked, start=1)
        ]
        return Retrieval(sources, vector, hidden)


def _names(row: StoredChunk, side: tuple[str, ...]) -> bool:
    """Whether a passage is about a compared side: it says each of its words, or its heading
    names the item of a series (a list elsewhere naming "CCSM Level 2" says nothing of it)."""
    heading = row.metadata.get("heading", "")
    if any(" " in term for term in side):  # "level 2"
        return bool(set(side) & numbered_names(heading))
    return set(side) <= set(tokenize([f"{heading}\n{row.text}"], as_ids=False)[0])


def _side_seats(
    picked: list[StoredChunk], nearest: list[StoredChunk], k: int
) -> list[StoredChunk]:
    """Each side's passage joins the picked ones (unless a piece of its section is there),
    taking the last seat no side holds when all k are taken."""
    kept = list(picked)
    sides = {row.id for row in nearest}
    for row in nearest:
        if any(_section(p) == _section(row) for p in kept):
            continue
        free = [i for i, p in enumerate(kept) if p.id not in sides]
        if len(kept) < k:
            kept.append(row)
        elif free:
            kept[free[-1]] = row
    return kept


def _with_keyword_winner(
    picked: list[StoredChunk],
    winner: StoredChunk | None,
    asked_about: Callable[[], set[str]],
    k: int,
) -> list[StoredChunk]:
    """The keyword search's best passage takes the last seat when it says a rare word the
    question is about ("Thriving") that no picked passage says, and is at least loosely about
    the question: the embedding weighed the word too little for the fusion to keep it."""
    if winner is None or winner.similarity < KEYWORD_WINNER_SIMILARITY:
        return picked
    if any(_section(row) == _section(winner) for row in picked):
        return picked
    texts = [winner.text, *(f"{row.metadata.get('heading', '')} {row.text}" for row in picked)]
    winner_says, *picked_say = tokenize(texts, as_ids=False)
    unsaid = set(winner_says) - {t for tokens in picked_say for t in tokens}
    if not unsaid & asked_about():
        return picked
    return [*picked[: k - 1], winner] if len(picked) >= k else [*picked, winner]


def _section(row: StoredChunk) -> tuple[str, str]:
    """The document section a passage belongs to."""
    return row.metadata["path"], row.metadata.get("heading", "")


def _distinct(rows: list[StoredChunk], k: int) -> list[StoredChunk]:
    """Keep one passage per document section and drop near-copies (overlap, repeated text)."""
    kept: list[StoredChunk] = []
    seen_sections: set[tuple[str, str]] = set()
    kept_words: list[set[str]] = []
    for row in rows:
        section = _section(row)
        words = set(_WORD.findall(row.text.lower()))
        if section in seen_sections or any(_jaccard(words, w) > 0.8 for w in kept_words):
            continue
        seen_sections.add(section)
        kept_words.append(words)
        kept.append(row)
        if len(kept) == k:
            break
    return kept


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
