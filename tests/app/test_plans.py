"""The My plan tab's service: plans per persona, saved with their versions, what changed since."""

from __future__ import annotations

import re

import pytest
from app_fixtures import copy_of_indexed

from coach.app.plans import PlanDesk
from coach.app.service import CoachService, Viewer
from coach.app.users import add_user
from coach.compose import Coach
from coach.config import load_settings
from coach.errors import AccessError, CareerError, StoreError

ANA, ALEX, HANA = Viewer("ana", "csm"), Viewer("alex", "csm"), Viewer("hana", "hiring_manager")


@pytest.fixture
def desk(tmp_path, lumenfield):
    """A signed-in deployment over a private copy of the sample ladder."""
    knowledge, data = copy_of_indexed(lumenfield, tmp_path)
    users = tmp_path / "users.toml"
    for name, role in [("ana", "csm"), ("alex", "csm"), ("hana", "hiring_manager")]:
        add_user(users, name, role, f"{name}-password")
    settings = load_settings(knowledge_dir=knowledge, data_dir=data, users_file=users)
    return PlanDesk(CoachService(settings, Coach(settings)))


def test_a_plan_comes_with_its_map_and_sources(desk):
    view = desk.show(ANA, desk.request(ANA, "csm", "csm-2", "vertical", ""))
    assert view.markdown.startswith("# Career plan: Customer Success Manager II")
    assert '<div class="map-view" tabindex="0"><svg' in view.map_html
    assert "ladder/csm-2.md" in view.sources
    assert all(path and n for _, path, n in view.claims)  # every claim knows its passage


def test_a_plan_on_the_page_is_folded_and_links_each_citation_to_its_source(desk):
    view = desk.show(ANA, desk.request(ANA, "csm", "csm-2", "", ""))
    linked = set(re.findall(r'href="#plan-source-(\d+)" class="cite"', view.markdown))
    anchors = re.findall(r'id="plan-source-(\d+)"', view.sources)
    assert linked and linked <= set(anchors) and len(anchors) == len(set(anchors))
    # Every plan type of a "no preference" plan is summed up first, its details folded.
    assert "## At a glance" in view.markdown and view.markdown.count("<details>") >= 3
    assert view.sources.startswith("### Sources") and "## Sources" not in view.markdown


def test_saved_plans_stay_with_their_user(desk):
    record = desk.save(ANA, desk.request(ANA, "csm", "csm-2", "", "senior-csm"))
    assert [r.id for r in desk.saved(ANA)] == [record.id]
    assert "ladder/csm-2.md" in record.versions
    assert desk.saved(ALEX) == []
    with pytest.raises(StoreError, match="no such saved plan"):
        desk.reopen(ALEX, record.id)


def test_a_saved_plan_shows_what_changed_since_with_the_document_to_check(desk):
    record = desk.save(ANA, desk.request(ANA, "csm", "csm-2", "vertical", ""))
    _, _, unchanged = desk.reopen(ANA, record.id)
    assert unchanged == ""
    page = desk.service.settings.knowledge_dir / "ladder/csm-2.md"
    page.write_text(page.read_text().replace("GRR of 92%", "GRR of 93%"))
    desk.service.coach.sync()
    _, view, changes = desk.reopen(ANA, record.id)
    assert "Changed since you saved this plan" in changes and "`ladder/csm-2.md`" in changes
    new = next(line for line in changes.splitlines() if line.startswith("- New: GRR of 93%"))
    assert new.endswith("(ladder/csm-2.md)") and re.search(r"\[\d+\] \(", new)
    assert "- No longer in the documents: GRR of 92% or higher" in changes
    assert "GRR of 93%" in view.markdown


def test_audiences_and_bad_requests_are_one_line_errors(desk):
    with pytest.raises(CareerError, match="none of the role pages is open to this persona"):
        desk.show(HANA, desk.request(HANA, "hiring_manager", "csm-1", "", ""))
    with pytest.raises(AccessError, match="may not ask as hr"):
        desk.request(ANA, "hr", "csm-1", "", "")
    with pytest.raises(CareerError, match="choose your current role first"):
        desk.request(ANA, "csm", "", "", "")
    with pytest.raises(CareerError, match="unknown role 'director-of-fun'"):
        desk.show(ANA, desk.request(ANA, "csm", "director-of-fun", "", ""))
