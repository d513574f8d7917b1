"""The "restricted" label: recorded for HR's gap view, never deciding what the asker reads."""

from __future__ import annotations

from coach.answer.answerability import Lookup
from coach.answer.question import Question
from coach.answer.retrieve import Retrieval
from coach.answer.verdict import Verdict
from coach.index.keyword import KeywordIndex
from coach.personas import AUDIENCES

# A passage the persona may not read that beats every visible one by this much means the
# question asked for restricted information.
RESTRICTED_MARGIN = 0.1


def labelled(
    decision: Verdict, found: Retrieval, question: Question, keywords: KeywordIndex
) -> Verdict:
    """The refusal, its reason "restricted" when only hidden documents cover what it asked."""
    if decision.reason is None or decision.reason.recorded != "not_found":
        return decision
    best = max((s.similarity for s in found.sources), default=0.0)
    if not asks_restricted(question.lookup, keywords, best, found.hidden_similarity):
        return decision
    # The text stays the one the asker's own documents gave (Verdict.text): telling it apart
    # would reveal that an HR-only document covers the topic.
    return decision.restricted()


def asks_restricted(
    lookup: Lookup, keywords: KeywordIndex, best: float, hidden_similarity: float
) -> bool:
    """Whether a question the asker's documents do not answer is about what hidden ones say."""
    # Computed apart, after the answer was decided: in HR's gap view a restricted topic is the
    # rules working, not a gap in the documents.
    everything = keywords.level(AUDIENCES)
    counts = everything.doc_counts([a.token for a in lookup.missing])
    hidden = [a for a in lookup.missing if counts[a.token]]
    # A word only hidden documents use is evidence, not proof (other words may say it): it
    # counts when a hidden passage also matches the question at least as well.
    hidden_lead = hidden_similarity - best
    only_hidden = bool(hidden) and len(hidden) == len(lookup.missing) and hidden_lead >= 0
    return only_hidden or hidden_lead > RESTRICTED_MARGIN
