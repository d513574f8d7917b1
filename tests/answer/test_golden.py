"""The golden question sets, offline, with the bars the product promises."""

from __future__ import annotations

from helpers import REPO

from coach.app.evaluate import load_cases, run_eval


def check_golden(coach, name: str) -> dict:
    cases = load_cases(REPO / "tests" / "golden" / name)
    summary = run_eval(coach.answerer, cases, k=5).summary()
    misses = [
        r["question"]
        for r in summary["results"]
        if (r["expect_sources"] and r["source_rank"] is None)
        or r["refused"] != bool(r["expect_refusal"])
    ]
    assert summary["source_hit_at_k"] >= 0.9, misses
    assert summary["refusal_accuracy"] >= 0.9, misses
    return summary


def test_golden_lumenfield(lumenfield):
    assert check_golden(lumenfield, "knowledge.yaml")["questions"] >= 40


def test_golden_gitlab_handbook(gitlab):
    assert check_golden(gitlab, "gitlab.yaml")["questions"] >= 20
