"""The ladder inferred from real pages: level sections become roles, ordered, cited."""

from __future__ import annotations

import shutil

import pytest
from helpers import LEVELS_PAGE, run_cli, write

from coach.errors import CareerError
from coach.index.inferred import aliases, infer_roles
from coach.index.ladder import build_ladder
from coach.ingest.frontmatter import split_front_matter
from coach.personas import AUDIENCES, audiences_for


def section(title, order, track="ic", ladder="Support Engineering", path="jobs/a.md", **extra):
    """Stored metadata of one chunk inside a placed level section."""
    return {
        "path": path,
        "title": "Support",
        "audience": "employee",
        "heading": f"Levels > {title} > Requirements",
        "chunk_index": int(order * 10),
        "section_ladder": ladder,
        "section_role": title,
        "section_level": title.split()[0],
        "section_level_order": order,
        "section_track": track,
        "section_kind": "requirements",
    } | extra


def family(name, *levels):
    """The chunk metadata of one job family's page: (title, order[, track]) per level."""
    path = name.lower().replace(" ", "-") + ".md"
    return [section(*level, ladder=name, path=path) for level in levels]


SUPPORT_PAGE = (
    "# Support Engineering\n\n## Levels\n\n"
    "### Support Engineer\n\nAnswers tickets.\n\n#### Requirements\n\n- Two years in support\n"
    "\n### Senior Support Engineer\n\nLeads escalations.\n\n#### Requirements\n\n"
    "- Two years in support\n- Led ten escalations\n"
    "\n### Staff Support Engineer\n\nShapes the support process.\n"
)
ROWS = [
    section("Support Engineer (Intermediate)", 2.0),
    section("Senior Support Engineer", 3.0),
    section("Staff Support Engineer", 4.0),
    section("Associate Support Engineer", 1.0),
    section("Manager, Support Engineering", 10.0, "management"),
    section("Senior Manager, Support Engineering", 11.0, "management"),
]


def test_level_sections_become_roles_ordered_by_level_with_next_and_dual_moves():
    ladder = build_ladder(ROWS, AUDIENCES)
    up = {r.title: [ladder.roles[n].title for n in r.next_roles] for r in ladder.roles.values()}
    assert up["Associate Support Engineer"] == ["Support Engineer (Intermediate)"]
    assert up["Support Engineer (Intermediate)"] == ["Senior Support Engineer"]
    assert up["Staff Support Engineer"] == []  # the top of the IC track
    assert up["Manager, Support Engineering"] == ["Senior Manager, Support Engineering"]
    senior = ladder.role("Senior Support Engineer")
    assert senior.inferred and senior.family == "Support Engineering" and senior.level == 3
    assert senior.section == "Levels > Senior Support Engineer"  # what its plan cites
    # From Senior up, a switch to the family's first management level is a dual move.
    assert [ladder.roles[d].title for d in senior.dual_roles] == ["Manager, Support Engineering"]
    assert ladder.role("Support Engineer (Intermediate)").dual_roles == ()
    assert {m.kind for m in ladder.moves_from(senior.id)} == {"vertical", "dual"}


def test_a_role_is_found_by_title_alias_or_id_case_aside():
    ladder = build_ladder(ROWS, AUDIENCES)
    intermediate = ladder.role("intermediate support engineer")
    assert intermediate.title == "Support Engineer (Intermediate)"
    assert ladder.role(intermediate.id) is intermediate
    assert ladder.role("SUPPORT ENGINEER (INTERMEDIATE)") is intermediate
    with pytest.raises(CareerError, match="unknown role 'Chief Support Engineer'"):
        ladder.role("Chief Support Engineer")


def test_one_title_on_two_pages_is_one_role():
    rows = [
        *ROWS,
        section("Manager, Support Engineering", 10.0, "management", ladder="Other", path="z.md"),
    ]
    ladder = build_ladder(rows, AUDIENCES)
    # One job on two pages is one role (the first page by path), not an ambiguity.
    assert ladder.role("Manager, Support Engineering").path == "jobs/a.md"


