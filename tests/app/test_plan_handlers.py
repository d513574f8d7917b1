"""The My plan tab's handlers as Gradio calls them: problems said in place, no dead controls."""

from __future__ import annotations

import gradio as gr

from coach.app.panels import PlanExported, PlanSaved, PlanShown
from coach.app.plan_handlers import PlanHandlers

NO_ROLE = "**Choose your current role first.**"


def request(name: str) -> gr.Request:
    """What Gradio hands a handler for a signed-in user."""
    return gr.Request(username=name)


def test_no_role_is_said_above_the_plan_not_raised(service):
    handlers = PlanHandlers(service)
    shown = handlers.show("csm", "", "", "", request("ana"))
    assert isinstance(shown, PlanShown) and shown.notice == NO_ROLE
    assert shown.text == gr.update()  # the plan already on the page stays
    saved = handlers.save("csm", "", "vertical", "", request("ana"))
    assert isinstance(saved, PlanSaved) and saved.notice == NO_ROLE
    exported = handlers.export("csm", None, "", "", request("ana"))
    assert isinstance(exported, PlanExported) and exported.notice == NO_ROLE
    assert exported.file == gr.update()
    unknown = handlers.show("csm", "director-of-fun", "", "", request("ana"))
    assert unknown.notice.startswith("**Unknown role 'director-of-fun'")
    reopened = handlers.reopen(None, request("ana"))
    assert reopened.shown.notice == "**Choose a saved plan first.**"
    assert reopened.role == gr.update() and reopened.shown.text == gr.update()


def test_a_persona_without_a_ladder_gets_no_plan_controls(service):
    handlers = PlanHandlers(service)
    candidates = handlers.open_tab("hiring_manager", "", request("ben"))
    assert candidates.controls == gr.update(visible=False)
    assert "No role pages are public" in candidates.notice and candidates.text == ""
    employee = handlers.open_tab("csm", "csm-2", request("ana"))
    assert employee.controls == gr.update(visible=True)
    assert employee.role["value"] == "csm-2" and employee.notice == ""

