"""My plan, the map and the page's form in a real browser (a phone's screen, accessibility)."""

from __future__ import annotations

import re

from app_fixtures import RunningApp
from browsing import (
    ANSWER,
    ARTIFACTS,
    BROWSER_TESTS,
    PAGE_LOAD,
    PHONE,
    QUESTION,
    ask,
    axe_violations,
    look_at_the_map,
    open_as,
    shot,
)
from playwright.sync_api import Browser, Page, expect

from coach.app.users import add_user

pytestmark = BROWSER_TESTS


def test_my_plan_tab_shows_the_plan_the_map_and_saves_it(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    page.get_by_role("tab", name="My plan").click()
    expect(page.locator("#plan")).to_contain_text("Choose your role")
    role = page.locator("#plan-role input")
    role.click()
    page.get_by_role("option", name="Customer Success Manager II (csm-2)").click()
    expect(role).to_have_value("Customer Success Manager II (csm-2)")
    page.locator("#plan-type").get_by_text("Vertical", exact=True).click()
    page.locator("#show-plan").click()
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Career plan: Customer Success Manager II", timeout=ANSWER)
    expect(plan).to_contain_text("What changes (new or stronger than today)")
    expect(plan).to_contain_text("Questions for your next 1:1")
    look_at_the_map(page, "csm-2 (you)")
    expect(page.locator("#plan-sources")).to_contain_text("ladder/csm-2.md")
    # Each source once; a citation in the plan shows its passage, as in the chat.
    labels = page.locator("#plan-sources strong").all_inner_texts()
    labels = [label for label in labels if re.match(r"\[\d+\] ", label)]
    assert len(labels) >= 3 and len(labels) == len(set(labels))
    page.locator("#plan a.cite").first.click()
    expect(page.locator("#plan-sources .cited")).to_have_count(1)
    expect(page.locator("#plan-sources .cited")).to_be_in_viewport()
    shot(page, "14-my-plan")

    page.locator("#save-plan").click()
    expect(page.locator("#plan-notice")).to_contain_text("Saved:", timeout=ANSWER)
    page.locator("#export-plan").click()
    expect(page.get_by_text("coach-plan-csm-2")).to_be_visible(timeout=ANSWER)
    page.locator("#career-map").scroll_into_view_if_needed()
    shot(page, "15-my-plan-saved")

    # Every plan type: a summary first, each type folded until opened.
    page.locator("#plan-type").get_by_text("No preference", exact=True).click()
    page.locator("#show-plan").click()
    expect(plan).to_contain_text("At a glance", timeout=ANSWER)
    folded = plan.locator("details")
    assert folded.count() >= 3
    expect(plan.get_by_text("What changes (new or stronger than today)").first).to_be_hidden()
    folded.first.locator("summary").click()
    expect(plan.get_by_text("What changes (new or stronger than today)").first).to_be_visible()
    shot(page, "26-my-plan-every-type")


def test_my_plan_says_what_is_missing_in_place(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    page.get_by_role("tab", name="My plan").click()
    page.locator("#show-plan").click()
    notice = page.locator("#plan-notice")
    expect(notice).to_have_text("Choose your current role first.", timeout=ANSWER)
    # One line in place: no toast, no "Error" pills over the page.
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    expect(page.locator("#plan")).to_contain_text("Choose your role")
    shot(page, "27-my-plan-no-role")


def test_a_hiring_managers_plan_tab_has_no_dead_controls(page: Page, served: RunningApp) -> None:
    open_as(page, served, "hana")
    page.get_by_role("tab", name="My plan").click()
    expect(page.locator("#plan-notice")).to_contain_text("No role pages are public", timeout=ANSWER)
    for control in ("#plan-role", "#plan-type", "#plan-target", "#show-plan", "#open-saved"):
        expect(page.locator(control)).to_be_hidden()
    expect(page.locator("#plan")).to_have_text("")
    shot(page, "28-my-plan-hiring-manager")


def test_my_plan_on_real_pages_without_front_matter(page: Page, served_gitlab: RunningApp) -> None:
    open_as(page, served_gitlab, "ana")
    page.get_by_role("tab", name="My plan").click()
    role = page.locator("#plan-role input")
    role.click()
    page.get_by_role("option", name="Senior CSM (senior-csm, Customer Success Management)").click()
    page.locator("#show-plan").click()
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Career plan: Senior CSM", timeout=ANSWER)
    expect(plan).to_contain_text("Staff CSM (staff-csm)")  # the next level, vertical
    expect(plan).to_contain_text("Manager, CSM (manager-csm)")  # the family's first manager
    expect(plan).to_contain_text("Ability to manage executive relationships")  # its section
    expect(page.locator("#plan-sources")).to_contain_text("Staff CSM Requirements")
    look_at_the_map(page, "senior-csm (you)")
    shot(page, "16-my-plan-inferred")


def test_a_phone_shows_the_chat_first(browser: Browser, served: RunningApp) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_as(page, served, "ana", new=False)  # "New conversation" is behind the toggle
        box = page.locator("#question textarea").bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"]  # first screen
        toggle = page.locator("#conversation-toggle")
        expect(toggle).to_be_visible()
        expect(page.locator("#conversations")).to_be_hidden()
        answer = ask(page, "Which rotations are there, how long are they, how many seats?")
        table = answer.locator("table").first
        expect(table).to_be_visible()
        # A wide table scrolls sideways: no column is squeezed to a letter per line.
        widths = table.locator("td").evaluate_all("(cells) => cells.map((c) => c.clientWidth)")
        assert min(widths) >= 60, widths
        assert table.evaluate("(t) => getComputedStyle(t).overflowX") == "auto"
        table.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "browser-30-phone-chat.png")  # the screen, as seen
        toggle.click()
        expect(page.locator("#conversations")).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        shot(page, "31-phone-conversations")
    finally:
        context.close()


def test_the_page_passes_an_accessibility_check(page: Page, served: RunningApp) -> None:
    """axe-core (WCAG 2 A and AA: contrast, labels, roles) on every tab as HR sees it, and the
    keyboard: a skip link first, the conversation list one tab stop."""
    # A user of its own: the conversations it leaves would reopen in other tests' sessions.
    add_user(served.settings.users_file, "ines", "hr", "ines-password-1")
    served.users["ines"] = ("hr", "ines-password-1")
    open_as(page, served, "ines")
    ask(page, "How long is the Renewals rotation?")
    page.locator("#new-chat").click()
    expect(page.locator("#chat [data-testid=user]")).to_have_count(0, timeout=ANSWER)
    ask(page, QUESTION)
    violations = {"chat": axe_violations(page)}
    page.get_by_role("tab", name="My plan").click()
    page.locator("#plan-role input").click()
    page.get_by_role("option", name="Customer Success Manager II (csm-2)").click()
    page.locator("#show-plan").click()
    expect(page.locator("#plan")).to_contain_text("Career plan:", timeout=ANSWER)
    violations["my plan"] = axe_violations(page)
    page.get_by_role("tab", name="Knowledge desk").click()
    page.get_by_role("button", name="Show knowledge gaps").click()
    expect(page.locator("#gaps")).to_be_visible()
    violations["desk"] = axe_violations(page)
    assert violations == {"chat": [], "my plan": [], "desk": []}

    page.reload()  # the keyboard starts at the top of the page
    expect(page.locator("#signed-in")).to_contain_text("Signed in as ines", timeout=PAGE_LOAD)
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    shot(page, "29-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("#question textarea")).to_be_focused()
    # Two conversations or more, one tab stop: Tab from the chosen one leaves the list.
    radios = page.locator("#conversations input[type=radio]")
    expect(radios.nth(1)).to_be_attached()
    assert len(set(radios.evaluate_all("(all) => all.map((r) => r.name)"))) == 1
    checked = page.locator("#conversations input[type=radio]:checked")
    before = checked.get_attribute("value")
    checked.focus()
    page.keyboard.press("ArrowDown")  # the arrows move inside the list: the next one opens
    expect(checked).not_to_have_attribute("value", before or "")
    expect(page.locator("#conversations input[type=radio]:checked")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#conversation-title input")).to_be_focused()