def test_titles_people_write_for_a_level():
    assert aliases("Customer Success Manager (CSM) (Intermediate)") == [
        "Customer Success Manager (CSM) (Intermediate)",
        "Intermediate Customer Success Manager",
        "Intermediate CSM",
    ]  # not "Customer Success Manager": that names no one level
    assert aliases("Backend Engineer (Senior)") == [
        "Backend Engineer (Senior)", "Senior Backend Engineer"
    ]
    assert aliases("Senior Customer Success Architect (CSA)")[-1] == "Senior CSA"
    assert aliases("Manager, Customer Success Architects (CSA)")[-1] == "Manager, CSAs"
    assert aliases("Staff CSM") == ["Staff CSM"]


def test_levels_at_one_order_are_reported_and_not_ordered_between_them():
    rows = [*ROWS, section("Senior Support Engineer, Public Sector", 3.0)]
    ladder = build_ladder(rows, AUDIENCES)
    assert len(ladder.unordered) == 1
    line = ladder.unordered[0].message
    assert "'Senior Support Engineer'" in line and "Public Sector" in line and "\n" not in line
    public = ladder.role("Senior Support Engineer, Public Sector")
    senior = ladder.role("Senior Support Engineer")
    assert senior.id not in public.next_roles and public.id not in senior.next_roles
    # Both still lead to the next level, and the level below leads to both.
    assert public.next_roles == senior.next_roles
    below = ladder.role("Support Engineer (Intermediate)")
    assert set(below.next_roles) == {senior.id, public.id}


def test_front_matter_wins_over_an_inferred_role_of_the_same_name():
    declared = {
        "path": "ladder/senior.md",
        "title": "Senior Support Engineer",
        "audience": "employee",
        "role_id": "sse",
        "track": "ic",
        "level": 3,
        "next_roles": ["principal"],
    }
    ladder = build_ladder([declared, *ROWS], AUDIENCES)
    assert ladder.role("Senior Support Engineer").id == "sse"
    assert not ladder.roles["sse"].inferred
    (finding,) = ladder.overridden
    assert finding.path == "jobs/a.md"
    assert "'sse' in ladder/senior.md's front matter" in finding.message


def test_hidden_sections_give_no_roles_to_those_who_may_not_read_them():
    rows = [{**row, "audience": "hr"} for row in ROWS[:2]] + ROWS[2:]
    ladder = build_ladder(rows, audiences_for("csm"))
    assert "Senior Support Engineer" not in {r.title for r in ladder.roles.values()}
    hr = build_ladder(rows, audiences_for("hr"))
    assert "Senior Support Engineer" in {r.title for r in hr.roles.values()}


def test_only_placed_sections_count():
    assert infer_roles([{"path": "a.md", "audience": "employee"}], AUDIENCES, []).roles == {}


@pytest.mark.slow
def test_a_plan_on_real_pages_names_the_next_level_and_quotes_its_section(gitlab):
    plan = gitlab.plan("Senior CSM", "csm")
    vertical = next(s for s in plan.sections if s.plan_type == "vertical")
    staff = vertical.options[0]
    assert staff.target == "staff-csm"
    assert staff.changes and all(point.cite for point in staff.changes)
    cited = {plan.sources[p.cite - 1].heading for p in staff.changes}
    assert all("Staff CSM" in heading for heading in cited), cited
    # What Senior CSMs already do is not listed as a change.
    senior_items = "Extends the Customer Success Manager (Intermediate) requirements"
    assert all(senior_items not in p.text for p in staff.changes)
    dual = next(s for s in plan.sections if s.plan_type == "dual")
    assert dual.options[0].target == "manager-csm"


@pytest.mark.slow
def test_i_am_x_what_next_on_real_pages_answers_with_the_next_level(gitlab):
    answer = gitlab.answerer.ask("I'm a Senior CSM, what should I do next?", "csm")
    first = answer.text.split("\n\n")[:2]
    assert "Senior CSM" in first[0] and "Staff CSM" in first[1], answer.text
    assert any("Staff CSM" in source.heading for source in answer.sources)


