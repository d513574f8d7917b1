"""The app in a real browser: Debian's Chromium, headless, driven by Playwright as a person would.

Each key step leaves a full-page screenshot in tests/artifacts/ (gitignored) to look at by eye;
a failing test leaves browser-FAILED-<test>.png there too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_fixtures import USERS, RunningApp, free_port
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from sqlalchemy import select

from coach.app.history import Exchange, Feedback, History
from coach.app.users import add_user

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed: apt-get install chromium (.ci/run does)",
    ),
]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PAGE_LOAD = 30_000  # ms: first paint of the app after sign-in
ANSWER = 30_000  # ms: an offline answer takes a second or two; leave room on a busy 2-core box
INDEXING = 90_000  # ms: upload + incremental index
QUESTION = "What separates a CSM II from a Senior CSM?"
FINISHED = re.compile(r"Offline mode: (quoted from the documents|nothing was quoted)\.")
PHONE = {"width": 375, "height": 667}  # a small phone's screen, in CSS pixels
# WCAG 2 A and AA: contrast, names of controls and fields, roles.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]},
    "resultTypes": ["violations"],
}
GUILD_DOC = "mentoring-guild.md"
GUILD = """---
title: Customer Success Mentoring Guild
audience: employee
updated: 2026-09-15
---

# Customer Success Mentoring Guild

The Customer Success Mentoring Guild meets on the second Tuesday of each month in Lisbon.
Any CSM may join; each member pairs with a Senior CSM mentor for six months.
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole module."""
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context (no cookies, so no sign-in) per test; a screenshot if the test failed."""
    ARTIFACTS.mkdir(exist_ok=True)
    failed_before = request.session.testsfailed
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    if request.session.testsfailed > failed_before:
        shot(tab, f"FAILED-{request.node.name}")
    context.close()


UNSCROLLED_CHAT = (
    "#chat, #chat * { max-height: none !important; overflow: visible !important; }"
    "#chat { height: auto !important; }"
)


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot as tests/artifacts/browser-<name>.png."""
    page.screenshot(path=ARTIFACTS / f"browser-{name}.png", full_page=True)


def sign_in(page: Page, app: RunningApp, name: str, password: str | None = None) -> None:
    """Fill Gradio's login form and press Login."""
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(password or app.users[name][1])
    page.get_by_role("button", name="Login").click()


def open_as(page: Page, app: RunningApp, name: str, new: bool = True) -> None:
    """Open the app, sign in, and wait until the page greets the user; then (unless `new` is
    False) start a new conversation, as the page reopens the one they had open."""
    page.goto(app.url)
    sign_in(page, app, name)
    expect(page.locator("#signed-in")).to_contain_text(f"Signed in as {name}", timeout=PAGE_LOAD)
    if new:
        page.locator("#new-chat").click()
        expect(page.locator("#chat [data-testid=user]")).to_have_count(0, timeout=ANSWER)


def ask(page: Page, question: str) -> Locator:
    """Type a question in the box and press Enter; returns the finished answer's bubble."""
    answers = page.locator("#chat [data-testid=bot]")
    before = answers.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=ANSWER)
    expect(box).to_have_value("")
    answer = answers.nth(before)
    # The mode marker ends every finished answer (the streamed text comes first, without it).
    expect(answer).to_contain_text(FINISHED, timeout=ANSWER)
    return answer


def upload(page: Page, *files: Path) -> None:
    """Pick files in the upload box and press Upload and index."""
    page.locator("#upload input[type=file]").set_input_files(list(files))
    for file in files:  # listed once uploaded (the suffix is shown apart: "name .md")
        expect(page.locator("#upload")).to_contain_text(file.stem, timeout=PAGE_LOAD)
    page.get_by_role("button", name="Upload and index").click()


