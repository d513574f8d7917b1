"""The chat in a real browser: asking, reading, citing, editing, coming back."""

from __future__ import annotations

import pytest
from app_fixtures import RunningApp
from browsing import (
    ANSWER,
    ARTIFACTS,
    BROWSER_TESTS,
    PAGE_LOAD,
    QUESTION,
    UNSCROLLED_CHAT,
    ask,
    open_as,
    shot,
    sign_in,
)
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from coach.app.history import Exchange, Feedback, History
from coach.app.users import add_user

pytestmark = BROWSER_TESTS


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
    # ... and what each looks after, in figures, read before the diff.
    expect(answer).to_contain_text("18-28 named accounts")
    expect(answer).to_contain_text("8-14 named accounts")
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
