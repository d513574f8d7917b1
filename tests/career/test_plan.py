"""Personal plans over the sample ladder: every role and plan type, cited, verbatim, audited."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import KNOWLEDGE, run_cli

from coach.career.render import plan_json, plan_markdown
from coach.errors import CareerError
from coach.ingest.metadata import PLAN_TYPES

SCHEMA = json.loads((Path(__file__).parent / "plan.schema.json").read_text())


def _flat(text):
    return " ".join(text.replace("**", "").split())


def test_every_role_and_plan_type_gets_a_cited_plan(lumenfield):
    ladder = lumenfield.ladder("hr")
    assert len(ladder.roles) == 12
    planned = 0
    for role_id in ladder.roles:
        for plan_type in PLAN_TYPES:
            plan = lumenfield.plan(role_id, "hr", plan_type)
            sources = {s.n: s for s in plan.sources}
            for section in plan.sections:
                planned += 1
                for option in section.options:
                    claims = [option.changes, option.criteria, option.training]
                    for points in [*claims, section.rules, section.steps]:
                        # Each claim section cites at least one source, and each [n] resolves.
                        assert not points or any(p.cite for p in points), (role_id, option.title)
                        assert all(p.cite in sources for p in points if p.cite is not None)
                    for point in option.changes:
                        quoted = point.text.split(": ", 2)[-1]
                        assert _flat(quoted) in _flat(sources[point.cite].text), point.text
            jsonschema.validate(plan_json(plan), SCHEMA)
    assert planned >= 25  # most roles have most plan types


def test_a_plan_cites_each_document_section_once(lumenfield):
    # The certification catalog is a PDF whose pages share one heading: one source, not six.
    plans = [lumenfield.plan(role_id, "hr") for role_id in lumenfield.ladder("hr").roles]
    catalog = 0
    for plan in plans:
        sections = [(s.path, s.heading) for s in plan.sources]
        assert len(sections) == len(set(sections)), plan.role.id
        assert [s.n for s in plan.sources] == list(range(1, len(plan.sources) + 1))
        catalog += any(s.path.endswith(".pdf") for s in plan.sources)
    assert catalog >= 3


def test_the_page_folds_a_plan_of_every_type_behind_a_summary(lumenfield):
    plan = lumenfield.plan("csm-2", "csm")
    page = plan_markdown(plan, folded=True)
    glance = page.split("## At a glance", 1)[1].split("<details>", 1)[0]
    for section in plan.sections:
        assert f"- **{section.plan_type.capitalize()}:** {section.options[0].title}" in glance
    assert page.count("<details>") == page.count("</details>") == len(plan.sections) >= 2
    assert "## Sources" not in page and "## Sources" in plan_markdown(plan)
    # One plan type is short enough to read as it is.
    one_type = lumenfield.plan("csm-2", "csm", "vertical")
    assert "<details>" not in plan_markdown(one_type, folded=True)


def test_the_diff_names_only_what_is_new_or_stronger(lumenfield):
    plan = lumenfield.plan("csm-2", "csm", "vertical", target="senior-csm")
    (option,) = plan.sections[0].options
    changes = [p.text for p in option.changes]
    assert any(c.startswith("New: Executive presence") for c in changes)
    assert any(
        c.startswith("Stronger: Account strategy (developing -> proficient)") for c in changes
    )
    # What CSM II already expects at the same level is never restated.
    assert not any("Value storytelling" in c for c in changes)
    assert "not an entitlement" in option.timeline.text
    assert any("CS 301 Strategic Accounts: free" in p.text for p in option.training)
    assert any("GRR of 92%" in p.text for p in option.criteria)


def test_a_paid_certification_names_cost_payer_and_approval(lumenfield):
    plan = lumenfield.plan("senior-csm", "csm", "vertical")
    training = [p.text for o in plan.sections[0].options for p in o.training]
    assert any(
        t.startswith(
            "Certified Customer Success Manager (CCSM) Level 3: EUR 1,300, paid by your "
            "learning budget; approval: manager, CS Enablement and Finance"
        )
        for t in training
    ), training


def test_rules_and_windows_come_with_the_plan_type(lumenfield):
    plan = lumenfield.plan("csm-1", "csm", "horizontal")
    rules = " ".join(p.text for p in plan.sections[0].rules)
    assert "12 months in your current role" in rules
    assert "November 1-21" in rules
    markdown = plan_markdown(plan)
    assert "## Questions for your next 1:1" in markdown and "## Sources" in markdown


def test_a_target_out_of_reach_is_said_plainly(lumenfield):
    plan = lumenfield.plan("senior-csm", "csm", "vertical", target="associate-csm")
    assert plan.sections == ()
    assert "No move in the ladder leads from senior-csm to associate-csm." in plan_markdown(plan)
    further = lumenfield.plan("csm-1", "csm", target="principal-csm")
    (option,) = further.sections[0].options
    assert "as CSM I and CSM II and Senior CSM" in option.timeline.text  # summed along the way


def test_the_candidate_version_reads_public_documents_only(lumenfield):
    assert lumenfield.ladder("hiring_manager").roles == {}
    with pytest.raises(CareerError, match="none of the role pages is open to this persona"):
        lumenfield.plan("csm-1", "hiring_manager")


def test_coach_plan_json_follows_its_schema(lumenfield):
    data = str(lumenfield.settings.data_dir)
    result = run_cli(
        "plan", "--role", "csm-1", "--knowledge", str(KNOWLEDGE), "--data", data, "--json"
    )
    assert result.exit_code == 0, result.output
    jsonschema.validate(json.loads(result.stdout), SCHEMA)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "csm-9"], "unknown role 'csm-9' (known: associate-csm"),
        (["--role", "csm-1", "--plan-type", "sideways"], "unknown plan type 'sideways'"),
        (["--role", "csm-1", "--target", "ceo"], "unknown role 'ceo'"),
    ],
)
def test_bad_plan_requests_are_one_line_errors(lumenfield, args, words):
    data = str(lumenfield.settings.data_dir)
    result = run_cli("plan", *args, "--knowledge", str(KNOWLEDGE), "--data", data)
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_small_company_ladder_with_front_matter_criteria(kb, tmp_path, embeddings):
    from helpers import indexed_coach, role_doc, write

    write(
        kb,
        "a.md",
        role_doc(
            "a",
            "Analyst",
            "## Promotion criteria\n\nShip two projects; mentor one person.\n",
            next_roles="[b]",
            typical_months="12-18",
            min_months="6",
            promotion_criteria="[Two shipped projects, One mentee]",
            competencies="[{id: craft, proficiency: 1, label: Craft}]",
        ),
    )
    write(
        kb,
        "b.md",
        role_doc(
            "b",
            "Senior Analyst",
            "## Competencies\n\n- **Craft:** leads the craft.\n",
            level="3",
            competencies="[{id: craft, proficiency: 3, label: Craft}]",
        ),
    )
    coach = indexed_coach(kb, tmp_path / "data")
    plan = coach.plan("a", "csm")
    (section,) = plan.sections
    (option,) = section.options
    assert [p.text for p in option.criteria] == ["Two shipped projects", "One mentee"]
    sources = {s.n: s for s in plan.sources}
    assert sources[option.criteria[0].cite].heading.endswith("Promotion criteria")
    assert option.changes[0].text == (
        "Stronger: Craft (foundational -> proficient): **Craft:** leads the craft."
    )
    assert option.timeline.text.startswith(
        "Typically 12-18 months as Analyst; a nomination is possible after 6 months"
    )