@pytest.mark.slow
def test_plan_and_map_commands_take_a_title_on_real_pages(gitlab, tmp_path):
    where = ["--knowledge", str(gitlab.settings.knowledge_dir)]
    where += ["--data", str(gitlab.settings.data_dir)]
    shown = run_cli("plan", "--role", "Senior CSM", *where)
    assert shown.exit_code == 0, shown.output
    assert "### Staff CSM (staff-csm)" in shown.stdout and "[1]" in shown.stdout
    drawn = run_cli("map", "-o", str(tmp_path / "map.png"), "--role", "senior csm", *where)
    assert drawn.exit_code == 0, drawn.output
    assert (tmp_path / "map.png").stat().st_size > 10_000
    wrong = run_cli("plan", "--role", "Chief CSM", *where)
    assert wrong.exit_code == 2 and len(wrong.stderr.strip().splitlines()) == 1


def test_the_sample_ladder_has_no_inferred_roles(lumenfield):
    assert lumenfield.ladder("hr").roles
    assert not any(r.inferred for r in lumenfield.ladder("hr").roles.values())


@pytest.mark.slow
def test_a_handbook_without_levels_says_there_is_no_ladder(posthog):
    with pytest.raises(CareerError, match="No career ladder found"):
        posthog.plan("Senior Engineer", "csm")


def test_a_page_with_level_sections_gives_a_ladder_without_front_matter(kb, tmp_path, embeddings):
    from helpers import indexed_coach

    write(kb, "support.md", SUPPORT_PAGE)
    coach = indexed_coach(kb, tmp_path / "data")
    plan = coach.plan("Support Engineer", "csm")
    (option,) = next(s for s in plan.sections if s.plan_type == "vertical").options
    assert option.title == "Senior Support Engineer (senior-support-engineer)"
    assert [p.text for p in option.changes] == ["Led ten escalations"]  # the first is shared


def test_ladder_draft_writes_pages_hr_corrects_and_commits(kb, tmp_path):
    write(kb, "support.md", SUPPORT_PAGE)
    out = tmp_path / "review"
    drafted = run_cli("ladder", "draft", "--out", str(out), "--knowledge", str(kb))
    assert drafted.exit_code == 0, drafted.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "senior-support-engineer.md", "staff-support-engineer.md", "support-engineer.md"
    ]
    meta, body = split_front_matter((out / "senior-support-engineer.md").read_text())
    assert meta["role_id"] == "senior-support-engineer" and meta["track"] == "ic"
    assert meta["next_roles"] == ["staff-support-engineer"]
    assert meta["inferred_from"] == "support.md > Levels > Senior Support Engineer"
    assert "## Requirements\n\n- Two years in support\n- Led ten escalations" in body
    # A second run never overwrites what HR may have corrected: one line, nothing written.
    (out / "support-engineer.md").write_text("corrected by HR")
    again = run_cli("ladder", "draft", "--out", str(out), "--knowledge", str(kb))
    assert again.exit_code == 2 and len(again.stderr.strip().splitlines()) == 1
    assert "already holds" in again.stderr
    assert (out / "support-engineer.md").read_text() == "corrected by HR"
    # Committed into the folder, the drafts' front matter wins over the inferred roles.
    (out / "support-engineer.md").unlink()
    shutil.move(out, kb / "ladder")
    checked = run_cli("check", "--knowledge", str(kb))
    assert checked.exit_code == 0, checked.output
    assert "is also role 'senior-support-engineer' in ladder/senior-support-engineer.md" in (
        checked.stdout
    )
    assert "role 'support-engineer' inferred from section 'Levels > Support Engineer'" in (
        checked.stdout
    )
    assert checked.stdout.strip().endswith("1 role(s) inferred")


def test_ladder_draft_without_level_sections_says_so(kb, tmp_path):
    write(kb, "policy.md", "# Travel\n\nBook economy.\n")
    result = run_cli("ladder", "draft", "--out", str(tmp_path / "r"), "--knowledge", str(kb))
    assert result.exit_code == 2 and "nothing to draft" in result.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_check_reports_inferred_roles_of_real_pages_one_line_each():
    from helpers import REALWORLD

    checked = run_cli("check", "--knowledge", str(REALWORLD))
    lines = checked.stdout.splitlines()
    notes = [line for line in lines if line.startswith("note:")]
    assert any("role 'staff-csm' inferred from section 'Staff CSM'" in n for n in notes)
    assert checked.stdout.strip().endswith(f"{len(notes)} role(s) inferred")
    assert [line for line in lines if "order between them is not known" in line]
    # Each family's lowest level is its way in, not a role nobody can reach.
    assert not [line for line in lines if "nobody inside the company can reach" in line]


