"""The app's page: chat with conversations, sources and profile; my plan; HR's knowledge desk."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from coach.app.conversation_handlers import ConversationHandlers
from coach.app.desk import allowed_suffixes
from coach.app.handlers import COUNTER_JS, GAP_COLUMNS, Handlers, mode_marker
from coach.app.panels import (
    Asked,
    Deleted,
    Documents,
    Listing,
    Opened,
    Page,
    PlanExported,
    PlanPicks,
    PlanReopened,
    PlanSaved,
    PlanShown,
    Rated,
    Renamed,
    Uploaded,
)
from coach.app.plan_handlers import NO_PLAN, PlanHandlers
from coach.app.rendering import ANSWER_START_JS
from coach.app.service import CoachService, plan_choices
from coach.app.talk import Talk
from coach.personas import DEFAULT_PERSONA, PERSONAS

DEMO_BANNER = (
    "**Local demo.** No users file, so there is no sign-in: this app listens on 127.0.0.1 only "
    "and you can switch persona freely. Add users with `coach users add` to share it."
)
CSS = (Path(__file__).parent / "page.css").read_text(encoding="utf-8")
PAGE_JS = (Path(__file__).parent / "page.js").read_text(encoding="utf-8")


def theme() -> gr.themes.Base:
    """Gradio's default look with text that meets WCAG AA contrast (4.5:1): white on its
    orange-500 Ask button is 2.8:1, on its red-500 Stop 3.8:1, orange-500 tab text on white
    2.8:1; the 700 shades give 5.2 and 6.5."""
    return gr.themes.Default(primary_hue="orange").set(
        color_accent="*primary_700",  # the selected tab's text, among others
        # Grey text (placeholders, "or" in the upload box, the footer) is neutral-400: 1.9:1.
        body_text_color_subdued="*neutral_600",
        input_placeholder_color="*neutral_500",
        # A visited citation link is blue-500 (3.7:1); blue-700 reads at 6.7:1 either way.
        link_text_color="*secondary_700",
        link_text_color_visited="*secondary_700",
        link_text_color_hover="*secondary_800",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700",
        button_primary_background_fill_hover_dark="*primary_800",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_background_fill_dark="#b91c1c",
        button_cancel_background_fill_hover_dark="#991b1b",
    )


DOC_HEADERS = ["Title", "Path", "Audience", "Updated", "Chunks", "Status"]


# Layout ---------------------------------------------------------------------------------------


def build_app(service: CoachService) -> gr.Blocks:
    """The whole page: chat with sources and profile, my plan, and HR's knowledge desk."""
    h = Handlers(service)
    ch = ConversationHandlers(service)
    ph = PlanHandlers(service)
    private = {"api_visibility": "private"}  # only /chat is an API; the rest serve the page
    # Every hour, files older than a day (uploads, exports) are deleted.
    with gr.Blocks(title="coach: career coaching for CSMs", delete_cache=(3600, 86400)) as app:
        # Kept on the server, bound to the signed-in user; the browser's copy is display only.
        talk = gr.State(Talk())
        # The demo has no sign-in: this browser's id keeps its conversations apart.
        browser = gr.BrowserState("", storage_key="coach-browser")
        # The first tab stop: past the conversation list and the answers, to the question box.
        gr.HTML(
            '<a href="#question" class="skip-link">Skip to the question box</a>',
            elem_id="skip",
            padding=False,
        )
        gr.Markdown("# coach\nGrounded answers about career paths, next steps and training.")
        if service.demo:
            gr.Markdown(DEMO_BANNER, elem_id="demo-banner")
        preparing = gr.Markdown(visible=False, elem_id="preparing")
        waiting = gr.Timer(2, active=False)
        with gr.Row(equal_height=True):
            who = gr.Markdown(elem_id="signed-in")
            # Gradio's own route: ends this browser's session only (other devices stay in).
            gr.Button(
                "Log out",
                link="/logout?all_session=false",
                size="sm",
                scale=0,
                min_width=90,
                visible=not service.demo,
                elem_id="logout",
            )
        gr.Markdown(mode_marker(service), elem_id="mode-marker")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
                with gr.Column(scale=1, min_width=200, elem_id="conversation-list"):
                    # Shown on a phone only, where the list folds behind it (page.js, page.css).
                    gr.Button("Your conversations", size="sm", elem_id="conversation-toggle")
                    clear = gr.Button("New conversation", size="sm", elem_id="new-chat")
                    conversations = gr.Radio(
                        label="Your conversations", choices=[], elem_id="conversations"
                    )
                    title = gr.Textbox(
                        label="Title",
                        max_lines=1,
                        elem_id="conversation-title",
                        placeholder="Ask a question first",
                    )
                    with gr.Row():
                        rename = gr.Button("Rename", size="sm", elem_id="rename")
                        forget = gr.Button("Delete", size="sm", elem_id="delete-chat")
                    forget_confirm = gr.Button(
                        "Yes, delete it and its answers",
                        variant="stop",
                        size="sm",
                        visible=False,
                        elem_id="confirm-delete-chat",
                    )
                    title_note = gr.Markdown(elem_id="title-note")
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        show_label=False,
                        buttons=["copy", "copy_all"],  # no "share to Hugging Face" in an HR tool
                        height=520,
                        elem_id="chat",
                        editable="user",  # edit and resend a question
                        placeholder="Ask about career paths, plan types, promotions, training.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Type a question and press Enter",
                            show_label=False,
                            max_lines=6,  # a long paste scrolls inside the box
                            scale=5,
                            elem_id="question",
                        )
                        send = gr.Button(
                            "Ask", variant="primary", scale=1, min_width=80, elem_id="ask"
                        )
                        # Shown only while an answer is coming.
                        stop = gr.Button(
                            "Stop",
                            variant="stop",
                            scale=0,
                            min_width=70,
                            visible=False,
                            elem_id="stop",
                        )
                    # The counter and any problem with the question, right under the box.
                    question_note = gr.Markdown(elem_id="question-note")
                    examples = gr.Dataset(
                        components=[gr.Textbox(visible=False)],
                        samples=[[q] for q in PERSONAS[DEFAULT_PERSONA].examples],
                        label="Try asking",
                        elem_id="examples",
                    )
                    feedback = gr.Textbox(
                        label="Why? (optional)",
                        placeholder="Press Enter to send",
                        visible=False,
                        elem_id="feedback-comment",
                    )
                    export_button = gr.Button("Export as Markdown", size="sm")
                    download = gr.File(
                        label="Your conversation as Markdown", visible=False, elem_id="export"
                    )
                with gr.Column(scale=2):
                    with gr.Accordion("My profile", open=True):
                        persona = gr.Dropdown(label="Answer me as", choices=[], elem_id="persona")
                        role = gr.Dropdown(label="Current role", choices=[], elem_id="role")
                        plan = gr.Radio(
                            label="Preferred plan type",
                            choices=plan_choices(),
                            value="",
                            elem_id="profile-plan",
                        )
                    gr.Markdown("### Sources")
                    passages = gr.Markdown(
                        "*Ask a question to see its sources here.*", elem_id="passages"
                    )
            with gr.Tab("My plan", id="plan") as plan_tab:
                with gr.Column(elem_id="plan-controls") as plan_controls:
                    with gr.Row():
                        plan_role = gr.Dropdown(label="Your role", choices=[], elem_id="plan-role")
                        plan_kind = gr.Radio(
                            label="Plan type", choices=plan_choices(), value="", elem_id="plan-type"
                        )
                        plan_target = gr.Dropdown(
                            label="Target role (optional)", choices=[], elem_id="plan-target"
                        )
                    with gr.Row():
                        show_plan = gr.Button(
                            "Show my plan", variant="primary", elem_id="show-plan"
                        )
                        save_plan = gr.Button("Save this plan", elem_id="save-plan")
                        export_plan = gr.Button("Export as Markdown", elem_id="export-plan")
                    with gr.Row():
                        saved_plans = gr.Dropdown(label="Saved plans", choices=[], scale=4)
                        open_saved = gr.Button("Open saved plan", scale=1, elem_id="open-saved")
                plan_notice = gr.Markdown(elem_id="plan-notice")
                # The whole ladder is wide: the map gets the page's width.
                plan_map = gr.HTML(elem_id="career-map")
                with gr.Row():
                    with gr.Column(scale=3):
                        plan_text = gr.Markdown(NO_PLAN, elem_id="plan")
                    with gr.Column(scale=2):  # titled "Sources" once there are any
                        plan_sources = gr.Markdown(elem_id="plan-sources")
                plan_file = gr.File(label="Your plan as Markdown", visible=False)
            with gr.Tab("Knowledge desk", id="desk", visible=False) as desk:
                gr.Markdown(
                    "Upload documents, check their status, and see what coach could not answer."
                )
                with gr.Row():
                    with gr.Column():
                        files = gr.File(
                            label="Upload documents",
                            file_count="multiple",
                            file_types=allowed_suffixes(),
                            elem_id="upload",
                        )
                        folder = gr.Textbox(label="Into folder (optional)", placeholder="growth")
                        replace = gr.Checkbox(label="Replace existing files with the same name")
                        upload_button = gr.Button("Upload and index", variant="primary")
                    with gr.Column():
                        reindex_button = gr.Button("Re-index the knowledge folder")
                        desk_result = gr.Markdown(elem_id="desk-result")
                documents = gr.Dataframe(
                    headers=DOC_HEADERS,
                    label="Documents",
                    elem_id="documents",
                    interactive=False,
                    wrap=True,
                    # Room for a status that says why ("skipped: a named pipe, ..."), wrapped.
                    # In pixels, not shares of the width: on a phone the columns keep their
                    # width and the table scrolls sideways instead of a letter per line.
                    column_widths=["300px", "280px", "100px", "110px", "70px", "300px"],
                )
                with gr.Row():
                    victim = gr.Dropdown(label="Delete a document", choices=[])
                    confirm = gr.Checkbox(label="Yes, delete it")
                    delete_button = gr.Button("Delete", variant="stop")
                with gr.Row():
                    gaps_button = gr.Button("Show knowledge gaps")
                    gaps_csv_button = gr.Button("Download gaps as CSV")
                gaps = gr.Dataframe(
                    headers=GAP_COLUMNS,
                    label=(
                        "Questions the documents did not answer, whose answer was disliked, "
                        "or whose answer opened with a weak match, by subject"
                    ),
                    wrap=True,
                    interactive=False,
                    column_widths=["140px", "80px", "260px", "210px", "100px", "180px", "180px"],
                    elem_id="gaps",
                )
                gaps_file = gr.File(label="Knowledge gaps as CSV", visible=False)

        # The page and the API draw on one pool of answer slots: the CPU is shared by both.
        answers = {"concurrency_limit": service.settings.concurrency, "concurrency_id": "answers"}
        gr.api(h.chat_api, api_name="chat", **answers)
        # What each event writes, by name: a handler returns the same panel with values.
        page = Page(
            persona=persona,
            role=role,
            plan=plan,
            examples=examples,
            desk=desk,
            chatbot=chatbot,
            talk=talk,
            passages=passages,
            feedback=feedback,
            download=download,
            conversations=conversations,
            title=title,
        )
        # While the knowledge base is being prepared, the page says so and asks again.
        opened = Opened(
            page=page,
            who=who,
            browser=browser,
            preparing=preparing,
            waiting=waiting,
            note=question_note,
        )
        asked = Asked(
            chatbot=chatbot,
            question=question,
            note=question_note,
            passages=passages,
            talk=talk,
            stop=stop,
        )
        listing = Listing(conversations=conversations, title=title)
        rated = Rated(feedback=feedback, talk=talk)
        table = Documents(table=documents, victim=victim)
        plan_shown = PlanShown(
            text=plan_text, map=plan_map, sources=plan_sources, notice=plan_notice
        )
        profile = [talk, persona, role, plan]
        opened.wire(app.load, ch.start, [talk, browser], **private)
        opened.wire(waiting.tick, ch.start, [talk, browser], **private)
        # One event: Enter then Ask runs it once. Then the reader starts at the answer's first
        # line, not at the bottom of a long answer's source list.
        asking = gr.on(
            [question.submit, send.click],
            asked.receiving(h.respond),
            [question, talk, persona, role, plan],
            asked.components(),
            **answers,
            **private,
        )
        # Regenerate and edit-and-resend ask again from that question; Stop ends any of them.
        again = [talk, persona, role, plan]
        retrying = asked.wire(chatbot.retry, h.retry, again, **answers, **private)
        editing = asked.wire(chatbot.edit, h.edit, again, **answers, **private)
        # Stop shows while an answer comes (the answer's own events show and hide it); stopped,
        # failed or finished, it is hidden again.
        hidden = gr.update(visible=False)
        stop.click(lambda: hidden, None, stop, cancels=[asking, retrying, editing], **private)
        for answering in (asking, retrying, editing):  # the reader starts at the answer's top
            answering.then(None, chatbot, None, js=ANSWER_START_JS, **private)
            answering.then(lambda: hidden, None, stop, **private)
            listing.wire(answering.then, ch.answered, profile, **private)
        question.change(None, question, question_note, js=COUNTER_JS, **private)
        examples.click(lambda sample: sample[0], examples, question, **private)
        chatbot.select(h.show_passages, talk, passages, **private)
        rated.wire(chatbot.like, h.rate, talk, **private)
        rated.wire(feedback.submit, h.comment, [feedback, talk], **private)
        # Both the button and the chat's own trash icon start over, on the server too.
        page.wire(clear.click, ch.new_conversation, profile, **private)
        page.wire(chatbot.clear, ch.new_conversation, profile, **private)
        opening = [conversations, talk, role, plan]
        page.wire(conversations.input, ch.open_conversation, opening, **private)
        renamed = Renamed(conversations=conversations, title=title, note=title_note)
        for renaming in (rename.click, title.submit):
            renamed.wire(renaming, ch.rename, [title, talk], **private)
        # Deleting takes a second click, on a button that appears beside the first.
        forget.click(lambda: gr.update(visible=True), None, forget_confirm, **private)
        page.wire(forget_confirm.click, ch.delete_conversation, profile, **private).then(
            lambda: gr.update(visible=False), None, forget_confirm, **private
        )
        export_button.click(h.export, talk, download, **private)
        page.wire(persona.input, ch.switch_persona, [persona, talk], **private)
        for choosing in (role.input, plan.input):  # remembered for the next visit
            choosing(ch.remember_profile, profile, None, **private)
        table.wire(desk.select, h.document_table, None, **private)
        # After each change the table is read again.
        uploading = Uploaded(result=desk_result, files=files).wire(
            upload_button.click, h.upload, [files, folder, replace], **private
        )
        table.wire(uploading.then, h.document_table, None, **private)
        reindexing = reindex_button.click(h.reindex, None, desk_result, **private)
        table.wire(reindexing.then, h.document_table, None, **private)
        deleting = Deleted(result=desk_result, confirm=confirm).wire(
            delete_button.click, h.delete, [victim, confirm], **private
        )
        table.wire(deleting.then, h.document_table, None, **private)
        gaps_button.click(h.gap_table, None, gaps, **private)
        gaps_csv_button.click(h.gap_csv, None, gaps_file, **private)
        plan_form = [persona, plan_role, plan_kind, plan_target]
        picks = PlanPicks(
            controls=plan_controls,
            text=plan_text,
            role=plan_role,
            target=plan_target,
            saved=saved_plans,
            notice=plan_notice,
        )
        picks.wire(plan_tab.select, ph.open_tab, [persona, role], **private)
        plan_shown.wire(show_plan.click, ph.show, plan_form, **private)
        PlanSaved(notice=plan_notice, saved=saved_plans).wire(
            save_plan.click, ph.save, plan_form, **private
        )
        PlanExported(file=plan_file, notice=plan_notice).wire(
            export_plan.click, ph.export, plan_form, **private
        )
        reopened = PlanReopened(
            shown=plan_shown, role=plan_role, kind=plan_kind, target=plan_target
        )
        reopened.wire(open_saved.click, ph.reopen, saved_plans, **private)
    return app
