"""The app's event handlers: thin methods turning Gradio values into service calls."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import gradio as gr

from coach.app.gaps import Gap
from coach.app.panels import Asked, Deleted, Documents, Rated, Uploaded
from coach.app.rendering import api_text, render_answer, render_passages
from coach.app.service import DEMO_USER, MAX_QUESTION, CoachService, Viewer
from coach.app.talk import Rating, Talk
from coach.errors import CoachError
from coach.personas import PERSONAS

NO_PASSAGES = "*Ask a question to see its sources here.*"
# Why questions count as knowledge gaps, in HR's words.
GAP_COLUMNS = [
    "Subject", "Times asked", "Question", "Other wordings", "Asked as", "Why", "Comments"
]
SHOWN, HIDDEN = gr.update(visible=True), gr.update(visible=False)
REASONS = {
    "not_found": "not in the documents",
    "disliked": "answer disliked",
    "weak_lead": "answer opened with a weak match",
}


def mode_marker(service: CoachService) -> str:
    """The header line saying how answers are made."""
    settings = service.settings  # read before the model loads: the header shows at once
    if settings.llm_model or settings.llm_gguf_path is not None:
        model = settings.llm_model or settings.llm_gguf_path.name
        return f"**LLM mode** ({model}): answers are written from the sources."
    return "**Offline mode**: answers quote the documents word for word; no model writes them."


@contextmanager
def shown_as_error(keep: tuple[type[CoachError], ...] = ()) -> Iterator[None]:
    """coach's one-line errors become Gradio errors: a toast on the page, an error in the API
    (those of the `keep` kinds pass through, for the caller to say in place)."""
    try:
        yield
    except keep:
        raise
    except CoachError as exc:
        raise gr.Error(str(exc), print_exception=False) from None  # expected: no traceback


def private_file(service: CoachService, viewer: Viewer, name: str, text: str) -> Path:
    """A file only this viewer may download, for an export."""
    # Inside Gradio's own (private) folder, which it clears with the rest of its cache; the
    # file is registered to this user, and the file route serves it to no one else.
    cache = Path(gr.utils.get_upload_folder())
    cache.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="export-", dir=cache)) / name
    path.write_text(text, encoding="utf-8")
    service.files.grant(viewer.name, path)
    return path


def question_problem(message: str | None) -> str:
    """What keeps a question from being asked, as the one line shown under the box ("" if
    nothing does)."""
    if not message or not message.strip():
        return "Please type a question first."
    if len(message) > MAX_QUESTION:
        return (
            f"Your question is {len(message):,} characters; the limit is {MAX_QUESTION:,}. "
            "Shorten it and press Enter again."
        )
    return ""


# The live counter under the question box, in the browser only (no request per keystroke):
# silent until the question nears the limit.
COUNTER_JS = (
    f"(q) => {{ const n = (q || '').length; if (n < {MAX_QUESTION * 4 // 5}) return ''; "
    f"return n > {MAX_QUESTION} ? `${{n.toLocaleString('en')}} / {MAX_QUESTION:,} characters: "
    "too long, shorten it to ask` : `${n.toLocaleString('en')} / "
    f"{MAX_QUESTION:,} characters`; }}"
)


# Handlers (thin: each turns Gradio values into a service call and back) -----------------------


class PageHandlers:
    """Handlers bound to one CoachService, with who asks and the page state they may read."""

    def __init__(self, service: CoachService) -> None:
        self.service = service

    def _viewer(self, request: gr.Request | None) -> Viewer:
        with shown_as_error():
            return self.service.viewer(request.username if request else None)

    def _talk(self, talk: Talk | None, viewer: Viewer) -> Talk:
        """The page's state, if it belongs to the user signed in on this request."""
        with shown_as_error():
            return (talk or Talk()).owned_by(viewer.name)

    def _session(self, talk: Talk | None, request: gr.Request | None) -> tuple[Viewer, Talk]:
        """Who asks and their page's state. In the demo (no sign-in, loopback only) the page's
        state names the browser whose conversations it shows."""
        viewer = self._viewer(request)
        owner = talk.owner if isinstance(talk, Talk) else None
        if self.service.demo and owner and owner.startswith(f"{DEMO_USER}-"):
            viewer = replace(viewer, name=owner)
        return viewer, self._talk(talk, viewer)