def written(folder: Path, name: str, text: str) -> Path:
    """A file on disk to pick in the upload dialog."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csm_signs_in_asks_and_likes_an_answer(page: Page, served: RunningApp) -> None:
    page.goto(served.url)
    expect(page.get_by_role("heading", name="Login")).to_be_visible(timeout=PAGE_LOAD)
    expect(page.get_by_text("Sign in with the account HR gave you.")).to_be_visible()
    shot(page, "01-login")

    sign_in(page, served, "ana", "not-her-password")
    expect(page.get_by_text("Incorrect Credentials")).to_be_visible(timeout=PAGE_LOAD)
    expect(page.get_by_role("button", name="Login")).to_be_visible()
    expect(page.locator("#chat")).to_have_count(0)
    shot(page, "02-wrong-password")

    sign_in(page, served, "ana")
    expect(page.locator("#signed-in")).to_contain_text("Signed in as ana (CSM)", timeout=PAGE_LOAD)
    expect(page.locator("#mode-marker")).to_contain_text("Offline mode")
    expect(page.get_by_role("tab", name="Knowledge desk")).to_have_count(0)

    answer = ask(page, QUESTION)
    expect(page.locator("#chat [data-testid=user]")).to_have_text(QUESTION)
    expect(answer).to_contain_text("Sources")
    expect(answer).to_contain_text("ladder/csm-2.md")
    passages = page.locator("#passages")
    expect(passages).to_contain_text("[1]")
    expect(passages).to_contain_text("ladder/senior-csm.md")
    # Each source shows a snippet; the whole passage opens on demand.
    first = passages.locator("details").first
    expect(first.locator("summary")).to_have_text("Read the whole passage")
    first.locator("summary").click()
    # The question compares two roles: the answer opens with each side as its page opens,
    # the asker's role first, then the diff.
    expect(first).to_contain_text("level 3 of the IC ladder")
    expect(answer).to_contain_text("Executive presence")
    shot(page, "03-answer")

    comment = page.locator("#feedback-comment")
    expect(comment).to_be_hidden()
    # The thumbs sit under the latest answer (outside its bubble), one set per answer.
    page.locator("#chat").get_by_role("button", name="Like").last.click()
    expect(comment).to_be_visible(timeout=ANSWER)
    expect(comment).to_contain_text("You liked this answer. Why? (optional)")
    note = "Clear side-by-side of the two levels (browser test)"
    comment.locator("textarea").fill(note)
    shot(page, "04-liked")
    comment.locator("textarea").press("Enter")
    expect(page.get_by_text("Thanks: your feedback was saved.")).to_be_visible(timeout=ANSWER)
    expect(comment).to_be_hidden()

    history = History(served.settings.effective_database_url)
    with history.sessions() as session:
        rated = session.execute(
            select(Exchange.conversation, Exchange.persona, Exchange.id)
            .join(Feedback, Feedback.exchange_id == Exchange.id)
            .where(Exchange.user == "ana", Exchange.question == QUESTION, Feedback.comment == note)
        ).all()
    assert len(rated) == 1, rated
    conversation, persona, exchange_id = rated[0]
    assert persona == "csm"
    stored = history.ratings("ana", conversation)[exchange_id]
    assert (stored.liked, stored.comment) == (True, note)


def test_hr_uploads_a_document_and_the_chat_cites_it(
    page: Page, served: RunningApp, tmp_path: Path
) -> None:
    # A named pipe left in the folder: listed with why, never opened (opening it would hang).
    pipe = served.settings.knowledge_dir / "growth" / "inbox.md"
    os.mkfifo(pipe)
    try:
        hr_uploads_and_deletes(page, served, tmp_path)
    finally:
        pipe.unlink()


def hr_uploads_and_deletes(page: Page, served: RunningApp, tmp_path: Path) -> None:
    """The desk's round trip: upload, refusals, the chat citing the upload, delete."""
    open_as(page, served, "hugo")
    desk = page.get_by_role("tab", name="Knowledge desk")
    desk.click()
    expect(page.get_by_text("ladder/senior-csm.md")).to_be_visible(timeout=PAGE_LOAD)
    pipe_row = page.get_by_role("row").filter(has_text="growth/inbox.md")
    expect(pipe_row).to_contain_text("skipped: a named pipe, not a regular file: never opened")

    result = page.locator("#desk-result")
    upload(page, written(tmp_path, GUILD_DOC, GUILD))
    expect(result).to_contain_text("Index updated", timeout=INDEXING)
    expect(result).to_contain_text(f"Saved {GUILD_DOC}")
    expect(result).to_contain_text("1 added")
    guild_row = page.get_by_role("row").filter(has_text=GUILD_DOC)
    expect(guild_row).to_contain_text("Customer Success Mentoring Guild", timeout=PAGE_LOAD)
    expect(guild_row).to_contain_text("employee")
    expect(guild_row).to_contain_text("indexed")
    shot(page, "05-desk-upload")

    # Refused in plain words, and nothing saved: a name the desk does not take, a wrong audience.
    upload(
        page,
        written(tmp_path, "notes, draft.md", "# Notes\n\nA draft.\n"),
        written(tmp_path, "everyone-memo.md", GUILD.replace("employee", "everyone")),
    )
    expect(result).to_contain_text("not a safe file name", timeout=INDEXING)
    expect(result).to_contain_text(
        "everyone-memo.md: unknown audience 'everyone' (expected one of: public, employee, hr)"
    )
    expect(result).not_to_contain_text("Saved")
    expect(page.get_by_role("row").filter(has_text="everyone-memo.md")).to_have_count(0)
    # Refused files leave the picker: named above, never sent again with the next upload.
    expect(page.locator("#upload")).not_to_contain_text("everyone-memo")
    shot(page, "06-desk-refused")

    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "When does the Customer Success Mentoring Guild meet?")
    expect(answer).to_contain_text("second Tuesday of each month in Lisbon")
    expect(answer.locator("li").filter(has_text=GUILD_DOC)).to_contain_text("[1]")  # first
    expect(page.locator("#passages")).to_contain_text(GUILD_DOC)
    shot(page, "07-answer-new-doc")

    # Leave the shared app as it was: delete the document again, through the desk.
    desk.click()
    picker = page.get_by_label("Delete a document")
    picker.click()
    picker.fill("mentoring-guild")
    page.get_by_role("option", name=GUILD_DOC).click()
    page.get_by_label("Yes, delete it").check()
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(result).to_contain_text(f"Deleted {GUILD_DOC}", timeout=INDEXING)
    expect(result).to_contain_text("1 removed")
    expect(page.get_by_role("row").filter(has_text=GUILD_DOC)).to_have_count(0, timeout=PAGE_LOAD)
    assert not (served.settings.knowledge_dir / GUILD_DOC).exists()


