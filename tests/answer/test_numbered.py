"""Names with a number ("CCSM Level 2") pick out one item of a series; plurals meet synonyms."""

from __future__ import annotations

from coach.answer.offline import quoted_answer
from coach.answer.question import numbered_names, parse
from coach.answer.retrieve import Source
from coach.answer.words import singular

# Level 3 says the question's other words ("CCSM", "cost"); only its number tells it apart.
SERIES = [
    ("CCSM Level 3", "- The CCSM Level 3 exam costs EUR 1,300.\n- Finance approves it."),
    ("CCSM Level 2", "- Price: EUR 900.\n- Your manager approves it."),
]


def _source(n: int, heading: str, text: str) -> Source:
    return Source(n, f"c{n}", "catalog.md", "Catalog", heading, text, 0.1, 0.5)


def test_numbered_names_are_found_but_amounts_and_spans_are_not():
    assert numbered_names("What does CCSM Level 2 cost? And onboarding module 3?") == {
        "level 2",
        "module 3",
    }
    assert numbered_names("It costs EUR 1,300, takes 6 weeks and saves 5% at step 4.") == {"step 4"}


def test_the_item_named_with_its_number_leads_among_look_alikes(embeddings):
    sources = [_source(n, heading, text) for n, (heading, text) in enumerate(SERIES, start=1)]
    question = "What does CCSM Level 2 cost?"
    vector = embeddings.embed_query(question)
    answer = quoted_answer(parse(question), vector, sources, embeddings).text
    assert answer is not None
    lead = answer.splitlines()[2]
    assert lead == "**Catalog — CCSM Level 2** [2]", answer
    assert "EUR 900" in answer.split("Also relevant")[0]


def test_plurals_become_singular_by_the_common_rules():
    assert [singular(w) for w in ("meals", "policies", "class", "bonus", "lunch")] == [
        "meal",
        "policy",
        "class",
        "bonus",
        "lunch",
    ]
