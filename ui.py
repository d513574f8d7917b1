"""The Gradio app: the whole layout in build_app(), wired to coach/app/handlers.py; launch."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a private tool

import gradio as gr
from starlette.middleware import Middleware

from coach.app.desk import allowed_suffixes
from coach.app.guard import SIGN_IN_SLOTS, Guard, SignInLimits, SignInThrottle
from coach.app.handlers import COUNTER_JS, GAP_COLUMNS, Handlers, mode_marker
from coach.app.plan_handlers import NO_PLAN, PlanHandlers
from coach.app.rendering import ANSWER_START_JS, CITATION_CSS, CITATION_JS
from coach.app.service import DEMO_USER, CoachService, plan_choices
from coach.app.talk import Talk
from coach.app.users import authenticate, check_users_file
from coach.compose import Coach
from coach.config import Settings, load_settings
from coach.errors import CoachError, ConfigError
from coach.personas import PERSONAS

log = logging.getLogger("coach.ui")

DEMO_BANNER = (
    "**Local demo.** No users file, so there is no sign-in: this app listens on 127.0.0.1 only "
    "and you can switch persona freely. Add users with `coach users add` to share it."
)
# The demo banner must not be mistaken for ordinary text.
CSS = (
    "#demo-banner {background: #fff4e0; border: 1px solid #e8a33d; border-radius: 6px;"
    " padding: 4px 12px}"
)
DOC_HEADERS = ["Title", "Path", "Audience", "Updated", "Chunks", "Status"]


# Layout ---------------------------------------------------------------------------------------


def build_app(service: CoachService) -> gr.Blocks:
    """The whole page: chat with sources and profile, my plan, and HR's knowledge desk."""
    h = Handlers(service)
    ph = PlanHandlers(service)
    private = {"api_visibility": "private"}  # only /chat is an API; the rest serve the page
    # Every hour, files older than a day (uploads, exports) are deleted.
    with gr.Blocks(title="coach: career coaching for CSMs", delete_cache=(3600, 86400)) as app:
        # Kept on the server, bound to the signed-in user; the browser's copy is display only.
        talk = gr.State(Talk())
        gr.Markdown("# coach\nGrounded answers about career paths, next steps and training.")
        if service.demo:
            gr.Markdown(DEMO_BANNER, elem_id="demo-banner")
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
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        stop = gr.Button(
                            "Stop", variant="stop", scale=0, min_width=70, elem_id="stop"
                        )
                    # The counter and any problem with the question, right under the box.
                    question_note = gr.Markdown(elem_id="question-note")
                    examples = gr.Dataset(
                        components=[gr.Textbox(visible=False)],
                        samples=[[q] for q in PERSONAS["csm"].examples],
                        label="Try asking",
                        elem_id="examples",
                    )
                    feedback = gr.Textbox(
                        label="Why? (optional)",
                        placeholder="Press Enter to send",
                        visible=False,
                        elem_id="feedback-comment",
                    )
                    with gr.Row():
                        clear = gr.Button("New conversation", size="sm")
                        export_button = gr.Button("Export as Markdown", size="sm")
                    download = gr.File(
                        label="Your conversation as Markdown", visible=False, elem_id="export"
                    )
                with gr.Column(scale=2):
                    with gr.Accordion("My profile", open=True):
                        persona = gr.Dropdown(label="Answer me as", choices=[], elem_id="persona")
                        role = gr.Dropdown(label="Current role", choices=[], elem_id="role")
                        plan = gr.Radio(
                            label="Preferred plan type", choices=plan_choices(), value=""
                        )
                    gr.Markdown("### Sources")
                    passages = gr.Markdown(
                        "*Ask a question to see its sources here.*", elem_id="passages"
                    )
            with gr.Tab("My plan", id="plan") as plan_tab:
                with gr.Row():
                    plan_role = gr.Dropdown(label="Your role", choices=[], elem_id="plan-role")
                    plan_kind = gr.Radio(
                        label="Plan type", choices=plan_choices(), value="", elem_id="plan-type"
                    )
                    plan_target = gr.Dropdown(
                        label="Target role (optional)", choices=[], elem_id="plan-target"
                    )
                with gr.Row():
                    show_plan = gr.Button("Show my plan", variant="primary", elem_id="show-plan")
                    save_plan = gr.Button("Save this plan", elem_id="save-plan")
                    export_plan = gr.Button("Export as Markdown", elem_id="export-plan")
                plan_notice = gr.Markdown(elem_id="plan-notice")
                # The whole ladder is wide: the map gets the page's width.
                plan_map = gr.HTML(elem_id="career-map")
                with gr.Row():
                    with gr.Column(scale=3):
                        plan_text = gr.Markdown(NO_PLAN, elem_id="plan")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        plan_sources = gr.Markdown(elem_id="plan-sources")
                plan_file = gr.File(label="Your plan as Markdown", visible=False)
                with gr.Row():
                    saved_plans = gr.Dropdown(label="Saved plans", choices=[], scale=4)
                    open_saved = gr.Button("Open saved plan", scale=1, elem_id="open-saved")
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
                    headers=DOC_HEADERS, label="Documents", interactive=False, wrap=True
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
                    label="Questions the documents did not answer, or whose answer was disliked",
                    wrap=True,
                    interactive=False,
                    column_widths=["8%", "28%", "22%", "10%", "12%", "20%"],
                    elem_id="gaps",
                )
                gaps_file = gr.File(label="Knowledge gaps as CSV", visible=False)

        # The page and the API draw on one pool of answer slots: the CPU is shared by both.
        answers = {"concurrency_limit": service.settings.concurrency, "concurrency_id": "answers"}
        gr.api(h.chat_api, api_name="chat", **answers)
        app.load(h.start, talk, [persona, role, plan, examples, desk, who, talk], **private)
        ask = {
            "fn": h.respond,
            "inputs": [question, talk, persona, role, plan],
            "outputs": [chatbot, question, question_note, passages, talk],
            **answers,
            **private,
        }
        # One event: Enter then Ask runs it once. Then the reader starts at the answer's first
        # line, not at the bottom of a long answer's source list.
        asking = gr.on([question.submit, send.click], **ask)
        # Regenerate and edit-and-resend ask again from that question; Stop ends any of them.
        again = {
            "inputs": [talk, persona, role, plan],
            "outputs": ask["outputs"],
            **answers,
            **private,
        }
        retrying = chatbot.retry(h.retry, **again)
        editing = chatbot.edit(h.edit, **again)
        stop.click(None, None, None, cancels=[asking, retrying, editing], **private)
        for answering in (asking, retrying, editing):  # the reader starts at the answer's top
            answering.then(None, chatbot, None, js=ANSWER_START_JS, **private)
        question.change(None, question, question_note, js=COUNTER_JS, **private)
        examples.click(lambda sample: sample[0], examples, question, **private)
        chatbot.select(h.show_passages, talk, passages, **private)
        chatbot.like(h.rate, talk, [feedback, talk], **private)
        feedback.submit(h.comment, [feedback, talk], [feedback, talk], **private)
        # Both the button and the chat's own trash icon start over, on the server too.
        restart = [chatbot, talk, passages, feedback, download]
        clear.click(h.new_conversation, talk, restart, **private)
        chatbot.clear(h.new_conversation, talk, restart, **private)
        export_button.click(h.export, talk, download, **private)
        persona.input(
            h.switch_persona,
            [persona, talk],
            [role, plan, examples, desk, chatbot, talk, passages, feedback, download],
            **private,
        )
        desk.select(h.document_table, None, [documents, victim], **private)
        upload_button.click(
            h.upload, [files, folder, replace], [desk_result, files], **private
        ).then(h.document_table, None, [documents, victim], **private)
        reindex_button.click(h.reindex, None, desk_result, **private).then(
            h.document_table, None, [documents, victim], **private
        )
        delete_button.click(h.delete, [victim, confirm], [desk_result, confirm], **private).then(
            h.document_table, None, [documents, victim], **private
        )
        gaps_button.click(h.gap_table, None, gaps, **private)
        gaps_csv_button.click(h.gap_csv, None, gaps_file, **private)
        plan_form = [persona, plan_role, plan_kind, plan_target]
        plan_view = [plan_text, plan_map, plan_sources, plan_notice]
        plan_tab.select(
            ph.open_tab,
            [persona, role],
            [plan_role, plan_target, saved_plans, plan_notice],
            **private,
        )
        show_plan.click(ph.show, plan_form, plan_view, **private)
        save_plan.click(ph.save, plan_form, [plan_notice, saved_plans], **private)
        export_plan.click(ph.export, plan_form, plan_file, **private)
        open_saved.click(
            ph.reopen, saved_plans, [*plan_view, plan_role, plan_kind, plan_target], **private
        )
    return app


