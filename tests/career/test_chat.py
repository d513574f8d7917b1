"""The chat uses the career engine: a personal next step or a comparison gets the plan."""

from __future__ import annotations

import pytest

from coach.answer.citations import cited_numbers
from coach.answer.profile import Profile
from coach.answer.question import named_roles
from coach.answer.refusals import ROLE_NOTE


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("I'm a CSM II, what should I do next?", ["csm-2"]),
        ("as a Senior CSM, what's my next step?", ["senior-csm"]),
        ("What changes from csm-2 to senior-csm?", ["csm-2", "senior-csm"]),
        ("I'm a Sr CSM looking at Team Lead", ["senior-csm", "cs-team-lead"]),  # aliases
        ("CSM I vs CSM II", ["csm-1", "csm-2"]),  # "CSM I" is not read inside "CSM II"
        ("As a Senoir Customer Success Manager, what next?", ["senior-csm"]),  # misspelt
        ("What does a customer success manager do?", []),  # no level named: no role
    ],
)
def test_roles_are_recognised_by_title_id_alias_and_near_spelling(lumenfield, question, expected):
    roles = list(lumenfield.ladder("hr").roles.values())
    assert [r.id for r in named_roles(question, roles)] == expected


def test_a_personal_next_step_question_gets_the_plans_essentials(lumenfield):
    answer = lumenfield.answerer.ask("I'm a CSM II, what should I do next to get promoted?")
    assert not answer.refused
    text = answer.text
    assert "Your next steps as a Customer Success Manager II" in text
    assert "Senior Customer Success Manager" in text and "not an entitlement" in text
    assert "coach plan --role csm-2" in text
    # Sources are the ones cited, numbered 1..n in order, and the CSM II page is among them.
    assert [s.n for s in answer.sources] == sorted(cited_numbers(text))
    assert [s.n for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    assert "ladder/csm-2.md" in {s.path for s in answer.sources}


def test_a_comparison_is_answered_as_a_diff_never_both_pages(lumenfield):
    answer = lumenfield.answerer.ask("What changes from CSM II to Senior CSM?")
    assert "What changes from Customer Success Manager II to Senior" in answer.text
    assert "Executive presence" in answer.text
    assert "Value storytelling" not in answer.text  # CSM II's own competency: not restated


def test_the_profile_role_and_plan_type_shape_the_answer(lumenfield):
    role = lumenfield.ladder("csm").roles["csm-1"]
    answer = lumenfield.answerer.ask("What should I do next?", profile=Profile(role, "horizontal"))
    assert "Horizontal plan" in answer.text and "Vertical plan" not in answer.text


def test_without_a_role_the_answer_asks_for_it_instead_of_refusing(lumenfield):
    answer = lumenfield.answerer.ask("What should I do next?")
    assert not answer.refused and answer.text.startswith(ROLE_NOTE)


def test_a_candidate_question_stays_on_public_documents(lumenfield):
    answer = lumenfield.answerer.ask(
        "What growth can someone joining as CSM I expect?", "hiring_manager"
    )
    assert not answer.refused
    assert {s.metadata["audience"] for s in answer.sources} == {"public"}


def test_what_it_takes_to_become_a_role_is_the_promotion_into_it(lumenfield):
    # Not what Senior CSMs take once there: what CSM II's promotion to Senior CSM asks for.
    answer = lumenfield.answerer.ask("Which certifications do I need for Senior CSM?")
    first, *_ = answer.text.split("**What changes**")
    assert first.startswith("**What it takes to become Senior Customer Success Manager")
    assert "from Customer Success Manager II" in first.splitlines()[0]
    assert "CCSM Level 2 passed" in first and "**Promotion criteria**" in first
    assert any(s.path == "ladder/csm-2.md" for s in answer.sources)


def test_what_a_move_to_another_track_takes_is_the_targets_training(lumenfield):
    # CSM II to Team Lead is a dual move (IC to management), not CSM II's promotion: the
    # training it asks for is the Team Lead's, not CS 301 and CCSM Level 2 (for Senior CSM).
    answer = lumenfield.answerer.ask(
        "What course do I need before I can apply to become a Team Lead?"
    )
    first, *_ = answer.text.split("**What changes**")
    assert first.startswith("**What it takes to become Customer Success Team Lead")
    assert "CS 350 Coaching and Mentoring" in first and "LEAD 401" in first
    assert "CS 301" not in first and "Level 2" not in first


def test_what_a_lateral_move_takes_starts_from_the_role_that_moves_there(lumenfield):
    # No one is promoted into Solutions Consultant; Senior CSMs (level 4) and Principal CSMs
    # move there laterally: the lowest level's move is the way in, unless the asker's own is.
    answer = lumenfield.answerer.ask(
        "Which certifications would I need to become a Solutions Consultant?"
    )
    first, *_ = answer.text.split("**What changes**")
    assert first.splitlines()[0] == (
        "**What it takes to become Solutions Consultant (solutions-consultant), "
        "from Senior Customer Success Manager**"
    )
    assert "MEDDICC Fundamentals" in first and "PRE 230" in first
    principal = Profile(lumenfield.ladder("csm").roles["principal-csm"])
    asked = lumenfield.answerer.ask(
        "What do I need to become a Solutions Consultant?", profile=principal
    )
    assert "from Principal Customer Success Manager**" in asked.text.splitlines()[0]


def test_a_role_named_as_the_asker_is_not_a_target(lumenfield):
    # "I'm a CSM I. Am I allowed ...?" asks about a rotation, not how to become a CSM I.
    answer = lumenfield.answerer.ask(
        "I'm a CSM I. Am I allowed to apply for the Solutions Consulting rotation?"
    )
    assert not answer.text.startswith("**What it takes"), answer.text
    assert "first level eligible for the Solutions Consulting rotation" in answer.text


def test_x_vs_y_sums_up_both_roles_each_cited_then_the_diff(lumenfield):
    answer = lumenfield.answerer.ask("CSM II vs Senior CSM: what's the difference?")
    sides, diff = answer.text.split("**What changes from", 1)
    first, csm2, senior = sides.strip().splitlines()[:3]
    assert first.endswith("side by side**")
    # Each role as its own page opens, then the size of its book, each cited, the asker's first.
    assert csm2.startswith("- **CSM II:**") and senior.startswith("- **Senior CSM:**")
    assert "level 4 of the IC ladder" in senior
    assert "18-28 named accounts" in csm2 and "8-14 named accounts" in senior
    # Numbered as the reader meets them.
    assert (cited_numbers(csm2), cited_numbers(senior)) == ({1, 2}, {3, 4})
    assert "Executive presence" in diff
