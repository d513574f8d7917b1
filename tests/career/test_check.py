"""`coach check` on broken ladders: what would mislead people is reported, file by file."""

from __future__ import annotations

from helpers import role_doc, write

from coach.career.check import ladder_problems
from coach.ingest.check import check_folder


def found(settings):
    return {(p.path, p.severity, p.message) for p in check_folder(settings, [ladder_problems])}


def test_a_sound_ladder_has_nothing_to_report(kb, settings):
    body = "- **Craft:** does the work.\n"
    write(
        kb,
        "a.md",
        role_doc(
            "a",
            "A",
            body,
            next_roles="[b]",
            competencies="[{id: craft, proficiency: 1, label: Craft}]",
        ),
    )
    write(
        kb,
        "b.md",
        role_doc(
            "b", "B", body, level="3", competencies="[{id: craft, proficiency: 2, label: Craft}]"
        ),
    )
    assert found(settings) == set()


def test_broken_ladders_are_reported(kb, settings):
    write(kb, "a.md", role_doc("a", "A", "Text.", next_roles="[b, ghost]"))
    write(kb, "b.md", role_doc("b", "B", "Text.", level="3", next_roles="[a]"))
    write(kb, "island.md", role_doc("island", "Island", "Text.", level="4"))
    problems = found(settings)
    assert ("a.md", "error", "next_roles names unknown role 'ghost'") in problems
    assert any("vertical moves form a cycle" in message for _, _, message in problems)
    assert (
        "island.md",
        "warning",
        "no role leads to 'island': nobody inside the company can reach it",
    ) in problems


def test_a_level_adding_nothing_and_an_unquotable_competency_are_warnings(kb, settings):
    same = "[{id: craft, proficiency: 2, label: Craft}]"
    write(kb, "a.md", role_doc("a", "A", "- **Craft:** x.", next_roles="[b]", competencies=same))
    write(kb, "b.md", role_doc("b", "B", "No list here.", level="3", competencies=same))
    problems = found(settings)
    assert any(
        path == "b.md" and "expects no competency beyond 'a'" in message
        for path, _, message in problems
    )
    assert (
        "b.md",
        "warning",
        "competency 'craft': no list item on the page starts with 'Craft'",
    ) in problems


def test_unpriced_certifications_and_public_roles_leading_to_hidden_ones(kb, settings):
    write(
        kb,
        "catalog.md",
        "---\ntitle: Catalog\naudience: employee\ncourses:\n"
        "  - {name: CS 101 Foundations, cost: free}\n---\n\nCS 101 Foundations is free.\n",
    )
    write(
        kb,
        "a.md",
        role_doc(
            "a",
            "A",
            "Text.",
            audience="public",
            next_roles="[b]",
            certifications="[CS 101 Foundations, Unknown Cert]",
        ),
    )
    write(kb, "b.md", role_doc("b", "B", "Text.", level="3"))
    problems = found(settings)
    assert (
        "a.md",
        "warning",
        "certification 'Unknown Cert' is in no training document",
    ) in problems
    assert not any("CS 101" in message for _, _, message in problems)
    assert (
        "a.md",
        "error",
        "public role 'a' leads to employee-only role 'b': its readers would see a step they "
        "cannot read about",
    ) in problems


def test_bad_career_front_matter_is_a_one_line_error_naming_the_field(kb, settings):
    write(kb, "a.md", role_doc("a", "A", "Text.", competencies="[{id: craft, proficiency: 9}]"))
    write(kb, "b.md", role_doc("b", "B", "Text.", typical_months="30-12"))
    problems = {path: message for path, _, message in found(settings)}
    assert problems["a.md"].startswith("front matter field 'competencies'")
    assert "low before high" in problems["b.md"]
    assert all("\n" not in message for message in problems.values())


def test_a_folder_without_role_front_matter_has_no_ladder_to_check(kb, settings):
    write(kb, "handbook.md", "# Handbook\n\nWe grow people.\n")
    assert [p for p in check_folder(settings, [ladder_problems]) if p.severity == "error"] == []
