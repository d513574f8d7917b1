"""Offline grounded answers: the source sentences that best support the question, cited."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from coach.answer.retrieve import LIST_MARK, Source
from coach.index.keyword import tokenize

QUOTED_LABEL = "Quoted from the company documents:"
MAX_UNITS = 6  # sentences or list items in one answer
PER_SOURCE = 3
CANDIDATES = 6  # units embedded per question: enough for recall, cheap enough for ~30 ms
UNIT_CHARS = 200  # a unit is embedded by its start: cost grows with length, meaning rarely does
MIN_SUPPORT = 0.52  # cosine + overlap bonus a unit needs to be quoted at all
RELATIVE_SPAN = 0.15  # and it must score within this much of the best unit
# A personal question ("what should I do next?") is about the asker's own role page first; the
# pages of neighbouring roles name that role too and would otherwise be quoted as often.
FOCUS_BONUS = 0.1

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


@dataclass(frozen=True)
class Unit:
    """A sentence or list item, exactly as it stands in its source passage."""

    source: Source
    position: int
    text: str
    is_item: bool = False


def units_of(source: Source) -> list[Unit]:
    """Split a passage into list items, table rows and sentences, keeping their text verbatim."""
    pieces: list[tuple[str, bool]] = []
    for line in source.text.split("\n"):
        if not line.strip() or _TABLE_RULE.match(line):
            continue
        if LIST_MARK.match(line) or line.lstrip().startswith("|"):
            pieces.append((LIST_MARK.sub("", line).strip(" |"), True))
        else:
            pieces.extend((s.strip(), False) for s in _SENTENCE_END.split(line.strip()))
    return [
        Unit(source, i, text, item)
        for i, (text, item) in enumerate(pieces)
        if len(text.split()) >= 3 or item
    ]


def _with_list(unit: Unit, units: list[Unit], limit: int = 6) -> list[Unit]:
    """A sentence that introduces a list ("... requires:") is quoted with its items."""
    if not unit.text.endswith(":"):
        return [unit]
    following = [u for u in units if u.source.n == unit.source.n and u.position > unit.position]
    items = []
    for u in following:
        if not u.is_item or len(items) == limit:
            break
        items.append(u)
    return [unit, *items]


def best_units(
    question: str,
    query_vector: list[float],
    units: list[Unit],
    embeddings: Embeddings,
    focus: str = "",
) -> list[tuple[Unit, float]]:
    """Units ranked by embedding similarity plus term overlap with the question."""
    terms = set(tokenize([question], as_ids=False)[0])
    if not units:
        return []
    unit_terms = tokenize([u.text for u in units], as_ids=False)
    overlap = [len(terms & set(t)) / len(terms) if terms else 0.0 for t in unit_terms]
    # Cheap pre-ranking by overlap and by how well the unit's passage matched.
    bonus = [FOCUS_BONUS if focus and u.source.path == focus else 0.0 for u in units]
    prior = [
        o + 0.5 * u.source.similarity + b for o, u, b in zip(overlap, units, bonus, strict=True)
    ]
    shortlist = sorted(range(len(units)), key=prior.__getitem__, reverse=True)[:CANDIDATES]
    vectors = np.array(embed_units(embeddings, [units[i].text[:UNIT_CHARS] for i in shortlist]))
    cosine = vectors @ np.array(query_vector)
    scored = [
        (units[i], float(cos) + 0.3 * overlap[i] + bonus[i])
        for i, cos in zip(shortlist, cosine, strict=True)
    ]
    return sorted(scored, key=lambda pair: pair[1], reverse=True)


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


def quoted_answer(
    question: str,
    query_vector: list[float],
    sources: list[Source],
    embeddings: Embeddings,
    focus: str = "",
) -> str | None:
    """An answer made only of source sentences, grouped by source and cited; None if none fit."""
    units = [unit for source in sources for unit in units_of(source)]
    chosen: dict[tuple[int, int], Unit] = {}
    picks: dict[int, int] = {}  # source number -> units picked on their own merit
    ranked = best_units(question, query_vector, units, embeddings, focus)
    # Quote what supports the question nearly as well as the best unit does, not everything.
    floor = max(MIN_SUPPORT, ranked[0][1] - RELATIVE_SPAN) if ranked else MIN_SUPPORT
    for unit, score in ranked:
        if score < floor or sum(picks.values()) == MAX_UNITS:
            break
        n = unit.source.n
        if picks.get(n, 0) == PER_SOURCE or unit.text in {u.text for u in chosen.values()}:
            continue
        picks[n] = picks.get(n, 0) + 1
        for part in _with_list(unit, units):
            chosen[(n, part.position)] = part
    if not chosen:
        return None
    lines = [QUOTED_LABEL]
    for source in sources:
        mine = [chosen[key] for key in sorted(chosen) if key[0] == source.n]
        if not mine:
            continue
        lines.append(f"\n**{source.label}**")
        under_lead_in = False  # list items after a quoted "...:" sentence are indented under it
        for unit in mine:
            indent = "  " if unit.is_item and under_lead_in else ""
            lines.append(f"{indent}- {unit.text} [{source.n}]")
            if not unit.is_item:
                under_lead_in = unit.text.endswith(":")
    return "\n".join(lines)
