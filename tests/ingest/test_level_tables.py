"""Levels tables: a row per level read as the ladder's levels, other tables left alone."""

from __future__ import annotations

from helpers import LEVELS_PAGE
from markdown_it import MarkdownIt

from coach.ingest.chunking import sections_of
from coach.ingest.level_tables import level_rows, rows_from_metadata, rows_metadata

_MD = MarkdownIt("commonmark").enable("table")


def test_a_row_per_level_with_its_title_order_track_and_cells():
    rows = level_rows(_MD.parse(LEVELS_PAGE), "Engineering")
    assert [(r.title, r.level, r.order, r.track) for r in rows] == [
        ("Associate Engineer", "IC1", 1.0, "ic"),
        ("Engineer", "IC2", 2.0, "ic"),
        ("Senior Engineer", "IC3", 3.0, "ic"),
        ("Engineering Manager", "M1", 1.0, "management"),
    ]
    assert rows[1].cells == ("Scope: Features", "Impact: Team")
    assert rows_from_metadata(rows_metadata(rows)) == rows


def test_numbered_levels_and_tables_that_are_not_levels():
    titled = (
        "| Level | Role | Expectations |\n| --- | --- | --- |\n"
        "| 1 | Support Engineer | Learns |\n| 2 | Senior Support Engineer | Delivers |\n"
    )
    rows = level_rows(_MD.parse(titled), "Support")
    assert [(r.title, r.level) for r in rows] == [
        ("Support Engineer", "Level 1"), ("Senior Support Engineer", "Level 2")
    ]
    # A value per numbered level, without titles (the sample's pay bands): no roles.
    bands = "| Level | Refresh |\n| --- | --- |\n| Level 1 | None |\n| Level 2 | USD 2,000 |\n"
    assert level_rows(_MD.parse(bands), "Pay") == []
    budgets = "| Hub | Budget |\n| --- | --- |\n| Lisbon | EUR 2,000 |\n| Austin | USD 2,200 |\n"
    assert level_rows(_MD.parse(budgets), "Learning") == []
    one = "| Level | Scope |\n| --- | --- |\n| Senior | All |\n"  # one level is no ladder
    assert level_rows(_MD.parse(one), "X") == []
    assert rows_from_metadata("not json") == []


def test_sections_carry_the_rows_of_their_levels_table():
    (section,) = [s for s in sections_of(LEVELS_PAGE, "Engineering levels") if s.level_rows]
    assert section.level_rows[0].ladder == "Engineering levels"  # the document's family
    assert len(section.level_rows) == 4
