"""A role's scope line: what it looks after, in figures, for two roles compared."""

from __future__ import annotations

from coach.career.scope import scope_line


def rows(*texts: str) -> list[tuple[str, str, dict]]:
    return [(f"c{i}", text, {}) for i, text in enumerate(texts)]


def test_a_count_of_what_the_role_looks_after_comes_first():
    page = rows(
        "The Senior CSM looks after our Enterprise customers.",
        "- **Segment:** Enterprise (accounts between EUR 150,000 and EUR 750,000 ARR).\n"
        "- **Book of business:** 8-14 named accounts worth EUR 3.0-4.5M ARR.",
    )
    line, row = scope_line(page)
    # The segment line sizes one account, not the book: it is passed over.
    assert line == "Book of business: 8-14 named accounts worth EUR 3.0-4.5M ARR."
    assert row[0] == "c1"


def test_a_team_counts_as_much_as_a_book():
    assert scope_line(rows("- **Team:** 7-10 direct reports, with their pods."))[0].startswith(
        "Team: 7-10 direct reports"
    )


def test_a_count_of_the_role_itself_is_not_its_scope():
    # "2-3 Staff CSMs" counts people in the role; the book size further down is the scope.
    page = rows(
        "In the market, over 20 organizations typically have 2-3 Staff CSMs.",
        "### Performance Indicators\n\n- 3.75m ARR book of business maintained",
    )
    assert scope_line(page)[0] == "3.75m ARR book of business maintained"


def test_a_role_without_figures_has_no_scope():
    assert scope_line(rows("The Manager reports to the Director.", "| Level | 5 |")) is None