class Handlers(PageHandlers):
    """The chat, feedback, export and desk events; plain methods, testable without a browser."""

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
            asked = self.service.ask(viewer, message, conversation, persona, profile, listed=False)
            for delta in asked:
                text += delta
                yield text
            yield api_text(asked.result.answer)

    def respond(
        self, message, talk, persona, role_id, plan, request: gr.Request
    ) -> Iterator[Asked]:
        """The chat box: stream one answer into the conversation (`talk` lives on the server)."""
        viewer, talk = self._session(talk, request)
        problem = question_problem(message) or self.service.waiting()
        if problem:  # said beside the box, which keeps the text: nothing is lost, nothing covered
            yield Asked.keeping(chatbot=talk.shown, note=problem, talk=talk, stop=HIDDEN)
            return
        with shown_as_error():  # checked before the question shows, so a refusal leaves no trace
            persona = self.service.persona_for(viewer, persona)
            profile = self.service.profile(persona, role_id, plan)
        shown = [*talk.shown, {"role": "user", "content": message}]
        shown.append({"role": "assistant", "content": "…"})
        # Stop is shown while the answer comes, and only then.
        yield Asked.keeping(chatbot=shown, question="", note="", talk=talk, stop=SHOWN)
        text = ""
        with shown_as_error():
            asked = self.service.ask(
                viewer, message, talk.conversation, persona, profile, talk.pairs
            )
            for delta in asked:
                text += delta
                shown[-1] = {"role": "assistant", "content": text}
                yield Asked.keeping(chatbot=shown, question="", note="", talk=talk)
            turn = asked.result
            answer = turn.answer
            shown[-1] = {"role": "assistant", "content": render_answer(answer)}
            talk = talk.answered(message, shown, turn.exchange_id, answer.text, answer.sources)
            yield Asked(
                chatbot=shown,
                question="",
                note="",
                passages=render_passages(answer.sources, message, answer.text),
                talk=talk,
                stop=HIDDEN,
            )

    def retry(
        self, talk, persona, role_id, plan, event: gr.RetryData, request: gr.Request
    ) -> Iterator[Asked]:
        """Regenerate: the last question asked again, its old answer replaced on the page."""
        viewer, talk = self._session(talk, request)
        question = talk.shown[event.index]["content"] if event.index < len(talk.shown) else ""
        self._set_aside(viewer, talk, event.index)
        yield from self.respond(question, talk.before(event.index), persona, role_id, plan, request)

    def edit(
        self, talk, persona, role_id, plan, event: gr.EditData, request: gr.Request
    ) -> Iterator[Asked]:
        """Edit and resend: an earlier question changed, and asked again from there."""
        viewer, talk = self._session(talk, request)
        self._set_aside(viewer, talk, event.index)
        yield from self.respond(
            event.value, talk.before(event.index), persona, role_id, plan, request
        )

    def _set_aside(self, viewer: Viewer, talk: Talk, index: int) -> None:
        """The answers from `index` on are being asked again: a reload shows the new ones."""
        with shown_as_error():
            self.service.set_aside(
                viewer, [t.exchange_id for i, t in talk.turns.items() if i >= index]
            )

    def show_passages(self, talk, event: gr.SelectData, request: gr.Request):
        """Clicking an answer shows its full source passages."""
        _, talk = self._session(talk, request)
        found = talk.turns.get(event.index)
        if found is None:
            return gr.update()
        return render_passages(list(found.sources), found.question, found.answer)

    def rate(self, talk, event: gr.LikeData, request: gr.Request) -> Rated:
        """A thumbs up or down on an answer; opens the comment box for it."""
        viewer, talk = self._session(talk, request)
        found = talk.turns.get(event.index)
        if found is None:
            return Rated.keeping(talk=talk)
        if event.liked in ("", None):  # the same thumb clicked again: the rating is taken back
            with shown_as_error():
                self.service.rate(viewer, found.exchange_id, None, None)
            return Rated(
                feedback=gr.update(value="", visible=False), talk=replace(talk, rating=None)
            )
        liked = event.liked is True or event.liked == "Like"
        with shown_as_error():
            self.service.rate(viewer, found.exchange_id, liked, None)
        verdict = "liked" if liked else "disliked"
        return Rated(
            feedback=gr.update(visible=True, label=f"You {verdict} this answer. Why? (optional)"),
            talk=replace(talk, rating=Rating(exchange_id=found.exchange_id, liked=liked)),
        )

    def comment(self, text, talk, request: gr.Request) -> Rated:
        """Attach a comment to the answer just rated."""
        viewer, talk = self._session(talk, request)
        if talk.rating is None:
            raise gr.Error("Rate an answer first (thumbs up or down), then comment on it.")
        with shown_as_error():
            self.service.rate(viewer, talk.rating.exchange_id, talk.rating.liked, text)
        gr.Info("Thanks: your feedback was saved.")
        return Rated(feedback=gr.update(value="", visible=False), talk=replace(talk, rating=None))

    def export(self, talk, request: gr.Request):
        """The conversation as a Markdown file that only its owner can download."""
        viewer, talk = self._session(talk, request)
        with shown_as_error():
            markdown = self.service.export(viewer, talk.conversation)
        name = f"coach-conversation-{dt.datetime.now(dt.UTC):%Y-%m-%d-%H%M}.md"
        return gr.update(
            value=str(private_file(self.service, viewer, name, markdown)), visible=True
        )

    def document_table(self, request: gr.Request) -> Documents:
        """The documents table and the delete picker's choices."""
        viewer = self._viewer(request)
        with shown_as_error():
            rows = self.service.documents(viewer)
        return Documents(
            table=[[r.title, r.path, r.audience, r.updated, r.chunks, r.status] for r in rows],
            victim=gr.update(
                choices=[r.path for r in rows if r.status != "deleted, still indexed"]
            ),
        )

    def upload(
        self, files, folder, replace, request: gr.Request, progress=gr.Progress(track_tqdm=True)
    ) -> Uploaded:
        """Save the uploaded files, then index them so they can be asked about at once."""
        viewer = self._viewer(request)
        if not files:
            raise gr.Error("Choose one or more files to upload first.")
        loaded = [(Path(f).name, Path(f).read_bytes()) for f in files]  # Gradio keeps the name
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
                lines.append(_report_line(report, {item.path for item in saved}))
        # The picker empties either way: a refused file is named above, and it must not go
        # again with the next upload.
        return Uploaded(result="\n\n".join(lines), files=None)

    def delete(self, path, confirmed, request: gr.Request) -> Deleted:
        """Delete a document (after the confirmation box is ticked) and drop it from the index."""
        viewer = self._viewer(request)
        # Said in the result beside the form, never in a pop-up over the box it asks for.
        if not path:
            return Deleted.keeping(result="Choose a document to delete.")
        if not confirmed:
            return Deleted.keeping(result=f"Tick **Yes, delete it** to delete `{path}`.")
        with shown_as_error():
            removed = self.service.delete(viewer, path)
            report = self.service.reindex(viewer)
        deleted = ", ".join(f"`{p}`" for p in removed)
        return Deleted(result=f"**Deleted** {deleted}.\n\n{_report_line(report)}", confirm=False)

    def reindex(self, request: gr.Request, progress=gr.Progress(track_tqdm=True)):
        """Re-index the knowledge folder with a progress bar."""
        viewer = self._viewer(request)
        progress(0, desc="Indexing")
        with shown_as_error():
            return _report_line(self.service.reindex(viewer, progress=True))

    def gap_table(self, request: gr.Request):
        """Refused, disliked and weakly answered questions, grouped by subject, as table rows."""
        viewer = self._viewer(request)
        with shown_as_error():
            gaps = self.service.gaps(viewer)
        return [gap_row(g) for g in gaps]

    def gap_csv(self, request: gr.Request):
        """The knowledge gaps as a CSV file only this HR user can download."""
        viewer = self._viewer(request)
        with shown_as_error():
            gaps = self.service.gaps(viewer)
        lines = io.StringIO()
        table = csv.writer(lines)
        table.writerow(GAP_COLUMNS)
        table.writerows(gap_row(g) for g in gaps)
        name = f"coach-knowledge-gaps-{dt.datetime.now(dt.UTC):%Y-%m-%d}.csv"
        path = private_file(self.service, viewer, name, lines.getvalue())
        return gr.update(value=str(path), visible=True)


