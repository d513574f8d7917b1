"""The My plan tab's event handlers: thin methods over coach/app/plans.py."""

from __future__ import annotations

import datetime as dt

import gradio as gr

from coach.app.handlers import private_file, shown_as_error
from coach.app.panels import PlanExported, PlanPicks, PlanReopened, PlanSaved, PlanShown
from coach.app.plans import PlanDesk, PlanView
from coach.app.service import CoachService
from coach.errors import CareerError, CoachError, NotReadyError
from coach.personas import persona as persona_of

NO_PLAN = "*Choose your role and press **Show my plan**.*"
# What the form itself can cause (no role chosen, a ladder that is not there, the knowledge base
# still being prepared) is said above the plan; anything else is an error.
SAID_IN_PLACE = (CareerError, NotReadyError)


class PlanHandlers:
    """Every My plan event, bound to one CoachService; each checks who is signed in."""

    def __init__(self, service: CoachService) -> None:
        self.service = service
        self.desk = PlanDesk(service)

    def _viewer(self, request: gr.Request | None):
        with shown_as_error():
            return self.service.viewer(request.username if request else None)

    def open_tab(self, persona, chat_role, request: gr.Request) -> PlanPicks:
        """Roles and targets this persona may read (the chat profile's role preselected), and
        the viewer's saved plans."""
        viewer = self._viewer(request)
        with shown_as_error():
            persona = self.service.persona_for(viewer, persona)
            roles = [(r.label, r.id) for r in self.service.roles(persona)]
        ids = {role_id for _, role_id in roles}
        chosen = chat_role if chat_role in ids else None
        return PlanPicks(
            # No ladder to plan on (a hiring manager without public role pages): no controls
            # that cannot work, only the line that says why.
            controls=gr.update(visible=bool(roles)),
            text=gr.update() if roles else "",
            role=gr.update(choices=roles, value=chosen),
            target=gr.update(choices=[("(none)", ""), *roles], value=""),
            saved=self._saved_choices(viewer),
            notice="" if roles else self._no_ladder(persona),
        )

    def show(self, persona, role_id, plan_type, target, request: gr.Request) -> PlanShown:
        """The plan, its map and its sources; what keeps it from showing, said above it."""
        viewer = self._viewer(request)
        try:
            with shown_as_error(keep=SAID_IN_PLACE):
                view = self.desk.show(
                    viewer, self.desk.request(viewer, persona, role_id, plan_type, target)
                )
        except SAID_IN_PLACE as exc:
            return PlanShown.keeping(notice=said(exc))
        return _shown(view, "")

    def export(self, persona, role_id, plan_type, target, request: gr.Request) -> PlanExported:
        """The plan as a Markdown file that only its owner can download."""
        viewer = self._viewer(request)
        try:
            with shown_as_error(keep=SAID_IN_PLACE):
                request_ = self.desk.request(viewer, persona, role_id, plan_type, target)
                markdown = self.desk.export(viewer, request_)
        except SAID_IN_PLACE as exc:
            return PlanExported(file=gr.update(), notice=said(exc))
        name = f"coach-plan-{request_.role_id}-{dt.datetime.now(dt.UTC):%Y-%m-%d}.md"
        path = private_file(self.service, viewer, name, markdown)
        return PlanExported(file=gr.update(value=str(path), visible=True), notice="")

    def save(self, persona, role_id, plan_type, target, request: gr.Request) -> PlanSaved:
        """Keep the plan with the document versions behind it."""
        viewer = self._viewer(request)
        try:
            with shown_as_error(keep=SAID_IN_PLACE):
                record = self.desk.save(
                    viewer, self.desk.request(viewer, persona, role_id, plan_type, target)
                )
        except SAID_IN_PLACE as exc:
            return PlanSaved(notice=said(exc), saved=gr.update())
        note = f"Saved: {record.label}. Reopen it later to see what changed in the documents."
        return PlanSaved(notice=note, saved=self._saved_choices(viewer, record.id))

    def reopen(self, plan_id, request: gr.Request) -> PlanReopened:
        """A saved plan as it reads today, with what changed since it was saved."""
        viewer = self._viewer(request)
        try:
            if plan_id in (None, ""):
                raise CareerError("choose a saved plan first")
            with shown_as_error(keep=SAID_IN_PLACE):
                try:
                    number = int(plan_id)
                except (TypeError, ValueError):
                    raise CoachError("no such saved plan") from None
                record, view, changes = self.desk.reopen(viewer, number)
        except SAID_IN_PLACE as exc:  # a saved plan whose role is gone, too
            kept = gr.update()
            return PlanReopened(
                shown=PlanShown.keeping(notice=said(exc)), role=kept, kind=kept, target=kept
            )
        notice = changes or f"Nothing in its documents changed since {record.created:%Y-%m-%d}."
        chosen = record.request
        return PlanReopened(
            shown=_shown(view, notice),
            role=gr.update(value=chosen.role_id),
            kind=chosen.plan_type,
            target=gr.update(value=chosen.target),
        )

    def _saved_choices(self, viewer, chosen: int | None = None):
        with shown_as_error():
            records = self.desk.saved(viewer)
        return gr.update(choices=[(r.label, r.id) for r in records], value=chosen)

    def _no_ladder(self, persona: str) -> str:
        if persona_of(persona).speaks_for_candidates:
            return (
                "*No role pages are public, so there is no candidate version of the ladder; "
                "the chat answers candidates' questions from public documents.*"
            )
        return "*No career ladder in the knowledge folder: plans need role front matter.*"


def said(exc: Exception) -> str:
    """A problem as the one line shown above the plan: "Choose your current role first."."""
    text = str(exc)
    return f"**{text[:1].upper()}{text[1:].rstrip('.')}.**"


def _shown(view: PlanView, notice: str) -> PlanShown:
    return PlanShown(
        text=view.markdown,
        map=view.map_html,
        sources=view.sources,
        notice=notice,
    )
