"""The app's handlers as plain functions over coach/: who asks, chat, feedback, export, HR desk."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace

from coach.answer.answerer import Answer
from coach.answer.profile import PLAN_TYPES, Profile, make_profile
from coach.answer.stream import TextStream
from coach.app.conversations import Conversations, Listed, Remembered, Reread
from coach.app.desk import DocumentRow, Saved, delete_document, document_rows, save_upload
from coach.app.gaps import Gap, knowledge_gaps
from coach.app.guard import FileGrants
from coach.app.history import History
from coach.app.users import load_users
from coach.compose import Coach
from coach.config import Settings
from coach.errors import (
    AccessError,
    CoachError,
    ConfigError,
    IndexBusyError,
    NotReadyError,
    one_line,
)
from coach.index.embeddings import MiniLMEmbeddings
from coach.index.ladder import CareerRole
from coach.index.sync import SyncReport
from coach.personas import (
    DEFAULT_PERSONA,
    PERSONA_IDS,
    PERSONAS,
    WIDEST_PERSONA,
    audiences_for,
    may_manage_knowledge,
    persona,
)

log = logging.getLogger(__name__)

DEMO_USER = "local"
MAX_QUESTION = 2000  # characters: a question, not a document pasted in
WITHHELD = "*This answer was given to a role you no longer have, so it is not shown.*"


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as the server knows them: never taken from the request's own inputs."""

    name: str
    role: str  # the widest persona this user may take


@dataclass
class Turn:
    """One answered question of a live conversation."""

    exchange_id: int
    answer: Answer


@dataclass
class Readiness:
    """Whether the knowledge base can answer yet, and what it is doing until it can."""

    ready: threading.Event
    step: str = ""  # what preparing is doing now, as the waiting page says it
    error: str = ""  # why preparing failed (the app then says so instead of answering)


