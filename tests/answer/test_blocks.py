"""Passages as quotable blocks: lists keep their lead-in, tables their header, text verbatim."""

from __future__ import annotations

from coach.answer.blocks import blocks_of, word_count

PASSAGE = """Every employee has a learning budget. It runs per calendar year.

| Hub | Yearly budget per person |
| --- | --- |
| Lisbon | EUR 2,000 |
| Austin | USD 2,200 |
Prose the table parser would take for a row.

Approval takes these steps:

1. **Request.** Submit it in Workday.
2. **Manager.** Your manager decides.
3. **Finance.** Needed above EUR 1,000.
"""


def test_a_passage_splits_into_paragraphs_tables_and_lists():
    kinds = [(b.kind, len(b.parts)) for b in blocks_of(PASSAGE)]
    assert kinds == [("paragraph", 2), ("table", 2), ("paragraph", 1), ("list", 3)]


def test_a_table_row_is_quoted_under_its_header():
    table = blocks_of(PASSAGE)[1]
    assert table.render({1}) == [
        "| Hub | Yearly budget per person |",
        "| --- | --- |",
        "| Austin | USD 2,200 |",
    ]
    assert "Hub" in table.context and "---" not in table.context


def test_a_list_keeps_its_lead_in_and_marks_a_gap():
    steps = blocks_of(PASSAGE)[3]
    assert steps.head == ("Approval takes these steps:",)
    # Steps 1 and 3 without 2: the gap is shown, and Markdown keeps step 3 numbered 3.
    assert steps.render({0, 2}) == [
        "Approval takes these steps:",
        "1. **Request.** Submit it in Workday.",
        "…",
        "3. **Finance.** Needed above EUR 1,000.",
    ]


def test_every_rendered_line_is_source_text():
    flat = " ".join(PASSAGE.split())
    for block in blocks_of(PASSAGE):
        for line in block.render():
            for piece in line.split(" … "):
                assert " ".join(piece.split()) in flat, piece


def test_words_are_counted_as_a_reader_counts_them():
    assert word_count("| Lisbon | EUR 2,000 |") == 4
    assert word_count("- **Request.** Submit it.") == 3


def test_a_bold_line_standing_as_a_heading_introduces_its_list():
    module = blocks_of(
        "**Module 3: Technical Deep Dive**\n\n- Pass the Git exam\n- Shadow a call\n"
    )
    assert [(b.kind, b.head) for b in module] == [("list", ("**Module 3: Technical Deep Dive**",))]
    # Bold words inside a sentence are emphasis, not a heading.
    prose = blocks_of("Read **this** first.\n\n- one item\n- another item\n")
    assert [b.kind for b in prose] == ["paragraph", "list"]


def test_a_table_keeps_its_lead_in_a_blank_line_apart():
    refresh = blocks_of(
        "Refresh grants by level, each April:\n\n| Level | Value |\n| --- | --- |\n"
        "| 4 | USD 8,000 |\n| 5 | USD 14,000 |\n"
    )
    assert [b.kind for b in refresh] == ["table"]
    table = refresh[0]
    assert table.header == "| Level | Value |"
    # A table cannot interrupt a paragraph in Markdown: the blank line keeps it a table.
    assert table.render({1}) == [
        "Refresh grants by level, each April:",
        "",
        "| Level | Value |",
        "| --- | --- |",
        "| 5 | USD 14,000 |",
    ]
    assert table.context == "Refresh grants by level, each April: | Level | Value |"