def test_clicking_an_earlier_answer_shows_its_passages(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    ask(page, "How does a dual plan work?")
    later = ask(page, "What does the learning budget cover?")
    headings = page.locator("#passages strong")
    expect(headings.first).to_contain_text("Learning and Training Budget Policy")
    page.locator("#chat [data-testid=bot]").first.click()
    expect(headings.first).to_contain_text("Dual Plan", timeout=ANSWER)
    later.click()
    expect(headings.first).to_contain_text("Learning and Training Budget Policy", timeout=ANSWER)


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("How much is the yearly learning budget in Austin?", "USD 2,200"),
        ("If I resign 8 months after finishing a EUR 1,500 course, what do I repay?", "50%"),
        ("My CCSM Level 3 costs EUR 1,300. Who has to approve it?", "Finance"),
    ],
)
def test_the_answer_on_screen_holds_the_fact(
    page: Page, served: RunningApp, question: str, fact: str
) -> None:
    """A reader gets the fact from the answer itself, without opening the sources panel."""
    open_as(page, served, "ana")
    answer = ask(page, question)
    expect(answer).to_contain_text(fact)
    expect(answer).not_to_contain_text("| ---")  # a table is drawn as a table, never as pipes
    if "budget" in question:
        expect(answer.locator("table")).to_contain_text("Yearly budget per person")
    name = "answer-" + "-".join(question.lower().split()[:4]).strip("?,.")
    # The chat scrolls inside its box; for the picture, let it grow to show the whole answer.
    page.add_style_tag(content=UNSCROLLED_CHAT)
    answer.screenshot(path=ARTIFACTS / f"browser-{name}.png")


