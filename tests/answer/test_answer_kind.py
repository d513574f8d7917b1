"""What kind of answer a question asks for, and whether a quoted part holds it."""

from __future__ import annotations

import pytest

from coach.answer.question import Wants, answer_kind, parse


@pytest.mark.parametrize(
    ("question", "text", "held"),
    [
        ("How many accounts do I manage?", "Book of business: 8-14 named accounts.", True),
        ("How many accounts do I manage?", "Typical time in level is 30 months.", False),
        ("How much budget do I get?", "Your yearly budget is EUR 1,500.", True),
        ("How much budget do I get?", "Ask your manager about budget.", False),
        ("How much of my week does it take?", "About 20% of your time.", True),
        ("When does sign-up open?", "Sign-up runs July 5-20.", True),
        ("When does sign-up open?", "Use the form in Workday.", False),
        ("How long is the rotation?", "The rotation lasts 6 months.", True),
    ],
)
def test_a_part_holds_the_kind_of_answer_asked_for(question, text, held):
    kind = answer_kind(question)
    assert kind is not None and kind.held_by(text) is held


@pytest.mark.parametrize("question", ["What is the dual plan?", "How is it different?"])
def test_a_question_of_no_clear_kind_wants_nothing_particular(question):
    assert answer_kind(question) is None


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Who can apply for a rotation?", True),
        ("What do I need before I can mentor?", True),
        ("Am I eligible for a designation?", True),
        ("What are the requirements for Team Lead?", True),
        ("How long is the rotation?", False),
        ("Who pays for the course?", False),
    ],
)
def test_a_question_about_who_qualifies_is_told_apart(question, asks):
    assert parse(question).asks(Wants.REQUIREMENT) is asks
