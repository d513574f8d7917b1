"""Knowledge gaps: failed questions grouped by meaning, what HR should write about next."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from coach.app.history import Failure

GAP_SIMILARITY = 0.75  # questions at least this alike count as one knowledge gap
GAP_EXAMPLES = 5  # other wordings and comments shown per gap


@dataclass(frozen=True)
class Gap:
    """Questions the knowledge base failed on, grouped: what HR should write next."""

    question: str  # the most common wording
    count: int
    examples: list[str]  # the other wordings (not the common one, no repeats)
    reasons: tuple[str, ...] = ()  # why they failed, most frequent first
    personas: tuple[str, ...] = ()  # who asked
    comments: tuple[str, ...] = ()  # what dislikes said


def knowledge_gaps(failures: list[Failure], embeddings: Embeddings) -> list[Gap]:
    """Group alike questions (cosine >= GAP_SIMILARITY), biggest groups first."""
    if not failures:
        return []
    questions = [f.question for f in failures]
    vectors = np.array(embeddings.embed_documents(questions))
    groups: list[list[int]] = []
    for i, vector in enumerate(vectors):
        for group in groups:
            if float(vectors[group[0]] @ vector) >= GAP_SIMILARITY:
                group.append(i)
                break
        else:
            groups.append([i])
    gaps = []
    for group in groups:
        wordings = [questions[i] for i in group]
        common = max(set(wordings), key=wordings.count)
        reasons = [failures[i].reason for i in group]
        ranked = tuple(sorted(set(reasons), key=lambda r: (-reasons.count(r), r)))
        others = {_same(w): w for w in sorted(wordings) if _same(w) != _same(common)}
        gaps.append(
            Gap(
                common,
                len(group),
                list(others.values())[:GAP_EXAMPLES],
                ranked,
                tuple(sorted({failures[i].persona for i in group if failures[i].persona})),
                tuple(dict.fromkeys(c for i in group if (c := failures[i].comment)))[:GAP_EXAMPLES],
            )
        )
    return sorted(gaps, key=lambda gap: gap.count, reverse=True)


def _same(wording: str) -> str:
    """A wording as compared: case, spacing and end punctuation aside."""
    return " ".join(wording.lower().split()).rstrip("?!. ")
