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
        ("How long is the rotation?", "It is open to CSM IIs and above.", False),
        ("How long is the rotation?", "A 3-month rotation.", True),
        # "How much prep time" asks a span, not a count of "prep"; so does "how much notice".
        ("How much prep time do they get?", "You get the material 48 hours in advance.", True),
        ("How much prep time do they get?", "Four steps, with 2 of our CSMs.", False),
        ("How much notice do I give?", "You can leave with 1 week's notice.", True),
        # A length said in words: "half a day a month", "a full day of work".
        ("How much work time can I spend on talks?", "Less than half a day a month.", True),
        ("How long is the SuperDay?", "It takes a full day.", True),
        ("How much work time can I spend on talks?", "On a day off, talk to your manager.", False),
        # A "when" is answered by a date or a point in time, not by any number or length.
        ("When is my plan due?", "By the end of your third month.", True),
        ("When is my plan due?", "20% of your development comes from others.", False),
        ("When can I apply?", "At least 12 months in your current role.", False),
        # Days of the week are said in the plural as often as not.
        ("Which days am I in the office?", "Come in on Tuesdays and Thursdays.", True),
        ("Which day is the team meeting?", "It is on Wednesday.", True),
        # Money is answered by an amount in a currency, whatever it is said to be of.
        ("How much money can I get?", "A reimbursement of up to $10,000 USD per year.", True),
        ("How much money can I get?", "Apply 3 months ahead.", False),
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


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        # The words both sides share ("career path") are said once, after the second.
        ("What's the difference between a vertical and a dual career path?", ("vertic", "dual")),
        ("IC4 vs IC3 in customer engineering: what changes?", ("ic4", "ic3")),
        ("How is a dual plan different from a horizontal plan?", ("dual", "horizont")),
        ("Compare the dual plan with the horizontal plan", ("dual", "horizont")),
        # "my" names no side: it would find any passage titled "... my direct reports ...".
        ("How does my notice differ between my first 3 months and later on?", ("first", "later")),
        # A dash between spaces ends the second side: "different" is no part of it.
        ("360 feedback vs performance review - how are they different?", ("360", "perform")),
        # ... and so does a question word: "IC2 vs IC3 what differs?".
        ("IC2 vs IC3 what differs?", ("ic2", "ic3")),
        # Items of one series are told apart by their numbers, which index terms drop.
        ("CCSM Level 1 or Level 2 - how do they compare on price?", ("level 1", "level 2")),
        ("Job grade 7 vs 8: what changes?", ("grade 7", "grade 8")),
        # "each" closing the question asks the same of two things named with "or".
        ("CS Ops Analyst or CS Ops Manager - what grade is each one?", ("analyst", "manag")),
    ],
)
def test_a_comparison_names_its_two_sides(question, sides):
    first, second = parse(question).sides.terms
    assert (first[0], second[0]) == sides
    assert "differ" not in second


@pytest.mark.parametrize(
    ("question", "phrases"),
    [
        # Each side is searched for as the question names it, shared words and all.
        (
            "What's the difference between a vertical and a dual career path?",
            ("vertical career path", "dual career path"),
        ),
        ("CCSM Level 1 or Level 2 - how do they compare?", ("CCSM Level 1", "CCSM Level 2")),
        ("Job grade 7 vs 8: what changes?", ("Job grade 7", "Job grade 8")),
    ],
)
def test_each_side_is_searched_for_by_its_own_name(question, phrases):
    assert parse(question).sides.phrases == phrases


@pytest.mark.parametrize(
    "question",
    [
        "What is the dual plan?",
        "What does a Staff CSM do that a Senior CSM doesn't?",
        # An "or" compares only in a question that compares.
        "Is there a formal career ladder or checklist I can work through?",
        # What things are compared on is no side of the comparison.
        "Can you compare on price and who pays?",
        # "each" inside the question is no comparison: it asks about every CSM.
        "Does each CSM get a laptop or a stipend?",
    ],
)
def test_a_question_that_compares_nothing_named_has_no_sides(question):
    assert parse(question).sides.terms == ()


@pytest.mark.parametrize(
    ("question", "money"),
    [
        ("How much does a Senior CSM earn?", True),
        ("How much does CCSM Level 2 cost?", True),
        ("How much money can I get from the fund?", True),
        ("How much of my course is paid by the company?", False),
        ("How much time do I need to make Senior CSM?", False),
        ("Is there coaching for new parents, and what does it cost?", True),
        ("What's the price of CCSM Level 2?", True),
        ("How expensive is the MBA?", True),
        ("What's PostHog's share price today?", True),
        ("What is the fee for the course?", True),
        ("What's the price uplift Renewals Managers go for?", False),
        ("What does a Senior CSM do all day?", False),
        ("What does it take to become a Team Lead?", False),
    ],
)
def test_a_question_asks_for_money_only_when_it_asks_a_sum(question, money):
    assert parse(question).asks(Wants.MONEY) is money


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        # "when" joining two clauses asks for no date; "when's", "by when" and "last day" do.
        ("If I go on a rotation, do I get my accounts back when I return?", set()),
        ("When's my next chance to sign up?", {Wants.DATE}),
        ("What do I do, and by when?", {Wants.DATE}),
        ("What's the last day I can put in a learning request?", {Wants.DATE}),
        # "from X to Y" compares two things; "stop me from transferring to" does not.
        ("What changes from CSM II to Senior CSM?", {Wants.COMPARISON}),
        ("Can my manager stop me from transferring permanently to another team?", {Wants.MOVE}),
        ("I want to transfer permanently to Renewals.", {Wants.MOVE}),
        ("Principal CSM here - is there a way into presales?", {Wants.MOVE}),
    ],
)
def test_what_a_question_asks_for_is_read_from_its_phrasing(question, wants):
    assert parse(question).wants - {Wants.YES_NO, Wants.REQUIREMENT} == wants


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Which Slack channels should I join as a new CSM?", "channel"),
        ("What kind of coaching can I get?", "coach"),
        ("What rating scale does GitLab use?", "scale"),
        ("What happens if I miss the deadline?", ""),
        ("What do I need to become Senior CSM?", ""),
        ("What is the dual plan?", ""),
    ],
)
def test_a_what_or_which_question_names_the_thing_it_asks_for(question, thing):
    assert parse(question).asked_for == thing
