"""Gradio outputs by name: a panel is a record of named outputs, its components in the layout
and their new values from a handler, and Gradio gets {component: value} (never a tuple kept in
step with a list by hand, where one output added shifts the rest)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Generic, Self, TypeVar

import gradio as gr
from gradio.blocks import Block

T = TypeVar("T")  # a component in the layout, a new value from a handler


class Panel:
    """The base of every panel record: the same class holds the components and their values, so
    a field one side lacks fails at once (kw_only, no defaults), never lands on another output."""

    def components(self) -> list[Block]:
        """The components, as an event's outputs (a nested panel's in its place)."""
        found: list[Block] = []
        for item in fields(self):  # every panel is a dataclass
            part = getattr(self, item.name)
            found += part.components() if isinstance(part, Panel) else [part]
        return found

    def updates(self, values: Panel) -> dict[Block, Any]:
        """A handler's values keyed by this panel's components, as Gradio takes them."""
        if type(values) is not type(self):
            raise TypeError(f"{type(self).__name__} outputs got {type(values).__name__} values")
        keyed: dict[Block, Any] = {}
        for item in fields(self):
            part, value = getattr(self, item.name), getattr(values, item.name)
            if isinstance(part, Panel):
                keyed.update(part.updates(value))
            else:
                keyed[part] = value
        return keyed

    def receiving(self, handler: Callable) -> Callable:
        """`handler` as Gradio calls it: each record it returns or yields keyed by component.

        The wrapper keeps the handler's name (the event's api_name) and signature (Gradio reads
        it to pass gr.Request, event data and progress).
        """
        if inspect.isgeneratorfunction(handler):

            @functools.wraps(handler)
            def streaming(*args: Any, **kwargs: Any):
                for values in handler(*args, **kwargs):
                    yield self.updates(values)

            return streaming

        @functools.wraps(handler)
        def returning(*args: Any, **kwargs: Any) -> dict[Block, Any]:
            return self.updates(handler(*args, **kwargs))

        return returning

    def wire(self, trigger: Callable, handler: Callable, inputs: Any, **options: Any) -> Any:
        """Run `handler` on `trigger` with these inputs; its records land on this panel."""
        return trigger(self.receiving(handler), inputs, self.components(), **options)

    @classmethod
    def keeping(cls, **values: Any) -> Self:
        """Values for this panel that leave every output not named here as it is."""
        kept = {item.name: gr.update() for item in fields(cls)}
        return cls(**{**kept, **values})


# The chat tab -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Page(Panel, Generic[T]):
    """What every page-changing event sets: profile, examples, desk tab, open conversation."""

    persona: T
    role: T
    plan: T
    examples: T
    desk: T
    chatbot: T
    talk: T
    passages: T
    feedback: T
    download: T
    conversations: T
    title: T


@dataclass(frozen=True, kw_only=True)
class Opened(Panel, Generic[T]):
    """The page as a visit starts: who is signed in, and while the knowledge base is prepared,
    the notice and the timer that asks again; once it is ready, the note under the question box
    no longer says it is being prepared."""

    page: Page[T]
    who: T
    browser: T
    preparing: T
    waiting: T
    note: T


@dataclass(frozen=True, kw_only=True)
class Asked(Panel, Generic[T]):
    """The chat box's events (ask, regenerate, edit): the conversation as it streams."""

    chatbot: T
    question: T
    note: T  # said under the question box
    passages: T
    talk: T
    stop: T  # the Stop button, shown while an answer comes


@dataclass(frozen=True, kw_only=True)
class Listing(Panel, Generic[T]):
    """The conversation list and the open conversation's title."""

    conversations: T
    title: T


@dataclass(frozen=True, kw_only=True)
class Renamed(Panel, Generic[T]):
    """A rename: the list, the title box, and the note under it."""

    conversations: T
    title: T
    note: T


@dataclass(frozen=True, kw_only=True)
class Rated(Panel, Generic[T]):
    """A rating or a comment: the comment box, and the page state holding the rating."""

    feedback: T
    talk: T


# The knowledge desk -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Documents(Panel, Generic[T]):
    """The documents table and the delete picker."""

    table: T
    victim: T


@dataclass(frozen=True, kw_only=True)
class Uploaded(Panel, Generic[T]):
    """An upload's result, and the file picker."""

    result: T
    files: T


@dataclass(frozen=True, kw_only=True)
class Deleted(Panel, Generic[T]):
    """A delete's result, and its confirmation box."""

    result: T
    confirm: T


# The My plan tab --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PlanPicks(Panel, Generic[T]):
    """The tab as it opens: its controls (shown only with a ladder to plan on), the role and
    target pickers, the saved plans, the plan's text and a notice."""

    controls: T
    text: T
    role: T
    target: T
    saved: T
    notice: T


@dataclass(frozen=True, kw_only=True)
class PlanShown(Panel, Generic[T]):
    """One plan: its text, map and sources, and a notice above them."""

    text: T
    map: T
    sources: T
    notice: T


@dataclass(frozen=True, kw_only=True)
class PlanExported(Panel, Generic[T]):
    """An export: the file to download, or a notice of what kept it from being written."""

    file: T
    notice: T


@dataclass(frozen=True, kw_only=True)
class PlanSaved(Panel, Generic[T]):
    """A save: the notice, and the saved plans with the new one chosen."""

    notice: T
    saved: T


@dataclass(frozen=True, kw_only=True)
class PlanReopened(Panel, Generic[T]):
    """A saved plan reopened: the plan, and the form set to what it was made from."""

    shown: PlanShown[T]
    role: T
    kind: T
    target: T
