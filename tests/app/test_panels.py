"""Outputs by name: a panel's components get a handler's values by field, whatever the order."""

from __future__ import annotations

import inspect

import gradio as gr
import pytest
from gradio.utils import get_type_hints

from coach.app.handlers import Handlers
from coach.app.panels import Asked, PlanReopened, PlanShown, Rated


def components(count: int) -> list:
    with gr.Blocks():
        return [gr.Textbox() for _ in range(count)]


def test_values_land_on_their_components_by_name():
    text, map_, sources, notice, role, kind, target = components(7)
    outputs = PlanReopened(
        shown=PlanShown(text=text, map=map_, sources=sources, notice=notice),
        role=role,
        kind=kind,
        target=target,
    )
    assert outputs.components() == [text, map_, sources, notice, role, kind, target]
    # Named in any order, each value goes to its own component.
    values = PlanReopened(
        target="t",
        kind="k",
        role="r",
        shown=PlanShown(notice="n", sources="s", map="m", text="x"),
    )
    assert outputs.updates(values) == {
        text: "x",
        map_: "m",
        sources: "s",
        notice: "n",
        role: "r",
        kind: "k",
        target: "t",
    }


def test_a_missing_or_foreign_value_fails_instead_of_shifting_the_rest():
    feedback, talk = components(2)
    rated = Rated(feedback=feedback, talk=talk)
    with pytest.raises(TypeError):
        Rated(feedback="only one")
    with pytest.raises(TypeError, match="Rated outputs got PlanShown values"):
        rated.updates(PlanShown(text="", map="", sources="", notice=""))
    kept = Rated.keeping(talk="t")
    assert rated.updates(kept) == {feedback: gr.update(), talk: "t"}


def test_a_wired_handler_keeps_what_gradio_reads_from_it():
    chatbot, question, note, passages, talk, stop = components(6)
    asked = Asked(
        chatbot=chatbot, question=question, note=note, passages=passages, talk=talk, stop=stop
    )
    respond = asked.receiving(Handlers.respond)
    # Its name is the event's api_name; gr.Request and event data are found by their hints.
    assert respond.__name__ == "respond"
    assert inspect.signature(respond) == inspect.signature(Handlers.respond)
    assert get_type_hints(respond)["request"] is gr.Request
    assert inspect.isgeneratorfunction(respond)
    assert not inspect.isgeneratorfunction(Rated(feedback=note, talk=talk).receiving(Handlers.rate))