class CoachService:
    """Everything the app does, scoped to the viewer; one instance serves every session."""

    def __init__(self, settings: Settings, coach: Coach | None = None) -> None:
        self.settings = settings
        self._coach = coach or Coach(settings)
        self.readiness = Readiness(threading.Event())
        self.readiness.ready.set()  # until prepare_in_background() says otherwise
        self._announce: Callable[[str], None] | None = None
        # A first start with a data folder that does not exist yet: create it, as `coach serve`
        # does, before the database (SQLite lives there by default) is opened.
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the data folder {settings.data_dir}: {exc}") from None
        self.history = History(settings.effective_database_url)
        self.conversations = Conversations(self.history)
        self.demo = not settings.users_file.exists()
        self.files = FileGrants()  # exports, each downloadable by the user it was made for
        self._sync_lock = threading.Lock()
        self._embedding_ahead = threading.Lock()
        self.embedding_ahead: threading.Thread | None = None  # the latest, for tests to join

    @property
    def coach(self) -> Coach:
        """The parts that answer, once prepared; until then a one-line "being prepared"."""
        if not self.readiness.ready.is_set():
            raise NotReadyError(f"the knowledge base is being prepared ({self.status()})")
        if self.readiness.error:
            raise NotReadyError(f"the knowledge base could not be prepared: {self.readiness.error}")
        # A sync by another process or replica shows here within seconds; its passages' parts
        # are embedded ahead as after a sync here.
        if self._coach.follow():
            self.embed_passages_in_background()
        return self._coach

    def status(self) -> str:
        """What preparing is doing, in a few words."""
        return self.readiness.step or "almost ready"

    def waiting(self) -> str:
        """Why nothing can be answered yet, as one line ("" once the knowledge base is ready)."""
        if not self.readiness.ready.is_set():
            return (
                f"The knowledge base is being prepared ({self.status()}): this page fills in "
                "by itself when it is ready."
            )
        if self.readiness.error:
            return (
                f"The knowledge base could not be prepared: {self.readiness.error}. The log of "
                "whoever runs coach says more."
            )
        return ""

    def warm_up(self, sync: bool = False, progress: bool = False) -> None:
        """Build every shared part now, so concurrent first requests never race to build them;
        with `sync`, bring the index up to date first (else only an empty one is filled)."""
        coach = self._coach
        self._step("opening the index")
        if sync or coach.store.count() == 0:
            self._step("indexing the knowledge folder")
            try:
                report = coach.sync(progress=progress, wait=2)
            except IndexBusyError:
                log.warning("the index is being updated by another process; answering from it")
            else:
                for failure in report.failed:
                    log.warning("not indexed: %s: %s", failure.path, failure.error)
                for skip in report.skipped:
                    log.warning("skipped: %s: %s", skip.path, skip.reason)
        first = isinstance(coach.embeddings, MiniLMEmbeddings) and coach.embeddings.exports_first
        self._step(f"{'preparing (once per machine)' if first else 'loading'} the embedding model")
        coach.answerer.ask("What does a CSM do?")
        self._step("reading the career ladder")
        coach.ladder(WIDEST_PERSONA)

    def _step(self, step: str) -> None:
        self.readiness.step = step
        if self._announce is not None:
            self._announce(step)

    def prepare_in_background(
        self,
        sync: bool = False,
        progress: bool = False,
        announce: Callable[[str], None] | None = None,
    ) -> threading.Thread:
        """Warm up on a thread, so the app serves a waiting page meanwhile; `announce` hears
        each step (the terminal's progress)."""
        self.readiness.ready.clear()
        self._announce = announce

        def prepare() -> None:
            try:
                self.warm_up(sync, progress)
            except Exception as exc:  # any failure: the page says it instead of waiting forever
                self.readiness.error = one_line(exc)
                log.exception("the knowledge base could not be prepared")
            finally:
                self.readiness.ready.set()
                self._step("ready" if not self.readiness.error else "failed")

            if not self.readiness.error:
                self.embed_passages_in_background()

        thread = threading.Thread(target=prepare, name="coach-prepare", daemon=True)
        thread.start()
        return thread

    def embed_passages_in_background(self) -> threading.Thread:
        """Embed every passage's parts on a thread, after the app is ready or re-indexed."""
        thread = threading.Thread(
            target=self._embed_passages_ahead, name="coach-passages", daemon=True
        )
        thread.start()
        self.embedding_ahead = thread
        return thread

    def _embed_passages_ahead(self) -> None:
        """Until this is done, a question embeds the parts it quotes from itself: the same answer,
        slower."""
        with self._embedding_ahead:  # one at a time: a second finds little left to embed
            try:
                self._coach.answerer.embed_passages_ahead()
            except Exception:  # answers stay right without it, only slower
                log.exception("could not embed the passages ahead of questions")

    # Who asks -------------------------------------------------------------------------------

    def viewer(self, username: str | None) -> Viewer:
        """The signed-in user, or the demo's single local user (who may take every persona)."""
        if self.demo:
            return Viewer(DEMO_USER, WIDEST_PERSONA)
        users = load_users(self.settings.users_file)
        if not username or username not in users:
            raise AccessError("please sign in")
        return Viewer(username, users[username].user.role)

    def role_of(self, username: str) -> str | None:
        """The user's role now (None once removed, or while the users file is broken)."""
        if self.demo:
            return WIDEST_PERSONA if username == DEMO_USER else None
        try:
            found = load_users(self.settings.users_file).get(username)
        except ConfigError as exc:
            log.error("users file unusable, refusing everyone: %s", exc)
            return None
        return found.user.role if found else None

    def persona_for(self, viewer: Viewer, requested: str = "") -> str:
        """The persona to answer as: the requested one if it shows no more than the role allows."""
        if not isinstance(requested, str | None):
            raise CoachError(f"persona must be one of: {', '.join(PERSONA_IDS)}")
        persona = requested or (viewer.role if not self.demo else DEFAULT_PERSONA)
        wider = set(audiences_for(persona)) - set(audiences_for(viewer.role))
        if wider:
            raise AccessError(
                f"your role ({viewer.role}) may not ask as {persona}: "
                f"it would show {', '.join(sorted(wider))} documents"
            )
        return persona

    def personas(self, viewer: Viewer) -> list[str]:
        """The personas this viewer may switch to: their own and narrower ones (HR previewing
        what candidates see); every persona in the demo."""
        return [p.id for p in PERSONAS.values() if persona(viewer.role).covers(p)]

    # Chat -----------------------------------------------------------------------------------

    def roles(self, persona: str) -> list[CareerRole]:
        """The roles whose pages this persona may read, by job family, track and level: the role
        pickers. Read through the Coach's ladder, which is read again when the index changes."""
        ladder = self.coach.ladder(persona)
        return sorted(ladder.roles.values(), key=lambda r: (r.family, r.track, r.level, r.title))

    def profile(self, persona: str, role_id: str = "", plan: str = "") -> Profile:
        """A profile from the form's values; a role the persona may not read is unknown to it."""
        if not isinstance(role_id, str | None) or not isinstance(plan, str | None):
            raise CoachError("role_id and plan must be text")
        try:
            return make_profile(self.roles(persona), role_id or "", plan or "")
        except ValueError as exc:
            raise CoachError(str(exc)) from None

    def ask(
        self,
        viewer: Viewer,
        question: str,
        conversation: str,
        persona: str = "",
        profile: Profile | None = None,
        history: Sequence[tuple[str, str]] = (),
        listed: bool = True,
    ) -> TextStream[Turn]:
        """The answer's text as it streams; `.result` is the stored Turn. A listed conversation
        shows in the asker's conversation list (an API call's is not listed)."""
        if not isinstance(question, str) or not question.strip():
            raise CoachError("please type a question")
        question = question.strip()
        if len(question) > MAX_QUESTION:
            raise CoachError(
                f"question too long ({len(question)} characters, at most {MAX_QUESTION})"
            )
        persona = self.persona_for(viewer, persona)
        streamed = self.coach.answerer.stream(question, persona, history, profile or Profile())

        def recorded() -> Generator[str, None, Turn]:
            yield from streamed
            answer = streamed.answer
            exchange = self.history.record(
                viewer.name, conversation, persona, question, answer, listed
            )
            return Turn(exchange, answer)

        return TextStream(recorded())

    # Conversations that last ----------------------------------------------------------------

    def listed(self, viewer: Viewer) -> list[Listed]:
        """The viewer's conversations, latest first."""
        return self.conversations.listed(viewer.name)

    def reopen(self, viewer: Viewer, conversation: str) -> list[Reread]:
        """One of the viewer's conversations as it was shown. An answer given as a persona the
        viewer's role no longer allows is withheld: a role taken away takes its answers too."""
        shown = []
        for turn in self.conversations.reread(viewer.name, conversation):
            try:
                self.persona_for(viewer, turn.persona)
            except AccessError:
                withheld = Answer(text=WITHHELD, mode=turn.answer.mode, refused=True)
                turn = replace(turn, answer=withheld)
            shown.append(turn)
        return shown

    def rename(self, viewer: Viewer, conversation: str, title: str) -> str:
        """A new title for one of the viewer's conversations."""
        return self.conversations.rename(viewer.name, conversation, title)

    def forget(self, viewer: Viewer, conversation: str) -> None:
        """Delete one of the viewer's conversations."""
        self.conversations.delete(viewer.name, conversation)

    def set_aside(self, viewer: Viewer, exchange_ids: list[int]) -> None:
        """The viewer asked these again (regenerate, edit): reopening shows the new answers."""
        self.conversations.set_aside(viewer.name, exchange_ids)

    def remembered(self, viewer: Viewer) -> Remembered:
        """The viewer's last choices, as far as they still hold: a persona their role allows,
        a role that persona may read, a known plan type."""
        memo = self.conversations.remembered(viewer.name)
        try:
            persona = self.persona_for(viewer, memo.persona)
        except CoachError:
            persona = self.persona_for(viewer)
        roles = {r.id for r in self.roles(persona)}
        return Remembered(
            persona,
            memo.role_id if memo.role_id in roles else "",
            memo.plan_type if memo.plan_type in PLAN_TYPES else "",
            memo.open_conversation,
        )

    def remember(self, viewer: Viewer, choices: Remembered) -> None:
        """Keep the viewer's choices for their next visit (checked again when read)."""
        self.conversations.remember(viewer.name, choices)

    def rate(
        self, viewer: Viewer, exchange_id: int, liked: bool | None, comment: str | None
    ) -> None:
        """Store a like or dislike (with an optional comment) on one of the viewer's answers;
        None takes the rating back."""
        if liked is None:
            self.history.unrate(viewer.name, exchange_id)
        else:
            self.history.feedback(viewer.name, exchange_id, liked, comment)

    def export(self, viewer: Viewer, conversation: str) -> str:
        """The viewer's conversation as Markdown, with sources and ratings."""
        exchanges = self.history.conversation(viewer.name, conversation)
        if not exchanges:
            raise CoachError("nothing to export yet: ask a question first")
        ratings = self.history.ratings(viewer.name, conversation)
        lines = [f"# Conversation with coach, {exchanges[0].created:%Y-%m-%d %H:%M} UTC", ""]
        for exchange in exchanges:
            lines += [f"## {' '.join(exchange.question.split())}", "", exchange.answer, ""]
            sources = json.loads(exchange.sources)
            if sources:
                lines.append("Sources:")
                lines += [
                    f"- [{s['n']}] {s['title']}{' — ' + s['heading'] if s['heading'] else ''}"
                    f" ({s['path']})"
                    for s in sources
                ]
                lines.append("")
            lines.append(f"_{exchange.mode} mode, asked as {exchange.persona}_")
            rating = ratings.get(exchange.id)
            if rating is not None:
                verdict = "liked" if rating.liked else "disliked"
                lines.append(
                    f"_You {verdict} this answer{': ' + rating.comment if rating.comment else ''}_"
                )
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # HR desk --------------------------------------------------------------------------------

    def require_hr(self, viewer: Viewer) -> None:
        """The desk is for role hr (everyone in the demo, who may switch to HR anyway)."""
        if not may_manage_knowledge(viewer.role):
            raise AccessError("the knowledge desk is for HR only")

    def upload(
        self, viewer: Viewer, files: Sequence[tuple[str, bytes]], folder: str, replace: bool
    ) -> tuple[list[Saved], list[str]]:
        """Save each upload that passes the checks; returns what was saved and what was refused."""
        self.require_hr(viewer)
        saved, refused = [], []
        names = [name for name, _ in files]  # a PDF and its sidecar may arrive together
        for name, data in files:
            try:
                saved.append(save_upload(self.settings, name, data, folder, replace, names))
            except CoachError as exc:
                refused.append(str(exc))
        return saved, refused

    def delete(self, viewer: Viewer, path: str) -> list[str]:
        """Delete one document (and its sidecar) from the knowledge folder."""
        self.require_hr(viewer)
        return delete_document(self.settings, path)

    def reindex(self, viewer: Viewer, progress: bool = False) -> SyncReport:
        """Sync the knowledge folder into the index now."""
        self.require_hr(viewer)
        with self._sync_lock:
            report = self.coach.sync(progress=progress, wait=60)
            self.coach.answerer  # noqa: B018 - rebuilt here, once, not by racing first questions
        self.embed_passages_in_background()
        log.info("re-indexed by %s: %s", viewer.name, report.as_json())
        return report

    def documents(self, viewer: Viewer) -> list[DocumentRow]:
        """The documents table."""
        self.require_hr(viewer)
        return document_rows(self.settings, self.coach.store)

    def gaps(self, viewer: Viewer) -> list[Gap]:
        """Refused and disliked questions, grouped by similarity."""
        self.require_hr(viewer)
        return knowledge_gaps(self.history.failures(), self.coach.embeddings)


def plan_choices() -> list[tuple[str, str]]:
    """The plan-type picker's options, "no preference" first."""
    return [("No preference", "")] + [(plan.capitalize(), plan) for plan in PLAN_TYPES]
