"""A chat page's server-side state, bound to the user who opened the page."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from coach.answer.retrieve import Source
from coach.errors import NotYoursError

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class AnsweredTurn:
    """What an answer in the chat needs later: its stored exchange and its sources."""

    exchange_id: int
    sources: tuple[Source, ...]
    question: str = ""
    answer: str = ""  # its text: the panel marks the lines it quotes


@dataclass(frozen=True, kw_only=True)
class Rating:
    """A thumbs up or down awaiting its optional comment."""

    exchange_id: int
    liked: bool


@dataclass(frozen=True, kw_only=True)
class Talk:
    """One page's conversation: who owns it, its id, what is shown, and each answer's turn.

    Gradio keeps it per browser session, and a session is named by a hash the browser picks and
    shows in URLs: never proof of who asks. So every handler reads it through `owned_by`.
    """

    owner: str | None = None
    conversation: str = ""
    shown: tuple[dict[str, Any], ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()  # (role, text) for follow-up questions
    turns: dict[int, AnsweredTurn] = field(default_factory=dict)  # by message position
    rating: Rating | None = None

    @classmethod
    def begin(cls, owner: str) -> Talk:
        """A new, empty conversation for this user."""
        return cls(owner=owner, conversation=uuid.uuid4().hex)

    def owned_by(self, user: str) -> Talk:
        """This state if it is the user's (a page not yet started becomes theirs), else refuse."""
        if self.owner is None:
            return Talk.begin(user)
        if self.owner != user:
            log.warning("refused: %s used a page session that belongs to %s", user, self.owner)
            raise NotYoursError("this page belongs to another sign-in: reload the page")
        return self

    def before(self, index: int) -> Talk:
        """The conversation as it was before the message at `index` (to ask it again, or an
        edited version of it): what came after is dropped from the page, not from history."""
        return replace(
            self,
            shown=self.shown[:index],
            pairs=self.pairs[:index],  # each question and answer adds one of each
            turns={i: turn for i, turn in self.turns.items() if i < index},
            rating=None,
        )

    def answered(
        self,
        question: str,
        shown: list[dict[str, Any]],
        exchange_id: int,
        answer_text: str,
        sources: list[Source],
    ) -> Talk:
        """The conversation with one more answered question."""
        return replace(
            self,
            shown=tuple(shown),
            pairs=(*self.pairs, ("user", question), ("assistant", answer_text)),
            turns={
                **self.turns,
                len(shown) - 1: AnsweredTurn(
                    exchange_id=exchange_id,
                    sources=tuple(sources),
                    question=question,
                    answer=answer_text,
                ),
            },
        )
