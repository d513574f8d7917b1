"""The golden question sets, offline, with the bars the product promises.

Issue 10 asks for hit@5 >= 0.95, term recall >= 0.85, refusal accuracy >= 0.95 and answer words
p50 <= 180 on the sample's and GitLab's sets; the answers hold all four (see the README's answer
section). The PostHog set is gated at what it measured (see BARS).
"""

from __future__ import annotations

import pytest
from helpers import REPO

from coach.app.evaluate import load_cases, run_eval

BARS = {  # set: (hit@5, refusal accuracy, term recall)
    "knowledge.yaml": (0.95, 0.95, 0.85),
    "gitlab.yaml": (0.95, 0.95, 0.85),
    # Real pages nobody here wrote (issue 23): the targets are 0.95 / 0.95 / 0.85; measured
    # 1.0 / 1.0 / 0.871 (2026-12-07, sixth session: a long step is cut, not left out).
    "posthog.yaml": (0.95, 0.95, 0.85),
}
# Lead recall (the asked fact in the first 60 words): the target is 0.70 (issues 23 and 24);
# gated at what each set measures (0.705, 0.75, 0.710 on 2026-12-07, fifth session) so it
# cannot fall back.
# PostHog's 0.581 before had one refusal counted as leading with its fact ("I found nothing about
# Thriving"): a refusal carries no fact, so the same answers measured 0.548.
LEAD_BARS = {"knowledge.yaml": 0.70, "gitlab.yaml": 0.74, "posthog.yaml": 0.70}
# Issue 24's kinds of question (tests/golden/kinds/), written after the answers above were
# tuned: the targets are refusal >= 0.95, lead >= 0.70, terms >= 0.85; gated at what each
# measures (2026-12-07) so it cannot fall back. (hit@5, refusal accuracy, term recall, lead)
# PostHog's 0.97 allows no refusal error among its 27 questions (it measures 1.0). Its lead bar
# was 0.66 for an hour: embedding 16 parts per question instead of 10 moved one of its answers
# ("a TAM and a CSM ... book size": the CSM side now ranks, and is quoted, first) for gains on
# every other real set; 0.643 is what it measures. The sample's and GitLab's bars were raised
# the same day (third session) to 0.96 / 0.74 and 0.870 / 0.630 measured: role comparisons'
# scope lines, what a move to another track or a lateral role takes, levels placed by grade.
# The fourth session raised the sample's to 1.0 refusal (0.97 allows no error) and 1.0 terms,
# and PostHog's lead to 0.690 measured (a comparison "in terms of book size" quotes the passages
# titled by it). The fifth raised GitLab's lead to 0.652 measured (a side with no seniority word
# is the plain level) and PostHog's to 0.738 ("half a day a month" is a length). The sixth
# raised GitLab's lead to 0.739 measured (a comparison's sides named by table rows lead; a part
# saying what is required counts for "is there a training I have to take?").
KIND_BARS = {
    "knowledge.yaml": (0.95, 0.97, 0.99, 0.74),
    "gitlab.yaml": (0.95, 0.96, 0.87, 0.73),
    "posthog.yaml": (0.95, 0.97, 0.85, 0.73),
}
MAX_WORDS_P50 = 180  # an answer is read, not skimmed


def check_golden(coach, name: str) -> dict:
    hit, refusal, terms = BARS[name]
    return _check(coach, REPO / "tests" / "golden" / name, hit, refusal, terms, LEAD_BARS[name])


def _check(coach, path, hit: float, refusal: float, terms: float, lead: float) -> dict:
    cases = load_cases(path)
    summary = run_eval(coach.answerer, cases, k=5).summary()
    results = summary["results"]
    misses = [
        r["question"]
        for r in results
        if (r["expect_sources"] and r["source_rank"] is None)
        or r["refused"] != bool(r["expect_refusal"])
        or r["terms_found"] < len(r["expect_terms"])
    ]
    assert summary["source_hit_at_k"] >= hit, misses
    assert summary["refusal_accuracy"] >= refusal, misses
    assert summary["term_recall"] >= terms, misses
    assert summary["lead_recall"] >= lead, summary["lead_recall"]
    assert summary["answer_words_p50"] <= MAX_WORDS_P50
    return summary


@pytest.mark.parametrize(
    ("name", "fixture"),
    [("knowledge.yaml", "lumenfield"), ("gitlab.yaml", "gitlab"), ("posthog.yaml", "posthog")],
)
def test_golden_set(request, name, fixture):
    summary = check_golden(request.getfixturevalue(fixture), name)
    # Enough refusals of each kind to measure refusal accuracy on.
    assert sum(bool(r["expect_refusal"]) for r in summary["results"]) >= 15


@pytest.mark.parametrize(
    ("name", "fixture"),
    [("knowledge.yaml", "lumenfield"), ("gitlab.yaml", "gitlab"), ("posthog.yaml", "posthog")],
)
def test_answer_kinds_set(request, name, fixture):
    path = REPO / "tests" / "golden" / "kinds" / name
    summary = _check(request.getfixturevalue(fixture), path, *KIND_BARS[name])
    assert sum(bool(r["expect_refusal"]) for r in summary["results"]) >= 5
    assert len(summary["results"]) >= 20
