"""Knowledge gaps: failed questions grouped by subject, what HR should write about next."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from coach.answer.answerability import subjects_of
from coach.answer.words import singular
from coach.app.history import Failure

GAP_SIMILARITY = 0.75  # questions at least this alike count as one knowledge gap
# Subjects at least this alike are one subject: "MBAs" and "MBA sponsorship" (0.67), "parental"
# and "maternity leave" (0.71); not "parental" and "sick leave" (0.53).
SUBJECT_SIMILARITY = 0.65
GAP_EXAMPLES = 5  # other wordings and comments shown per gap


@dataclass(frozen=True)
class Gap:
    """Questions the knowledge base failed on, grouped: what HR should write next."""

    subject: str  # what they ask about: "parental leave"
    question: str  # the most common wording
    count: int
    examples: list[str]  # the other wordings (not the common one, no repeats)
    reasons: tuple[str, ...] = ()  # why they failed, most frequent first
    personas: tuple[str, ...] = ()  # who asked
    comments: tuple[str, ...] = ()  # what dislikes said
    missing: tuple[str, ...] = ()  # what refusals said the documents do not mention


def knowledge_gaps(failures: list[Failure], embeddings: Embeddings) -> list[Gap]:
    """Group failures by subject: alike subjects (cosine >= SUBJECT_SIMILARITY) or alike
    questions (>= GAP_SIMILARITY) are one gap; biggest groups first."""
    if not failures:
        return []
    questions = [f.question for f in failures]
    vectors = np.array(embeddings.embed_documents(questions))
    # A refusal named what the documents lack; other failures' subjects are read from the question.
    unnamed = [i for i, f in enumerate(failures) if not f.missing]
    read = subjects_of([questions[i] for i in unnamed], vectors[unnamed], embeddings)
    subjects = [f.missing for f in failures]
    for i, subject in zip(unnamed, read, strict=True):
        subjects[i] = subject
    keys = [_key(s) for s in subjects]
    unique = sorted(set(keys))
    subject_vectors = dict(zip(unique, embeddings.embed_documents(unique), strict=True))
    groups: list[list[int]] = []
    for i, vector in enumerate(vectors):
        for group in groups:
            first = group[0]
            alike = float(np.dot(subject_vectors[keys[first]], subject_vectors[keys[i]]))
            if alike >= SUBJECT_SIMILARITY or float(vectors[first] @ vector) >= GAP_SIMILARITY:
                group.append(i)
                break
        else:
            groups.append([i])
    return sorted(
        (_gap(failures, subjects, group) for group in groups),
        key=lambda gap: gap.count,
        reverse=True,
    )


def _gap(failures: list[Failure], subjects: list[str], group: list[int]) -> Gap:
    """One group of failures as HR reads it."""
    wordings = [failures[i].question for i in group]
    common = max(set(wordings), key=wordings.count)
    reasons = [failures[i].reason for i in group]
    ranked = tuple(sorted(set(reasons), key=lambda r: (-reasons.count(r), r)))
    others = {_same(w): w for w in sorted(wordings) if _same(w) != _same(common)}
    named = [subjects[i] for i in group]
    return Gap(
        subject=max(named, key=named.count),
        question=common,
        count=len(group),
        examples=list(others.values())[:GAP_EXAMPLES],
        reasons=ranked,
        personas=tuple(sorted({failures[i].persona for i in group if failures[i].persona})),
        comments=tuple(dict.fromkeys(c for i in group if (c := failures[i].comment)))[
            :GAP_EXAMPLES
        ],
        missing=tuple({_key(m): m for i in group if (m := failures[i].missing)}.values()),
    )


def _key(subject: str) -> str:
    """A subject as compared: case, plurals and a possessive aside ("MBAs" is "mba")."""
    words = subject.lower().replace("\u2019", "'").split()
    return " ".join(singular(w.removesuffix("'s")) for w in words)


def _same(wording: str) -> str:
    """A wording as compared: case, spacing and end punctuation aside."""
    return " ".join(wording.lower().split()).rstrip("?!. ")
