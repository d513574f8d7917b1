"""The Gradio app: layout in build_app(), thin event handlers over coach.service."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a private tool

import gradio as gr

from coach.answer import Answer
from coach.compose import Coach
from coach.config import Settings, load_settings
from coach.desk import allowed_suffixes
from coach.errors import CoachError, ConfigError
from coach.retrieve import Source
from coach.service import EXAMPLES, CoachService, Turn, plan_choices
from coach.users import authenticate

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
PERSONA_LABELS = {"csm": "CSM", "hiring_manager": "Hiring manager", "hr": "HR"}
DOC_HEADERS = ["Title", "Path", "Audience", "Updated", "Chunks", "Status"]
GAP_HEADERS = ["Times asked", "Question", "Similar wordings"]
NO_PASSAGES = "*Ask a question to see its sources here.*"


def new_talk() -> dict:
    """A conversation's server-side state: shown messages, plain turns, answers by position."""
    return {"shown": [], "pairs": [], "turns": {}}


# Rendering -----------------------------------------------------------------------------------


def render_answer(answer: Answer) -> str:
    """An answer as the chat shows it: text, the sources it cites, and how it was made."""
    parts = [answer.text]
    if answer.sources:
        listed = "\n".join(f"- [{s.n}] {s.label} · `{s.path}`" for s in answer.cited_sources)
        parts.append(f"**Sources** (passages in the panel on the right)\n\n{listed}")
    mode = (
        "LLM mode: written by the model from the sources"
        if answer.mode == "llm"
        else "Offline mode: quoted from the documents"
    )
    parts.append(f"*{mode}.*" + (f"  \n*Note: {answer.notice}.*" if answer.notice else ""))
    return "\n\n".join(parts)


def render_passages(sources: list[Source]) -> str:
    """Each source behind one answer: title, heading, path, snippet, and the whole passage."""
    if not sources:
        return "*This answer has no sources.*"
    return "\n\n".join(
        f"**[{s.n}] {s.label}**  \n`{s.path}`\n\n{s.snippet}\n\n"
        f"<details><summary>Read the whole passage</summary>\n\n{s.text}\n\n</details>"
        for s in sources
    )


def api_text(answer: Answer) -> str:
    """What the /chat API returns: the answer, then its sources, one per line."""
    if not answer.sources:
        return answer.text
    listed = "\n".join(f"[{s.n}] {s.label} ({s.path})" for s in answer.sources)
    return f"{answer.text}\n\nSources:\n{listed}"


def mode_marker(service: CoachService) -> str:
    """The header line saying how answers are made."""
    if service.coach.answerer.mode == "llm":
        return f"**LLM mode** ({service.settings.llm_model}): answers are written from the sources."
    return "**Offline mode**: answers quote the documents word for word; no model writes them."


@contextmanager
def shown_as_error() -> Iterator[None]:
    """coach's one-line errors become Gradio errors: a toast on the page, an error in the API."""
    try:
        yield
    except CoachError as exc:
        raise gr.Error(str(exc)) from None


# Handlers (thin: each turns Gradio values into a service call and back) -----------------------


