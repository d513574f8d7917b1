"""What the browser tests share: Debian's Chromium, headless, driven by Playwright as a person
would; the app's pages signed into, asked and looked at.

Each key step leaves a full-page screenshot in tests/artifacts/ (gitignored) to look at by eye;
a failing test leaves browser-FAILED-<test>.png there too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import RunningApp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Every browser test module's marks: slow, and skipped where Debian's Chromium is missing.
BROWSER_TESTS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed: apt-get install chromium (.ci/run does)",
    ),
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
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
