"""What the app asks of a persona (its capabilities), pinned to what the ids used to decide."""

from __future__ import annotations

from coach.answer.refusals import restricted_text
from coach.personas import (
    DEFAULT_PERSONA,
    PERSONAS,
    WIDEST_PERSONA,
    may_manage_knowledge,
)


def test_capabilities_are_those_the_ids_once_decided():
    assert (DEFAULT_PERSONA, WIDEST_PERSONA) == ("csm", "hr")
    assert [p.id for p in PERSONAS.values() if not p.has_own_plan] == ["hiring_manager"]
    assert [p.id for p in PERSONAS.values() if p.speaks_for_candidates] == ["hiring_manager"]
    assert [p.id for p in PERSONAS.values() if p.reads_everything] == ["hr"]
    assert [p for p in PERSONAS if may_manage_knowledge(p)] == ["hr"]
    assert not may_manage_knowledge(None) and not may_manage_knowledge("nobody")


def test_the_restricted_refusal_reads_word_for_word_as_before():
    assert restricted_text("hiring_manager") == (
        "That isn't covered by the information we share with candidates, so I can't answer it "
        "here. Please check with the People team before you answer the candidate."
    )
    for persona, whom in [
        ("csm", "your manager or the People team"),
        ("hr", "no one yet: this may be a gap worth a new document in the knowledge base"),
    ]:
        assert restricted_text(persona) == (
            "That information isn't available to you in the company documents I can use. "
            f"Please ask {whom}."
        )
