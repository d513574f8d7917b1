"""Figures in a question matched to the ranges and tiers a document states."""

from __future__ import annotations

import pytest

from coach.answer.amounts import amount_match, conditions
from coach.answer.question import parse

RULES = {
    "finance": "People Finance approval is also needed if a single request costs more than "
    "**EUR 1,000 (USD 1,100 / SGD 1,500)**.",
    "repay_all": "If you resign within **6 months** of completing the item, you repay **100%**.",
    "repay_half": "Between **6 and 12 months** after completion, you repay **50%**.",
    "repay_none": "After **12 months**, you repay nothing.",
    "tier": "- Manager + VP Approval: $1,000.01 - $5,000",
    "tenure": "You need 12+ months in your current role.",
}


@pytest.mark.parametrize(
    ("question", "rule", "expected"),
    [
        ("My course costs EUR 1,200, who approves it?", "finance", 1.0),
        ("The course is 950 euros, does Finance sign off?", "finance", 0.5),
        ("I'm in Austin and the course is USD 1,500.", "finance", 1.0),
        ("The course is USD 1,050.", "finance", 0.5),
        ("I resign 8 months after the course.", "repay_half", 1.0),
        ("I resign 8 months after the course.", "repay_all", 0.5),
        ("I resign 8 months after the course.", "repay_none", 0.5),
        ("I'd leave 2 years after finishing.", "repay_none", 1.0),
        ("Who approves a $3,000 training request?", "tier", 1.0),
        ("Who approves a $6,500 training request?", "tier", 0.5),
        ("I have been in role for 14 months.", "tenure", 1.0),
        ("I have been in role for 10 months.", "tenure", 0.5),
        ("My course costs EUR 1,200.", "repay_all", 0.0),  # money against months: unrelated
    ],
)
def test_a_figure_fits_the_rule_whose_range_or_tier_holds_it(question, rule, expected):
    assert amount_match(parse(question).quantities, RULES[rule]) == expected


def test_a_question_without_figures_matches_nothing():
    asked = parse("Who approves a course?").quantities
    assert all(amount_match(asked, rule) == 0 for rule in RULES.values())


def test_equivalent_amounts_share_the_first_amounts_bound():
    stated = conditions(RULES["finance"])
    assert [(c.relation, c.quantity.unit, c.quantity.low) for c in stated] == [
        (">", "EUR", 1000),
        (">", "USD", 1100),
        (">", "SGD", 1500),
    ]