class Handlers:
    """Every event handler, bound to one CoachService; plain methods, testable without a browser."""

    def __init__(self, service: CoachService) -> None:
        self.service = service

    def _viewer(self, request: gr.Request | None):
        with shown_as_error():
            return self.service.viewer(request.username if request else None)

    def chat_api(
        self,
        message: str,
        role_id: str = "",
        plan: str = "",
        persona: str = "",
        request: gr.Request | None = None,
    ) -> Iterator[str]:
        """The /chat endpoint: stream the answer text, ending with the answer and its sources."""
        viewer = self._viewer(request)
        with shown_as_error():
            persona = self.service.persona_for(viewer, persona)
            profile = self.service.profile(persona, role_id, plan)
            text = ""
            conversation = f"api-{uuid.uuid4().hex[:12]}"
            for event in self.service.ask(viewer, message, conversation, persona, profile):
                if isinstance(event, Turn):
                    yield api_text(event.answer)
                else:
                    text += event
                    yield text

    def respond(self, message, talk, conversation, persona, role_id, plan, request: gr.Request):
        """The chat box: stream one answer into the conversation (`talk` lives on the server)."""
        viewer = self._viewer(request)
        if not message or not message.strip():
            raise gr.Error("Please type a question first.")
        with shown_as_error():  # checked before the question shows, so a refusal leaves no trace
            persona = self.service.persona_for(viewer, persona)
            profile = self.service.profile(persona, role_id, plan)
        shown = [*talk["shown"], {"role": "user", "content": message}]
        shown.append({"role": "assistant", "content": "…"})
        yield shown, "", gr.update(), talk
        text = ""
        with shown_as_error():
            asked = self.service.ask(viewer, message, conversation, persona, profile, talk["pairs"])
            for event in asked:
                if isinstance(event, Turn):
                    shown[-1] = {"role": "assistant", "content": render_answer(event.answer)}
                    talk = {
                        "shown": shown,
                        "pairs": [
                            *talk["pairs"],
                            ("user", message),
                            ("assistant", event.answer.text),
                        ],
                        "turns": {
                            **talk["turns"],
                            len(shown) - 1: (event.exchange_id, event.answer.sources),
                        },
                    }
                    yield shown, "", render_passages(event.answer.sources), talk
                else:
                    text += event
                    shown[-1] = {"role": "assistant", "content": text}
                    yield shown, "", gr.update(), talk

    def show_passages(self, talk, event: gr.SelectData):
        """Clicking an answer shows its full source passages."""
        found = talk["turns"].get(event.index)
        return render_passages(found[1]) if found else gr.update()

    def rate(self, talk, event: gr.LikeData, request: gr.Request):
        """A thumbs up or down on an answer; opens the comment box for it."""
        viewer = self._viewer(request)
        found = talk["turns"].get(event.index)
        if found is None:
            return gr.update(), None
        liked = event.liked is True or event.liked == "Like"
        with shown_as_error():
            self.service.rate(viewer, found[0], liked, None)
        verdict = "liked" if liked else "disliked"
        return gr.update(visible=True, label=f"You {verdict} this answer. Why? (optional)"), (
            found[0],
            liked,
        )

    def comment(self, text, rated, request: gr.Request):
        """Attach a comment to the answer just rated."""
        viewer = self._viewer(request)
        if rated is None:
            raise gr.Error("Rate an answer first (thumbs up or down), then comment on it.")
        with shown_as_error():
            self.service.rate(viewer, rated[0], rated[1], text)
        gr.Info("Thanks: your feedback was saved.")
        return gr.update(value="", visible=False), None

    def export(self, conversation, request: gr.Request):
        """The conversation as a Markdown file to download."""
        viewer = self._viewer(request)
        markdown = self.service.export(viewer, conversation)
        folder = Path(tempfile.mkdtemp(prefix="coach-export-"))
        path = folder / f"coach-conversation-{conversation[:8]}.md"
        path.write_text(markdown, encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def new_conversation(self):
        """Start over: empty chat, fresh conversation id."""
        return [], new_talk(), uuid.uuid4().hex, NO_PASSAGES, None, gr.update(visible=False)

    def start(self, request: gr.Request):
        """Fill the page for whoever opened it: personas, roles, examples, the desk."""
        viewer = self._viewer(request)
        persona = self.service.persona_for(viewer)
        personas = self.service.personas(viewer)
        who = (
            ""
            if self.service.demo
            else f"Signed in as **{viewer.name}** ({PERSONA_LABELS[viewer.role]})."
        )
        return (
            gr.update(
                choices=[(PERSONA_LABELS[p], p) for p in personas],
                value=persona,
                interactive=len(personas) > 1,
            ),
            gr.update(choices=self._role_choices(persona), value=""),
            gr.update(samples=[[q] for q in EXAMPLES[persona]]),
            gr.update(visible=persona == "hr"),
            who,
            uuid.uuid4().hex,
        )

    def switch_persona(self, persona, request: gr.Request):
        """Demo only: another persona changes the examples, the roles and whether the desk shows."""
        viewer = self._viewer(request)
        with shown_as_error():
            persona = self.service.persona_for(viewer, persona)
        return (
            gr.update(samples=[[q] for q in EXAMPLES[persona]]),
            gr.update(choices=self._role_choices(persona), value=""),
            gr.update(visible=persona == "hr"),
        )

    def _role_choices(self, persona: str) -> list[tuple[str, str]]:
        roles = self.service.roles(persona)
        return [("(not set)", "")] + [(f"{r.title} ({r.role_id})", r.role_id) for r in roles]

    def document_table(self, request: gr.Request):
        """The documents table and the delete picker's choices."""
        viewer = self._viewer(request)
        with shown_as_error():
            rows = self.service.documents(viewer)
        values = [[r.title, r.path, r.audience, r.updated, r.chunks, r.status] for r in rows]
        return values, gr.update(
            choices=[r.path for r in rows if r.status != "deleted, still indexed"]
        )

    def upload(
        self, files, folder, replace, request: gr.Request, progress=gr.Progress(track_tqdm=True)
    ):
        """Save the uploaded files, then index them so they can be asked about at once."""
        viewer = self._viewer(request)
        if not files:
            raise gr.Error("Choose one or more files to upload first.")
        loaded = [
            (getattr(f, "orig_name", None) or Path(f).name, Path(f).read_bytes()) for f in files
        ]
        with shown_as_error():
            saved, refused = self.service.upload(viewer, loaded, folder or "", bool(replace))
            lines = [f"**Not saved:** {reason}" for reason in refused]
            for item in saved:
                lines.append(
                    f"**Saved** `{item.path}`"
                    + (" (replaced the old file)" if item.replaced else "")
                )
                lines += [f"**Please check:** {warning}" for warning in item.warnings]
            if saved:
                progress(0, desc="Indexing")
                report = self.service.reindex(viewer, progress=True)
                lines.append(_report_line(report))
        return "\n\n".join(lines), None

    def delete(self, path, confirmed, request: gr.Request):
        """Delete a document (after the confirmation box is ticked) and drop it from the index."""
        viewer = self._viewer(request)
        if not path:
            raise gr.Error("Choose a document to delete.")
        if not confirmed:
            raise gr.Error(f"Tick 'Yes, delete it' to delete {path}.")
        with shown_as_error():
            removed = self.service.delete(viewer, path)
            report = self.service.reindex(viewer)
        return (
            f"**Deleted** {', '.join(f'`{p}`' for p in removed)}.\n\n{_report_line(report)}",
            False,
        )

    def reindex(self, request: gr.Request, progress=gr.Progress(track_tqdm=True)):
        """Re-index the knowledge folder with a progress bar."""
        viewer = self._viewer(request)
        progress(0, desc="Indexing")
        with shown_as_error():
            return _report_line(self.service.reindex(viewer, progress=True))

    def gap_table(self, request: gr.Request):
        """Refused and disliked questions, grouped."""
        viewer = self._viewer(request)
        with shown_as_error():
            gaps = self.service.gaps(viewer)
        return [[g.count, g.question, " · ".join(g.examples)] for g in gaps]


def _report_line(report) -> str:
    failed = "".join(f"\n\n**Not indexed:** `{f['path']}`: {f['error']}" for f in report.failed)
    return (
        f"Index updated: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed; {report.documents} documents, {report.chunks} passages."
        + failed
    )


# Layout ---------------------------------------------------------------------------------------


def build_app(service: CoachService) -> gr.Blocks:
    """The whole page: chat with sources and profile, and HR's knowledge desk."""
    h = Handlers(service)
    private = {"api_visibility": "private"}  # only /chat is an API; the rest serve the page
    with gr.Blocks(title="coach: career coaching for CSMs") as app:
        conversation = gr.State("")
        talk = gr.State(new_talk())  # kept on the server: the browser's copy is display only
        rated = gr.State(None)  # (exchange id, liked) awaiting an optional comment
        gr.Markdown("# coach\nGrounded answers about career paths, next steps and training.")
        if service.demo:
            gr.Markdown(DEMO_BANNER, elem_id="demo-banner")
        who = gr.Markdown(elem_id="signed-in")
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
                        placeholder="Ask about career paths, plan types, promotions, training.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Type a question and press Enter",
                            show_label=False,
                            scale=5,
                            elem_id="question",
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    examples = gr.Dataset(
                        components=[gr.Textbox(visible=False)],
                        samples=[[q] for q in EXAMPLES["csm"]],
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
                    download = gr.File(label="Your conversation as Markdown", visible=False)
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
                gaps_button = gr.Button("Show knowledge gaps")
                gaps = gr.Dataframe(
                    headers=GAP_HEADERS, label="Questions coach could not answer well", wrap=True
                )

        # The page and the API draw on one pool of answer slots: the CPU is shared by both.
        answers = {"concurrency_limit": service.settings.concurrency, "concurrency_id": "answers"}
        gr.api(h.chat_api, api_name="chat", **answers)
        app.load(h.start, None, [persona, role, examples, desk, who, conversation], **private)
        ask = {
            "fn": h.respond,
            "inputs": [question, talk, conversation, persona, role, plan],
            "outputs": [chatbot, question, passages, talk],
            **answers,
            **private,
        }
        question.submit(**ask)
        send.click(**ask)
        examples.click(lambda sample: sample[0], examples, question, **private)
        chatbot.select(h.show_passages, talk, passages, **private)
        chatbot.like(h.rate, talk, [feedback, rated], **private)
        feedback.submit(h.comment, [feedback, rated], [feedback, rated], **private)
        # Both the button and the chat's own trash icon start over, on the server too.
        restart = [chatbot, talk, conversation, passages, rated, feedback]
        clear.click(h.new_conversation, None, restart, **private)
        chatbot.clear(h.new_conversation, None, restart, **private)
        export_button.click(h.export, conversation, download, **private)
        persona.change(h.switch_persona, persona, [examples, role, desk], **private)
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


def sign_in_check(users_file: Path) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's password check, off the event loop: bcrypt takes ~0.3 s by design, and run
    inline it would freeze every session while anyone signs in."""
    slots = asyncio.Semaphore(2)  # a burst of sign-ins cannot take every core either

    async def check(name: str, password: str) -> bool:
        async with slots:
            return await asyncio.to_thread(authenticate, users_file, name, password) is not None

    return check


def launch(
    settings: Settings, coach: Coach | None = None, block: bool = True
) -> tuple[gr.Blocks, str]:
    """Build and start the app; returns it with its local URL."""
    service = CoachService(settings, coach)
    check_binding(settings, service.demo)
    service.warm_up()
    app = build_app(service)
    app.queue(default_concurrency_limit=settings.concurrency)
    users_file = settings.users_file
    _, url, _ = app.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=None if service.demo else sign_in_check(users_file),
        auth_message="Sign in with the account HR gave you.",
        prevent_thread_lock=not block,
        footer_links=["api"],
        css=CSS,
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