def gap_row(gap: Gap) -> list:
    """One gap in HR's words: subject, count, question, other wordings, personas, why (with
    what the documents do not mention), comments."""
    return [
        gap.subject,
        gap.count,
        gap.question,
        " · ".join(gap.examples),
        ", ".join(PERSONAS[p].label if p in PERSONAS else p for p in gap.personas),
        ", ".join(_reason(r, gap.missing) for r in gap.reasons),
        " · ".join(gap.comments),
    ]


def _reason(reason: str, missing: tuple[str, ...]) -> str:
    """Why a gap's questions failed, naming what no document mentions where a refusal said."""
    if reason == "not_found" and missing:
        return f"{REASONS[reason]}: {', '.join(missing)}"
    return REASONS.get(reason, reason)


def _report_line(report, only: set[str] | None = None) -> str:
    """The sync's summary and its failures (those of `only` these files, after an upload)."""
    failures = [f for f in report.failed if only is None or f.path in only]
    failed = "".join(f"\n\n**Not indexed:** `{f.path}`: {f.error}" for f in failures)
    skips = [s for s in report.skipped if only is None or s.path in only]
    skipped = "".join(f"\n\n**Skipped:** `{s.path}`: {s.reason}" for s in skips)
    return f"Index updated: {report.summary()}.{failed}{skipped}"