def test_the_chat_clear_button_starts_over(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    ask(page, "How does a dual plan work?")
    page.locator("#chat").get_by_role("button", name="Clear").click()
    expect(page.locator("#chat [data-testid=user]")).to_have_count(0)
    box = page.locator("#question textarea")
    box.fill("What does the learning budget cover?")
    box.press("Enter")
    expect(page.locator("#chat [data-testid=bot]").last).to_contain_text(
        "Offline mode: quoted from the documents.", timeout=ANSWER
    )
    expect(page.locator("#chat [data-testid=user]")).to_have_text(
        ["What does the learning budget cover?"], timeout=2_000
    )


def test_hiring_manager_has_no_desk_and_a_fixed_persona(page: Page, served: RunningApp) -> None:
    assert USERS["hana"][0] == "hiring_manager"
    open_as(page, served, "hana")
    expect(page.locator("#signed-in")).to_contain_text("(Hiring manager)")
    expect(page.get_by_role("tab", name="Chat")).to_be_visible()
    expect(page.get_by_role("tab", name="Knowledge desk")).to_have_count(0)
    persona = page.locator("#persona input")
    expect(persona).to_have_value("Hiring manager")
    expect(persona).to_be_disabled()
    expect(page.locator("#examples")).to_contain_text(
        "How do people grow in Customer Success here?"
    )
    # They answer for candidates: no role or plan type of their own to set.
    expect(page.locator("#role")).to_be_hidden()
    expect(page.get_by_text("Preferred plan type")).to_be_hidden()
    shot(page, "08-hiring-manager")


def test_demo_has_a_banner_and_a_persona_switch(page: Page, demo: RunningApp) -> None:
    page.goto(demo.url)
    expect(page.locator("#demo-banner")).to_be_visible(timeout=PAGE_LOAD)
    expect(page.locator("#demo-banner")).to_contain_text("Local demo.")
    expect(page.get_by_role("heading", name="Login")).to_have_count(0)
    persona = page.locator("#persona input")
    expect(persona).to_have_value("CSM", timeout=PAGE_LOAD)
    expect(persona).to_be_enabled()
    expect(page.get_by_role("tab", name="Knowledge desk")).to_have_count(0)
    expect(page.locator("#logout")).to_have_count(0)  # nobody to sign out in the demo
    shot(page, "09-demo")

    persona.click()
    page.get_by_role("option", name="HR", exact=True).click()
    expect(persona).to_have_value("HR")
    expect(page.get_by_role("tab", name="Knowledge desk")).to_be_visible(timeout=ANSWER)
    expect(page.locator("#examples")).to_contain_text("What are the promotion windows?")
    page.get_by_role("tab", name="Knowledge desk").click()
    expect(page.get_by_role("row").filter(has_text="hr/calibration-guidelines.md")).to_be_visible(
        timeout=PAGE_LOAD
    )
    shot(page, "10-demo-hr-desk")


def test_an_export_downloads_for_its_owner_only(
    page: Page, browser: Browser, served: RunningApp
) -> None:
    open_as(page, served, "ana")
    ask(page, "How does a dual plan work?")
    page.get_by_role("button", name="Export as Markdown").click()
    expect(page.locator("#export")).to_contain_text("coach-conversation-", timeout=ANSWER)
    link = page.locator("#export a[download]")
    shot(page, "11-export")
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## How does a dual plan work?" in saved and "Sources:" in saved
    url = link.get_attribute("href")
    other = browser.new_context()
    try:
        hugo = other.new_page()
        open_as(hugo, served, "hugo")  # signed in, HR even, and holding the link
        assert hugo.request.get(url).status == 404
    finally:
        other.close()


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


def look_at_the_map(page: Page, you: str) -> None:
    """The map: SVG whose smallest type is 12 px at its own size, opened on the person's role,
    zoomed by its buttons."""
    svg = page.locator("#career-map svg")
    expect(svg).to_be_visible()
    expect(svg).to_contain_text(you)
    smallest = svg.evaluate(
        """(svg) => Math.min(...[...svg.querySelectorAll("text")].map((t) =>
             parseFloat(getComputedStyle(t).fontSize)))
           * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width"""
    )
    assert smallest >= 12
    view = page.locator("#career-map .map-view").bounding_box()
    box = page.locator("#career-map #current-role").bounding_box()
    assert view and box and view["x"] <= box["x"] + box["width"] / 2 <= view["x"] + view["width"]
    assert view["y"] <= box["y"] + box["height"] / 2 <= view["y"] + view["height"]
    width = svg.evaluate("(svg) => svg.getBoundingClientRect().width")
    page.get_by_role("button", name="Zoom in").click()
    zoomed = svg.evaluate("(svg) => svg.getBoundingClientRect().width")
    assert zoomed == pytest.approx(width * 1.25, rel=0.01)
    page.get_by_role("button", name="Fit to width").click()
    fitted = svg.evaluate("(svg) => svg.getBoundingClientRect().width")
    assert fitted == pytest.approx(view["width"], abs=20)
    page.get_by_role("button", name="Actual size").click()


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


def test_log_out_ends_the_session_on_this_browser(page: Page, served: RunningApp) -> None:
    open_as(page, served, "hugo")
    logout = page.locator("#logout")
    expect(logout).to_be_visible()
    logout.click()
    expect(page.get_by_role("heading", name="Login")).to_be_visible(timeout=PAGE_LOAD)
    page.reload()  # the session is gone, not just hidden
    expect(page.get_by_role("heading", name="Login")).to_be_visible(timeout=PAGE_LOAD)
    expect(page.locator("#chat")).to_have_count(0)
    shot(page, "13-logged-out")


def test_the_gap_view_counts_real_gaps_with_comments(page: Page, served: RunningApp) -> None:
    open_as(page, served, "hugo")
    page.locator("#persona input").click()
    page.get_by_role("option", name="CSM", exact=True).click()  # ask as the CSMs would
    ask(page, "What's the weather in Austin?")  # off-topic: the system working, not a gap
    ask(page, "What are the sabbatical rules for a Senior CSM?")  # not in the documents
    ask(page, "What are the sabbatical rules for a Senior CSM?")  # the same gap, again
    ask(page, "How does a dual plan work?")
    page.locator("#chat").get_by_role("button", name="Dislike").last.click()
    comment = page.locator("#feedback-comment textarea")
    expect(comment).to_be_visible(timeout=ANSWER)
    comment.fill("I wanted the time share (gap test)")
    comment.press("Enter")
    expect(page.get_by_text("Thanks: your feedback was saved.")).to_be_visible(timeout=ANSWER)

    page.locator("#persona input").click()
    page.get_by_role("option", name="HR", exact=True).click()  # the desk is HR's
    page.get_by_role("tab", name="Knowledge desk").click()
    page.get_by_role("button", name="Show knowledge gaps").click()
    gaps = page.locator("#gaps")
    sabbatical = gaps.get_by_role("row").filter(has_text="sabbatical rules")
    expect(sabbatical).to_have_count(1, timeout=ANSWER)
    # Grouped by subject, naming what no document mentions.
    expect(sabbatical).to_have_text(re.compile(r"^\s*sabbatical rules\s+2\s"))
    expect(sabbatical).to_contain_text("not in the documents: sabbatical rules")
    disliked = gaps.get_by_role("row").filter(has_text="How does a dual plan work?")
    expect(disliked).to_contain_text("I wanted the time share (gap test)")
    expect(disliked).to_contain_text("answer disliked")
    expect(disliked).to_have_text(re.compile(r"^\s*dual plan\s+1\s"))
    expect(gaps).not_to_contain_text("weather in Austin")
    shot(page, "16-knowledge-gaps")
    page.get_by_role("button", name="Download gaps as CSV").click()
    expect(page.get_by_text("coach-knowledge-gaps-")).to_be_visible(timeout=ANSWER)


def test_a_too_long_question_is_said_under_the_box(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    box = page.locator("#question textarea")
    note = page.locator("#question-note")
    long_question = "Why? " * 420  # 2,100 characters
    box.fill(long_question)
    expect(note).to_contain_text("2,100 / 2,000 characters: too long", timeout=PAGE_LOAD)
    box.press("Enter")
    expect(note).to_contain_text("Your question is 2,100 characters; the limit is 2,000")
    expect(box).to_have_value(long_question)  # nothing lost
    expect(page.locator("#chat [data-testid=user]")).to_have_count(0)
    expect(page.locator(".toast-body")).to_have_count(0)  # no overlay over the chat or sources
    shot(page, "17-too-long")
    box.fill("What is a dual plan?")
    expect(note).to_have_text("")  # the counter is quiet for a normal question


def test_clicking_a_citation_shows_that_source(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    first = ask(page, "How long is the Renewals rotation and who can apply?")
    ask(page, "How much is the yearly learning budget in Austin?")
    panel = page.locator("#passages")
    expect(panel).to_contain_text("Sources of the answer to: How much is the yearly learning")
    # [2] in the first answer: the panel switches to that answer and shows its source 2.
    first.locator("a.cite", has_text="[2]").first.click()
    expect(panel).to_contain_text("Sources of the answer to: How long is the Renewals rotation")
    flagged = panel.locator(".cited")
    expect(flagged).to_have_count(1, timeout=PAGE_LOAD)
    expect(flagged).to_contain_text("[2]")
    expect(flagged).to_be_in_viewport()
    # The lines the answer quoted are marked in the whole passage.
    expect(panel.locator("mark").first).to_be_attached()
    assert page.url.endswith("/") or "#" not in page.url  # no jump away from the page
    shot(page, "18-citation-clicked")


def test_a_long_answer_is_shown_from_its_start(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    ask(page, "What is a dual plan?")
    answer = ask(page, "I'm a CSM II, what should I do next to get promoted?")  # a long answer
    chat = page.locator("#chat")
    expect(answer).to_contain_text("Your next steps as a Customer Success Manager II")
    # Its first line comes into view (not its end, where the chat's own scroll leaves it).
    page.wait_for_function(
        """() => {
            const answers = document.querySelectorAll("#chat [data-testid=bot]");
            const top = answers[answers.length - 1].getBoundingClientRect().top;
            const box = document.querySelector("#chat").getBoundingClientRect();
            return top >= box.top - 2 && top < box.top + 80;
        }""",
        timeout=PAGE_LOAD,
    )
    expect(chat.get_by_text("Your next steps as a Customer Success Manager II")).to_be_in_viewport()
    shot(page, "19-answer-start")


def test_regenerate_and_edit_the_last_question(page: Page, served: RunningApp) -> None:
    open_as(page, served, "ana")
    ask(page, "How long is the Renewals rotation?")
    answers = page.locator("#chat [data-testid=bot]")
    page.locator("#chat").get_by_role("button", name="Retry").last.click()
    expect(answers).to_have_count(1)  # replaced, not added
    expect(answers.first).to_contain_text(
        "Offline mode: quoted from the documents.", timeout=ANSWER
    )
    questions = page.locator("#chat [data-testid=user]")
    questions.first.hover()
    page.locator("#chat").get_by_role("button", name="Edit").first.click()
    editor = page.locator("#chat textarea").first
    editor.fill("How long is the Onboarding rotation?")
    editor.press("Enter")  # resends, as Enter in the question box asks
    expect(questions.first).to_have_text("How long is the Onboarding rotation?", timeout=ANSWER)
    # Finished once the panel holds the new answer's sources.
    expect(page.locator("#passages")).to_contain_text(
        "Sources of the answer to: How long is the Onboarding rotation?", timeout=ANSWER
    )
    expect(answers).to_have_count(1)
    expect(answers.first).to_contain_text("Offline mode: quoted from the documents.")
    expect(answers.first).to_contain_text("Onboarding")
    expect(page.locator("#stop")).to_be_hidden()  # nothing runs
    shot(page, "20-edited")


def test_conversations_last_across_a_reload(page: Page, served: RunningApp) -> None:
    add_user(served.settings.users_file, "lea", "csm", "lea-password-1")
    served.users["lea"] = ("csm", "lea-password-1")
    open_as(page, served, "lea", new=False)
    listed = page.locator("#conversations")
    expect(listed).to_contain_text("Your conversations")
    role = page.locator("#role input")
    dual = page.locator("#profile-plan").get_by_role("radio", name="Dual")
    role.click()
    page.get_by_role("option", name="Customer Success Manager II (csm-2)").click()
    dual.check()
    ask(page, QUESTION)
    # The plan type chosen before the first answer is still shown as chosen after it.
    expect(dual).to_be_checked()
    expect(listed).to_contain_text(QUESTION, timeout=ANSWER)
    page.locator("#new-chat").click()
    expect(page.locator("#chat [data-testid=bot]")).to_have_count(0, timeout=ANSWER)
    ask(page, "How does a dual plan work?")
    titles = listed.locator("label")
    expect(titles).to_have_count(2, timeout=ANSWER)
    expect(titles.first).to_have_text("How does a dual plan work?")  # newest first
    shot(page, "21-conversations")

    page.reload()
    expect(page.locator("#signed-in")).to_contain_text("Signed in as lea", timeout=PAGE_LOAD)
    questions = page.locator("#chat [data-testid=user]")
    expect(questions).to_have_text(["How does a dual plan work?"], timeout=PAGE_LOAD)
    expect(page.locator("#chat [data-testid=bot]").first).to_contain_text("Offline mode")
    expect(role).to_have_value("Customer Success Manager II (csm-2)")
    expect(dual).to_be_checked()
    expect(page.locator("#passages")).to_contain_text("How does a dual plan work?")
    shot(page, "22-reloaded")

    listed.get_by_text(QUESTION).click()
    expect(questions).to_have_text([QUESTION], timeout=ANSWER)
    answer = page.locator("#chat [data-testid=bot]").first
    answer.locator("a.cite").first.click()  # the reopened answer's citations still work
    expect(page.locator("#passages .cited")).to_have_count(1, timeout=ANSWER)
    title = page.locator("#conversation-title input")
    title.fill("CSM II to Senior CSM")
    page.locator("#rename").click()
    expect(listed).to_contain_text("CSM II to Senior CSM", timeout=ANSWER)
    title.fill("")
    page.locator("#rename").click()
    expect(page.locator("#title-note")).to_contain_text("a title cannot be empty", timeout=ANSWER)
    shot(page, "23-renamed")

    page.locator("#delete-chat").click()
    page.locator("#confirm-delete-chat").click()
    expect(titles).to_have_count(1, timeout=ANSWER)
    expect(listed).not_to_contain_text("CSM II to Senior CSM")
    expect(questions).to_have_count(0)
    page.reload()
    expect(page.locator("#signed-in")).to_contain_text("Signed in as lea", timeout=PAGE_LOAD)
    expect(titles).to_have_count(1, timeout=PAGE_LOAD)
    shot(page, "24-deleted")


def test_the_demo_keeps_conversations_per_browser(browser: Browser, demo: RunningApp) -> None:
    first, second = (browser.new_context(viewport={"width": 1280, "height": 900}) for _ in "ab")
    mine = first.new_page()
    mine.goto(demo.url)
    expect(mine.locator("#persona input")).to_have_value("CSM", timeout=PAGE_LOAD)
    ask(mine, "How does a dual plan work?")
    expect(mine.locator("#conversations")).to_contain_text("How does a dual plan work?")
    mine.reload()
    expect(mine.locator("#chat [data-testid=user]")).to_have_text(
        ["How does a dual plan work?"], timeout=PAGE_LOAD
    )
    other = second.new_page()
    other.goto(demo.url)
    expect(other.locator("#persona input")).to_have_value("CSM", timeout=PAGE_LOAD)
    expect(other.locator("#conversations label")).to_have_count(0)
    expect(other.locator("#chat [data-testid=user]")).to_have_count(0)
    first.close()
    second.close()


def test_a_cold_start_serves_a_waiting_page_first(
    browser: Browser, tmp_path: Path, lumenfield
) -> None:
    """`python ui.py` on an empty data folder: the page opens while the index is built."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(lumenfield.settings.knowledge_dir, knowledge)
    port = free_port()
    env = {
        **os.environ,
        "COACH_KNOWLEDGE_DIR": str(knowledge),
        "COACH_DATA_DIR": str(tmp_path / "data"),  # not there yet: created, then indexed
        "COACH_USERS_FILE": str(tmp_path / "users.toml"),  # none: the local demo
        "COACH_PORT": str(port),
    }
    root = Path(__file__).resolve().parents[2]
    log = (tmp_path / "ui.log").open("w")
    server = subprocess.Popen([sys.executable, "ui.py"], cwd=root, env=env, stderr=log, stdout=log)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(300):  # the port opens before the model loads and the folder is indexed
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        notice = page.locator("#preparing")
        expect(notice).to_contain_text("The knowledge base is being prepared", timeout=PAGE_LOAD)
        shot(page, "25-cold-start")
        box = page.locator("#question textarea")
        box.fill("How does a dual plan work?")
        box.press("Enter")  # too early: said under the box, which keeps the question
        expect(page.locator("#question-note")).to_contain_text("being prepared")
        expect(box).to_have_value("How does a dual plan work?")
        expect(notice).to_be_hidden(timeout=INDEXING)  # the page fills in by itself
        expect(page.locator("#question-note")).to_have_text("")  # no stale "being prepared"
        expect(page.locator("#persona input")).to_have_value("CSM")
        ask(page, "How does a dual plan work?")
        page.close()
        assert "coach: indexing the knowledge folder" in (tmp_path / "ui.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


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


def axe_violations(page: Page) -> list[str]:
    """What axe-core finds on the page once no event runs, one line per rule and element."""
    # Gradio dims an output while its event runs: contrast is judged after it fades back.
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid=status-tracker]")]
                 .every((e) => e.classList.contains("hide") || !e.offsetParent)"""
    )
    page.wait_for_timeout(500)
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {node['target']}" for v in found for node in v["nodes"]]


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


def test_answers_copy_as_text_and_stop_shows_only_while_answering(
    browser: Browser, served: RunningApp
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        open_as(page, served, "ana")
        stop = page.locator("#stop")
        expect(stop).to_be_hidden()
        page.evaluate(
            """() => { window.stopShown = false; new MutationObserver(() => {
                 const s = document.querySelector('#stop');
                 if (s && s.offsetParent) window.stopShown = true;
               }).observe(document.body, {subtree: true, childList: true, attributes: true}); }"""
        )
        answer = ask(page, "How long is the Renewals rotation?")
        assert page.evaluate("window.stopShown")  # while the answer came
        expect(stop).to_be_hidden()
        answer.hover()
        page.locator("#chat").get_by_role("button", name="Copy message").last.click()
        page.wait_for_timeout(500)  # our copy follows Gradio's
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "Renewals" in copied and "[1]" in copied
        assert "**" not in copied and "<a " not in copied
        # A refusal says nothing was quoted.
        refused = ask(page, "How many days of parental leave do I get?")
        expect(refused).to_contain_text("Offline mode: nothing was quoted.")
        expect(refused).not_to_contain_text("quoted from the documents")
    finally:
        context.close()


# Last: it exhausts the sign-in failures allowed from this address.
def test_a_throttled_sign_in_is_refused_on_the_page(page: Page, served: RunningApp) -> None:
    add_user(served.settings.users_file, "lou", "csm", "lou-password-1")
    page.goto(served.url)
    for _ in range(served.settings.signin_failures_per_user):
        with page.expect_response("**/login") as answered:
            sign_in(page, served, "lou", "not-lou-password")
        assert answered.value.json()["detail"] == "Incorrect credentials."
        expect(page.get_by_text("Incorrect Credentials")).to_be_visible(timeout=PAGE_LOAD)
    with page.expect_response("**/login") as answered:
        sign_in(page, served, "lou", "lou-password-1")  # right, but too late for now
    assert "try again in" in answered.value.json()["detail"]
    # The page's own form is multipart: counted against lou, not against every browser sign-in.
    assert answered.value.request.headers["content-type"].startswith("multipart/form-data")
    expect(page.get_by_text("Incorrect Credentials")).to_be_visible()
    expect(page.locator("#chat")).to_have_count(0)
    shot(page, "12-throttled")
    page.reload()
    sign_in(page, served, "ana")  # same browser, same address, another name: not locked
    expect(page.locator("#signed-in")).to_contain_text("Signed in as ana", timeout=PAGE_LOAD)
