"""Parallel level sections found in real-shaped ladder pages and stored on their chunks."""

from __future__ import annotations

import pytest
from helpers import REALWORLD

from coach.ingest.chunking import sections_of, split_document
from coach.ingest.documents import Document
from coach.ingest.levels import IC, MANAGEMENT, kind_of, level_of
from coach.ingest.metadata import DocMeta

TWO_LADDERS = """# Engineering levels

## Support Engineering

### IC2

#### Impact
Resolves tickets within the SLA target of 24 hours.

#### Scope
Own queue.

### IC3

#### Impact
Keeps a 4-hour first response on priority tickets.

## Customer Engineering

### IC3
Leads onboarding for mid-size customers.

### IC4
Owns a region's technical relationships.

## How promotions work
Twice a year, with a packet.
"""


@pytest.mark.parametrize(
    ("title", "name", "order", "track"),
    [
        ("IC3", "IC3", 3.0, IC),
        ("Senior CSM", "Senior", 3.0, IC),
        ("Associate Customer Success Manager (CSM)", "Associate", 1.0, IC),
        ("Customer Success Manager (CSM) (Intermediate)", "Intermediate", 2.0, IC),
        ("Staff CSM", "Staff", 4.0, IC),
        ("Manager, CSM", "Manager", 10.0, MANAGEMENT),
        ("Director of Customer Success Management", "Director", 12.0, MANAGEMENT),
        ("M5", "M5", 5.0, MANAGEMENT),
        ("Level 2", "Level 2", 2.0, IC),
        ("Support Engineer III", "III", 3.0, IC),
        ("Job Grade 7", "Job Grade 7", 7.0, IC),
    ],
)
def test_level_names_are_read_from_titles(title, name, order, track):
    level = level_of(title)
    assert level is not None and (level.name, level.order, level.track) == (name, order, track)


@pytest.mark.parametrize(
    "title", ["Customer Success Manager", "Responsibilities", "How promotions work", "Levels"]
)
def test_a_title_without_a_level_names_none(title):
    assert level_of(title) is None  # "Customer Success Manager" is a role, not a manager


def test_section_kinds_come_from_their_headings():
    assert kind_of("Senior CSM Responsibilities") == "responsibilities"
    assert kind_of("Staff CSM Requirements") == "requirements"
    assert kind_of("Impact") == "impact"
    assert kind_of("Staff CSM Performance Indicators") == "performance indicators"
    assert kind_of("Senior CSM") == ""


def test_two_ladders_on_one_page_keep_their_levels_apart():
    placed = {
        (s.headings[-1], s.text.strip()[:20]): s.placement
        for s in sections_of(TWO_LADDERS, "Engineering levels")
    }
    impact_ic2 = placed[("Impact", "Resolves tickets wit")]
    assert (impact_ic2.ladder, impact_ic2.level, impact_ic2.kind) == (
        "Support Engineering",
        "IC2",
        "impact",
    )
    impact_ic3 = placed[("Impact", "Keeps a 4-hour first")]
    assert (impact_ic3.ladder, impact_ic3.level) == ("Support Engineering", "IC3")
    customer_ic3 = placed[("IC3", "Leads onboarding for")]
    assert (customer_ic3.ladder, customer_ic3.level, customer_ic3.order) == (
        "Customer Engineering",
        "IC3",
        3.0,
    )
    assert placed[("How promotions work", "Twice a year, with a")] is None


def test_a_real_job_family_page_is_placed_level_by_level():
    page = REALWORLD / "job-families" / "sales" / "customer-success-management.md"
    if not page.is_file():
        pytest.skip("../shared/realworld is not beside the repository")
    sections = sections_of(page.read_text(encoding="utf-8"), "Customer Success Management")
    placed = {s.headings[-1]: s.placement for s in sections if s.placement}
    senior = placed["Senior CSM Responsibilities"]
    assert (senior.ladder, senior.role, senior.level, senior.order, senior.kind) == (
        "Customer Success Management",
        "Senior CSM",
        "Senior",
        3.0,
        "responsibilities",
    )
    assert placed["Staff CSM Requirements"].order == 4.0
    assert placed["Manager, CSM Responsibilities"].track == MANAGEMENT
    cse = placed["Senior Customer Success Engineer Requirements"]  # under "Specialties"
    assert cse.ladder == "Customer Success Engineer"
    assert cse.role == "Senior Customer Success Engineer"
    assert "Responsibilities" not in placed  # the page's general sections stand on no level


def test_each_chunk_carries_its_placement():
    doc = Document(path="levels.md", title="Engineering levels", text=TWO_LADDERS, meta=DocMeta())
    chunks = {c.text.strip()[:20]: c.metadata for c in split_document(doc, 1200, 0)}
    ic2 = chunks["Resolves tickets wit"]
    assert (ic2["section_ladder"], ic2["section_level"], ic2["section_level_order"]) == (
        "Support Engineering",
        "IC2",
        2.0,
    )
    assert (ic2["section_role"], ic2["section_track"], ic2["section_kind"]) == ("IC2", IC, "impact")
    assert "section_level" not in chunks["Twice a year, with a"]


@pytest.mark.parametrize(
    ("doc_type", "placed"), [(None, True), ("job family", True), ("catalog", False)]
)
def test_a_document_that_says_it_is_no_ladder_has_no_level_sections(doc_type, placed):
    # A catalog's "CCSM Level 1, 2, 3" look like level sections; its front matter says what it is.
    meta = DocMeta(doc_type=doc_type)
    doc = Document(path="levels.md", title="Engineering levels", text=TWO_LADDERS, meta=meta)
    chunks = split_document(doc, 1200, 0)
    assert any("section_level" in c.metadata for c in chunks) is placed


GRADED = """# Operations job family

## Levels

### Operations Specialist

#### Job Grade
The Operations Specialist is a grade 5.

### Operations Analyst (Intermediate)

#### Job Grade
The Operations Analyst is a grade 6.

### Senior Operations Analyst

The Senior Operations Analyst is a grade 7.

### Operations Manager

#### Job Grade
The Operations Manager is a [grade 8](/grades).

### Manager, Operations

#### Job Grade
The Manager, Operations is a grade 8.

### Specialties

#### Senior Operations Engineer
A grade 9 role.

## Hiring Process
Every level is interviewed the same way.
"""


def test_a_level_without_a_level_word_is_placed_by_its_job_grade():
    sections = sections_of(GRADED, "Operations")
    placed = {s.placement.role: s.placement for s in sections if s.placement}
    orders = {role: placement.order for role, placement in placed.items()}
    # Grade 5 below the Intermediate Analyst's 6; grade 8 past the Senior Analyst's 7.
    assert orders == {
        "Operations Specialist": 1.0,
        "Operations Analyst (Intermediate)": 2.0,
        "Senior Operations Analyst": 3.0,
        "Operations Manager": 4.0,
        "Manager, Operations": 10.0,
    }
    assert placed["Operations Manager"].track == IC
    assert placed["Manager, Operations"].track == MANAGEMENT  # a manager by its title's head
    # A heading that only gathers other sections ("Specialties") takes none of their grades.


def test_a_page_without_headings_has_no_level_sections():
    (section,) = sections_of("The Support team is a grade 7 team, not a ladder.", "Support team")
    assert section.placement is None