def test_bare_level_titles_of_two_families_are_two_roles_with_their_own_moves():
    rows = family("Design", ("Junior", 1.0), ("Senior", 3.0))
    rows += family("Data", ("Junior", 1.0), ("Intermediate", 2.0), ("Senior", 3.0))
    ladder = build_ladder(rows, AUDIENCES)
    assert len(ladder.roles) == 5 and len(set(ladder.roles)) == 5
    design = {r.family: r for r in ladder.roles.values() if r.title == "Junior"}
    assert [ladder.roles[n].family for n in design["Design"].next_roles] == ["Design"]
    assert [ladder.roles[n].title for n in design["Data"].next_roles] == ["Intermediate"]
    with pytest.raises(CareerError, match="'Senior' names more than one role"):
        ladder.role("Senior")


def test_an_overridden_level_still_links_its_family():
    declared = {
        "path": "ladder/senior.md", "title": "Senior Support Engineer", "audience": "employee",
        "role_id": "sse", "track": "ic", "level": 3, "next_roles": [],
    }
    ladder = build_ladder([declared, *ROWS], AUDIENCES)
    assert ladder.role("Support Engineer (Intermediate)").next_roles == ("sse",)
    assert ladder.roles["sse"].next_roles == ()  # its own moves are its front matter's


def test_track_switches_at_one_level_stay_within_a_family():
    rows = family("Design", ("IC3", 3.0), ("IC4", 4.0), ("M3", 3.0, "management"),
                  ("M4", 4.0, "management"))
    rows += family("Data", ("IC3", 3.0), ("IC4", 4.0))
    ladder = build_ladder(rows, AUDIENCES)
    data_ic3 = next(r for r in ladder.roles.values() if r.family == "Data" and r.title == "IC3")
    assert {m.kind for m in ladder.moves_from(data_ic3.id)} == {"vertical"}


def test_a_levels_table_gives_a_ladder_and_plans_quote_the_next_row(kb, tmp_path, embeddings):
    from helpers import indexed_coach

    write(kb, "levels.md", LEVELS_PAGE)
    coach = indexed_coach(kb, tmp_path / "data")
    engineer = coach.ladder("csm").role("Engineer")
    assert engineer.inferred and engineer.next_roles == ("senior-engineer",)
    plan = coach.plan("engineer", "csm")
    (option,) = next(s for s in plan.sections if s.plan_type == "vertical").options
    assert option.target == "senior-engineer"
    # Only what differs from today's row, cited to the table.
    assert [p.text for p in option.changes] == ["Scope: Projects", "Impact: Group"]
    assert all(plan.sources[p.cite - 1].path == "levels.md" for p in option.changes)


def test_a_level_code_named_with_its_family_binds_to_that_family():
    from coach.answer.question import named_roles

    rows = family("Software Engineering", ("IC2", 2.0), ("IC3", 3.0))
    rows += family("Support Engineering", ("IC2", 2.0), ("IC3", 3.0))
    roles = build_ladder(rows, AUDIENCES).in_order()
    (first, *_) = named_roles("I'm an IC2 support engineer, what should I do next?", roles)
    assert (first.title, first.family) == ("IC2", "Support Engineering")
    (first, *_) = named_roles("As an IC2 in software engineering, what's next?", roles)
    assert first.family == "Software Engineering"


def test_an_inferred_id_never_takes_a_front_matter_roles_id():
    declared = {
        "path": "ladder/x.md", "title": "Principal Architect", "audience": "employee",
        "role_id": "senior-support-engineer", "track": "ic", "level": 5,
    }
    ladder = build_ladder([declared, *ROWS], AUDIENCES)
    assert ladder.roles["senior-support-engineer"].title == "Principal Architect"
    inferred = ladder.role("Senior Support Engineer")
    assert inferred.inferred and inferred.id != "senior-support-engineer"
    assert ladder.role("Support Engineer (Intermediate)").next_roles == (inferred.id,)
