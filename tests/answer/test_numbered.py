"""Names with a number ("CCSM Level 2") pick out one item of a series; plurals meet synonyms."""

from __future__ import annotations

from coach.answer.answerability import Lookup
from coach.answer.blocks import blocks_of
from coach.answer.numbered import numbered_names, ordinal_item
from coach.answer.offline import quoted_answer
from coach.answer.parts import units_of
from coach.answer.question import parse
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


def test_a_run_of_numbered_items_names_each_of_them():
    assert numbered_names("Team members job grades 4-7 can get coaching.") == {
        "grade 4", "grade 5", "grade 6", "grade 7"
    }
    assert "grade 9" in numbered_names("Managers at job grade 8+ may book a coach.")
    # Runs of amounts, spans of time and percentages name no items between their ends.
    names = numbered_names("Budgets of 700-900 last 6-8 weeks for 80-90% of us.")
    assert names.isdisjoint({"of 750", "last 7", "for 85"})


def test_the_last_or_first_item_of_a_series_is_the_one_the_passages_number_so():
    modules = ["Module 5: Tools", "Module 6: EBRs", "**Module 7: Conclusion**", "Step 2 of 3"]
    assert ordinal_item("Which certification finishes the last module?", modules) == "module 7"
    assert ordinal_item("What do I do in the first module?", modules) == "module 5"
    assert ordinal_item("What is the final step?", modules) == "step 2"
    # Not a series the passages number, or a span of time: no item is meant.
    assert ordinal_item("What is the last stage?", modules) is None
    assert ordinal_item("Accounts added in the last month of a quarter?", ["month 4"]) is None
    assert ordinal_item("Which module covers EBRs?", modules) is None


def test_the_last_item_asked_for_leads(embeddings):
    # The page's objectives list modules 5 and 6 in one passage; module 7 stands alone.
    objectives = (
        "**Module 5: Tools**\n- Complete the CI/CD certification.\n\n"
        "**Module 6: EBRs**\n- Complete the Security certification."
    )
    conclusion = "**Module 7: Conclusion**\n- Complete the Project Management certification."
    sources = [_source(1, "Learning objectives", objectives), _source(2, "Module 7", conclusion)]
    question = "Which certification finishes off the last module of onboarding?"
    vector = embeddings.embed_query(question)
    quoting = quoted_answer(parse(question), vector, sources, embeddings)
    answer = quoting.text
    assert answer is not None
    assert "Project Management" in " ".join(answer.split("Also relevant")[0].split()[:40]), answer
    assert quoting.ordinal == "module 7"  # `coach ask --explain` shows what "last" was read as


def test_the_item_named_with_its_number_leads_among_look_alikes(embeddings):
    sources = [_source(n, heading, text) for n, (heading, text) in enumerate(SERIES, start=1)]
    question = "What does CCSM Level 2 cost?"
    vector = embeddings.embed_query(question)
    answer = quoted_answer(parse(question), vector, sources, embeddings).text
    assert answer is not None
    lead = answer.splitlines()[2]
    assert lead == "**Catalog — CCSM Level 2** [2]", answer
    assert "EUR 900" in answer.split("Also relevant")[0]


REFRESH = """Every April each person gets a refresh grant of restricted stock units, its value \
set in US dollars for every office, vesting in equal parts over the following four years:

| Level | Target refresh value |
| --- | --- |
| 1 | None (new-hire grant only) |
| 2 | USD 2,000 |
| 3 | USD 4,000 |
| 4 | USD 8,000 |
| 5 | USD 14,000 |
| 6 | USD 30,000 |
"""


def test_a_table_row_is_read_with_its_column_names():
    source = _source(1, "Equity refresh", REFRESH)
    row = next(u for u in units_of(source, blocks_of(REFRESH)) if "14,000" in u.text)
    assert row.table_row == "Level: 5; Target refresh value: USD 14,000"
    assert numbered_names(row.table_row) == {"level 5"}
    assert "Level: 5" in row.embed_text


def test_the_row_of_the_level_asked_about_is_read_first(embeddings):
    question = "What equity refresh should a level 5 expect each year?"
    vector = embeddings.embed_query(question)
    sources = [_source(1, "Equity refresh", REFRESH)]
    answer = quoted_answer(parse(question), vector, sources, embeddings).text
    assert answer is not None
    rows = [line for line in answer.splitlines() if line.startswith("| ") and "---" not in line]
    # Under the header: level 5's row first, then the rest in their order; the lead-in stays.
    assert rows[:3] == [
        "| Level | Target refresh value |",
        "| 5 | USD 14,000 |",
        "| 1 | None (new-hire grant only) |",
    ], answer
    assert answer.index("over the following four years:") < answer.index("| Level")


def test_a_pronoun_the_documents_rarely_say_brings_in_no_point(embeddings):
    pay = _source(1, "Managers", "Becoming a manager does not mean you get a pay raise.")
    aside = _source(2, "Keeper test", "Anyone can ask how hard you would work to change my mind.")
    text = "If I become a team lead, does my pay go up?"
    # The pages say "your", rarely "my": by rarity alone "my" would be a distinctive word.
    question = parse(text).measured(Lookup(weights={"my": 5.0, "pay": 2.0, "lead": 1.5}))
    answer = quoted_answer(question, embeddings.embed_query(text), [pay, aside], embeddings).text
    assert answer is not None and "change my mind" not in answer, answer


def test_plurals_become_singular_by_the_common_rules():
    assert [singular(w) for w in ("meals", "policies", "class", "bonus", "lunch")] == [
        "meal",
        "policy",
        "class",
        "bonus",
        "lunch",
    ]
