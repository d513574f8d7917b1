"""The ladder as data: roles and moves from front matter, as each audience may see them."""

from __future__ import annotations

import json

import pytest

from coach.errors import CareerError
from coach.index.ladder import Months, build_ladder
from coach.personas import AUDIENCES


def role(role_id, track, level, audience="employee", **fields):
    """Stored metadata of one role document, as the index holds it."""
    meta = {
        "path": f"ladder/{role_id}.md",
        "title": role_id.replace("-", " ").title(),
        "audience": audience,
        "role_id": role_id,
        "track": track,
        "level": level,
    }
    for name in ("competencies", "rotations", "designations", "courses"):
        if name in fields:
            fields[name] = json.dumps(fields[name])
    return meta | fields


def comp(cid, proficiency, label=""):
    return {"id": cid, "proficiency": proficiency, "label": label or cid}


LADDER = [
    role(
        "ic-1",
        "ic",
        1,
        next_roles=["ic-2"],
        typical_months=[9, 18],
        competencies=[comp("craft", 1), comp("teamwork", 1)],
    ),
    role(
        "ic-2",
        "ic",
        2,
        next_roles=["ic-3"],
        lateral_moves=["ops-2"],
        typical_months=[24, 24],
        competencies=[comp("craft", 2)],
    ),
    role("ic-3", "ic", 3, competencies=[comp("craft", 3), comp("influence", 1)]),
    role("lead-3", "management", 3, next_roles=["mgr-4"]),
    role("mgr-4", "management", 4, audience="hr"),
    role("ops-2", "operations", 2),
    {
        "path": "plans/rotations.md",
        "audience": "employee",
        "plan_type": "horizontal",
        "rotations": json.dumps(
            [{"name": "Ops", "months": 6, "min_level": 2, "role": "ops-2", "tracks": ["ic"]}]
        ),
    },
]


def test_moves_are_typed_by_plan_type():
    ladder = build_ladder(LADDER, ("public", "employee", "hr"))
    kinds = {(m.source, m.target): m.kind for m in ladder.moves}
    assert kinds[("ic-1", "ic-2")] == "vertical"
    assert kinds[("ic-2", "ops-2")] == "horizontal"
    # IC and management at the same level: a dual ladder switch, both ways.
    assert kinds[("ic-3", "lead-3")] == kinds[("lead-3", "ic-3")] == "dual"
    assert ladder.roles["ic-1"].typical == Months(9, 18)
    assert str(Months(9, 18)) == "9-18 months" and str(Months(24, 24)) == "24 months"


def test_a_level_keeps_what_the_levels_below_it_expect():
    ladder = build_ladder(LADDER, ("employee",))
    # ic-2 lists only craft; teamwork from ic-1 is still expected of it.
    assert ladder.expected("ic-2") == {"craft": 2, "teamwork": 1}
    assert ladder.path("ic-1", "ic-3") == ["ic-1", "ic-2", "ic-3"]
    assert ladder.path("ic-3", "ic-1") == []


def test_rotations_open_by_level_and_track():
    ladder = build_ladder(LADDER, ("employee",))
    assert [r.item.name for r in ladder.rotations_for(ladder.roles["ic-2"])] == ["Ops"]
    assert ladder.rotations_for(ladder.roles["ic-1"]) == []  # below the minimum level
    assert ladder.rotations_for(ladder.roles["lead-3"]) == []  # not its track
    assert ladder.plan_docs == {"horizontal": ("plans/rotations.md",)}


def test_a_persona_sees_only_the_roles_it_may_read():
    employee = build_ladder(LADDER, ("public", "employee"))
    assert "mgr-4" not in employee.roles
    assert ("lead-3", "mgr-4") in employee.hidden_links
    assert all("mgr-4" not in (m.source, m.target) for m in employee.moves)
    assert build_ladder(LADDER, ("public",)).roles == {}
    with pytest.raises(CareerError, match="none of the role pages is open to this persona"):
        build_ladder(LADDER, ("public",)).role("ic-1")


def test_no_ladder_reads_the_same_whether_hidden_pages_define_roles_or_not():
    # A candidate must not learn that employee-only pages define a ladder: one message.
    public = [role("ic-9", "ic", 9, audience="public") | {"role_id": None}]
    with_hidden_roles = build_ladder(LADDER + public, ("public",))
    without = build_ladder(public, ("public",))
    assert with_hidden_roles.missing() == without.missing()
    assert "none of the role pages is open to this persona" in without.missing()
    # Whoever reads every audience is told the folder has no ladder at all.
    assert "No career ladder found: no document" in build_ladder(public, AUDIENCES).missing()


def test_unknown_roles_and_a_missing_ladder_are_one_line_errors():
    ladder = build_ladder(LADDER, ("employee",))
    with pytest.raises(CareerError, match=r"unknown role 'ic-9' \(known: ic-1, ic-2"):
        ladder.role("ic-9")
    with pytest.raises(CareerError, match="No career ladder found"):
        build_ladder([], ("employee",)).role("ic-1")


def test_unreadable_stored_records_are_skipped_not_fatal():
    broken = role("ic-1", "ic", 1) | {"competencies": "{not json"}
    assert build_ladder([broken], ("employee",)).roles["ic-1"].competencies == ()
