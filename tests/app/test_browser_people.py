"""Who may do what in a real browser: HR's desk and gaps, hiring managers, the demo, sign-in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from app_fixtures import USERS, RunningApp, free_port
from browsing import (
    ANSWER,
    BROWSER_TESTS,
    GUILD,
    GUILD_DOC,
    INDEXING,
    PAGE_LOAD,
    ask,
    open_as,
    shot,
    sign_in,
    upload,
    written,
)
from playwright.sync_api import Browser, Page, expect

from coach.app.users import add_user

pytestmark = BROWSER_TESTS


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
