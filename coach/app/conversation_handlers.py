"""The chat page's conversation events: start, open, new, rename, delete, persona, profile."""

from __future__ import annotations

import uuid
from dataclasses import replace

import gradio as gr

from coach.app.conversations import Remembered, Reread
from coach.app.handlers import NO_PASSAGES, PageHandlers, shown_as_error
from coach.app.panels import Listing, Opened, Page, Renamed
from coach.app.rendering import render_answer, render_passages
from coach.app.service import DEMO_USER, Viewer
from coach.app.talk import Talk
from coach.errors import AccessError, CoachError, StoreError
from coach.personas import PERSONAS


class ConversationHandlers(PageHandlers):
    """The conversation list and the remembered profile; each event checks who is signed in."""

    def start(self, talk, browser, request: gr.Request) -> Opened:
        """Fill the page for whoever opened it, where they left off: their persona, role and
        plan type, and the conversation that was open. While the knowledge base is prepared,
        only the persona picker and the notice, and the timer calls this again."""
        viewer = self._viewer(request)
        self._talk(talk, viewer)  # a session already bound to someone else stays theirs
        if self.service.demo:  # no sign-in: each browser keeps its own conversations
            browser = browser if isinstance(browser, str) and browser.isalnum() else ""
            browser = browser or uuid.uuid4().hex[:16]
            viewer = replace(viewer, name=f"{DEMO_USER}-{browser}")
        who = (
            ""
            if self.service.demo
            else f"Signed in as **{viewer.name}** ({PERSONAS[viewer.role].label})."
        )
        waiting = self.service.waiting()
        if waiting:  # the page says so, and asks again on a timer while preparing goes on
            preparing = not self.service.readiness.ready.is_set()
            return Opened(
                page=Page.keeping(persona=self._persona_picker(viewer, self._persona(viewer, ""))),
                who=who,
                browser=browser,
                preparing=_notice(waiting),
                waiting=gr.Timer(active=preparing),
                note=gr.update(),
            )
        with shown_as_error():
            memo = self.service.remembered(viewer)
        talk = Talk.begin(viewer.name)
        if memo.open_conversation:
            talk = replace(talk, conversation=memo.open_conversation)
        return Opened(
            page=self._page(viewer, talk, memo.persona, memo.role_id, memo.plan_type),
            who=who,
            browser=browser,
            preparing=_notice(""),
            waiting=gr.Timer(active=False),
            note="",  # "being prepared", said to a question asked too early, is over
        )

    def open_conversation(self, conversation, talk, role_id, plan, request: gr.Request) -> Page:
        """Open one of the viewer's conversations, as the page last showed it."""
        viewer, talk = self._session(talk, request)
        if not conversation or conversation == talk.conversation:
            return Page.keeping()
        opened = replace(Talk.begin(viewer.name), conversation=conversation)
        with shown_as_error():
            if conversation not in {c.conversation for c in self.service.listed(viewer)}:
                raise StoreError("no such conversation in your list")
            turns = self.service.reopen(viewer, conversation)
        persona = self._persona(viewer, turns[0].persona if turns else "")
        self._remember(viewer, opened, persona, role_id, plan)
        return self._page(viewer, opened, persona, role_id, plan, turns)

    def new_conversation(self, talk, persona, role_id, plan, request: gr.Request) -> Page:
        """Start over: empty chat, a fresh conversation (listed once its first question is)."""
        viewer, _ = self._session(talk, request)
        fresh = Talk.begin(viewer.name)
        self._remember(viewer, fresh, self._persona(viewer, persona), role_id, plan)
        return self._page(viewer, fresh, persona, role_id, plan)

    def switch_persona(self, persona, talk, request: gr.Request) -> Page:
        """Another persona changes the examples, the profile and the desk, and starts a new
        conversation: answers for two audiences never share one thread."""
        viewer, talk = self._session(talk, request)
        with shown_as_error():
            persona = self.service.persona_for(viewer, persona)
        fresh = talk if not talk.shown else Talk.begin(viewer.name)
        self._remember(viewer, fresh, persona, "", "")
        return self._page(viewer, fresh, persona, "", "")

    def rename(self, title, talk, request: gr.Request) -> Renamed:
        """Give the open conversation a new title."""
        viewer, talk = self._session(talk, request)
        if not talk.shown:
            return Renamed.keeping(note="Ask a question first: it becomes the title.")
        try:
            stored = self.service.rename(viewer, talk.conversation, title)
        except CoachError as exc:  # said under the box, which keeps what was typed
            return Renamed.keeping(note=f"Not renamed: {exc}.")
        listed = self._listing(viewer, talk).conversations
        return Renamed(conversations=listed, title=stored, note="")

    def delete_conversation(self, talk, persona, role_id, plan, request: gr.Request) -> Page:
        """Delete the open conversation (the second click of Delete) and start a new one."""
        viewer, talk = self._session(talk, request)
        if talk.shown:
            with shown_as_error():
                self.service.forget(viewer, talk.conversation)
        fresh = Talk.begin(viewer.name)
        self._remember(viewer, fresh, self._persona(viewer, persona), role_id, plan)
        return self._page(viewer, fresh, persona, role_id, plan)

    def answered(self, talk, persona, role_id, plan, request: gr.Request) -> Listing:
        """After an answer: the list (a first question names the conversation) and the title,
        and the open conversation remembered for a reload."""
        viewer, talk = self._session(talk, request)
        self._remember(viewer, talk, persona, role_id, plan)
        return self._listing(viewer, talk)

    def remember_profile(self, talk, persona, role_id, plan, request: gr.Request):
        """The role or plan type changed: keep it for the next visit."""
        viewer, talk = self._session(talk, request)
        self._remember(viewer, talk, persona, role_id, plan)

    # The page, as one user sees it ---------------------------------------------------------

    def _page(
        self,
        viewer: Viewer,
        talk: Talk,
        persona: str,
        role_id: str,
        plan: str,
        turns: list[Reread] | None = None,
    ) -> Page:
        """The page for this viewer with `talk` open (its stored turns shown: `turns` when the
        caller has read them already)."""
        persona = self._persona(viewer, persona)
        with shown_as_error():
            if turns is None:
                turns = self.service.reopen(viewer, talk.conversation)
        shown: list[dict] = []
        for turn in turns:
            shown.append({"role": "user", "content": turn.question})
            shown.append({"role": "assistant", "content": render_answer(turn.answer)})
            talk = talk.answered(
                turn.question, shown, turn.exchange_id, turn.answer.text, turn.answer.sources
            )
        last = turns[-1] if turns else None
        passages = (
            render_passages(last.answer.sources, last.question, last.answer.text)
            if last and last.answer.sources
            else NO_PASSAGES
        )
        personal = PERSONAS[persona].has_own_plan
        roles = self._role_choices(persona)
        listing = self._listing(viewer, talk)
        return Page(
            persona=self._persona_picker(viewer, persona),
            role=gr.update(
                choices=roles,
                value=role_id if role_id in {r for _, r in roles} else "",
                visible=personal,
            ),
            plan=gr.update(value=plan or "", visible=personal),
            examples=gr.update(samples=[[q] for q in PERSONAS[persona].examples]),
            desk=gr.update(visible=PERSONAS[persona].manages_knowledge),
            chatbot=shown,
            talk=talk,
            passages=passages,
            feedback=gr.update(value=None, visible=False),
            download=gr.update(value=None, visible=False),
            conversations=listing.conversations,
            title=listing.title,
        )

    def _persona_picker(self, viewer: Viewer, persona: str):
        """The persona picker: the personas this viewer may take, `persona` chosen."""
        personas = self.service.personas(viewer)
        return gr.update(
            choices=[(PERSONAS[p].label, p) for p in personas],
            value=persona,
            interactive=len(personas) > 1,
        )

    def _listing(self, viewer: Viewer, talk: Talk) -> Listing:
        """The conversation list (newest first, the open one selected) and the open one's title."""
        with shown_as_error():
            listed = self.service.listed(viewer)
        titles = {c.conversation: c.title for c in listed}
        chosen = talk.conversation if talk.conversation in titles else None
        choices = [(c.title, c.conversation) for c in listed]
        return Listing(
            conversations=gr.update(choices=choices, value=chosen),
            title=titles.get(talk.conversation, ""),
        )

    def _role_choices(self, persona: str) -> list[tuple[str, str]]:
        roles = self.service.roles(persona)
        return [("(not set)", "")] + [(r.label, r.id) for r in roles]

    def _persona(self, viewer: Viewer, persona: str) -> str:
        """The persona asked for if the viewer's role allows it (an old conversation's may no
        longer be), else the viewer's own."""
        with shown_as_error():
            try:
                return self.service.persona_for(viewer, persona or "")
            except AccessError:
                return self.service.persona_for(viewer)

    def _remember(self, viewer: Viewer, talk: Talk, persona, role_id, plan) -> None:
        """Keep the viewer's choices, and the open conversation once it has a question."""
        choices = Remembered(
            persona if isinstance(persona, str) else "",
            role_id if isinstance(role_id, str) else "",
            plan if isinstance(plan, str) else "",
            talk.conversation if talk.shown else "",
        )
        with shown_as_error():
            self.service.remember(viewer, choices)


def _notice(text: str):
    """The line above the page that says the knowledge base is not ready (hidden once it is)."""
    return gr.update(value=f"**{text}**" if text else "", visible=bool(text))