# Serving --------------------------------------------------------------------------------------


def check_binding(settings: Settings, demo: bool) -> None:
    """Without a users file the app is a local demo: it refuses any address but loopback."""
    host = settings.host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if demo and not loopback:
        raise ConfigError(
            f"refusing to listen on {host} without sign-in: create {settings.users_file} with "
            "`coach users add NAME --role ROLE`, or use COACH_HOST=127.0.0.1"
        )


def check_serving(settings: Settings) -> None:
    """Everything that must hold before the app listens: a usable users file, a safe address."""
    check_users_file(settings.users_file)
    check_binding(settings, demo=not settings.users_file.exists())


def guard(service: CoachService) -> Middleware:
    """The HTTP guard for this app: sessions, files and sign-in (see coach/app/guard.py)."""
    settings = service.settings
    throttle = None
    if not service.demo:
        throttle = SignInThrottle(
            SignInLimits(
                per_user=settings.signin_failures_per_user,
                per_address=settings.signin_failures_per_address,
                window_s=settings.signin_window_s,
            )
        )
    return Middleware(
        Guard,
        role_of=service.role_of,
        files=service.files,
        throttle=throttle,
        demo_user=DEMO_USER if service.demo else None,
    )


def sign_in_check(users_file: Path) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's password check, off the event loop: bcrypt takes ~0.3 s by design, and run
    inline it would freeze every session while anyone signs in."""
    slots = asyncio.Semaphore(SIGN_IN_SLOTS)  # a burst of sign-ins cannot take every core either

    async def check(name: str, password: str) -> bool:
        async with slots:
            return await asyncio.to_thread(authenticate, users_file, name, password) is not None

    return check


def launch(
    settings: Settings, coach: Coach | None = None, block: bool = True
) -> tuple[gr.Blocks, str]:
    """Build and start the app; returns it with its local URL."""
    check_serving(settings)
    service = CoachService(settings, coach)
    service.warm_up()
    # Uploads and exports stay in the data dir, readable by this account only, not in /tmp
    # (unless GRADIO_TEMP_DIR says otherwise). Gradio reads it per process: the first app wins.
    if "GRADIO_TEMP_DIR" not in os.environ:
        private_files = settings.data_dir / "gradio"
        private_files.mkdir(parents=True, exist_ok=True)
        private_files.chmod(0o700)
        os.environ["GRADIO_TEMP_DIR"] = str(private_files.resolve())
    app = build_app(service)
    app.queue(default_concurrency_limit=settings.concurrency)
    users_file = settings.users_file
    _, url, _ = app.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=None if service.demo else sign_in_check(users_file),
        # The page can only say "Incorrect Credentials": it says up front what a pause means.
        auth_message=(
            "Sign in with the account HR gave you. After "
            f"{settings.signin_failures_per_user} wrong passwords, sign-in pauses for up to "
            f"{settings.signin_window_s // 60 or 1} minutes."
        ),
        prevent_thread_lock=not block,
        share=False,  # never a public gradio.live link for HR data
        footer_links=["api"],
        max_file_size=settings.max_file_bytes,  # refused before a byte lands on the server
        app_kwargs={"middleware": [guard(service)]},
        css=f"{CSS} {CITATION_CSS}",
        js=CITATION_JS,
        run_history=False,
        show_error=True,
        quiet=not block,
    )
    return app, url


def main() -> None:
    """`python ui.py`: start the app with settings from the environment."""
    try:
        launch(load_settings())
    except CoachError as exc:
        sys.exit(f"error: {exc}")  # one line, as the CLI reports it


if __name__ == "__main__":
    main()
