"""Each user's conversations and profile in the app's SQL store: list, rename, delete, reopen."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from coach.answer.answerer import Answer
from coach.answer.retrieve import Source
from coach.app.history import ConversationRow, Exchange, Feedback, History, ProfileRow
from coach.errors import CoachError, StoreError

MAX_LISTED = 100  # conversations in the list, latest activity first
MAX_TITLE = 120  # characters a renamed title may have


@dataclass(frozen=True)
class Listed:
    """One conversation as the list shows it."""

    conversation: str
    title: str
    persona: str
    updated: dt.datetime


@dataclass(frozen=True)
class Remembered:
    """What a user last chose: their persona, role, plan type and open conversation."""

    persona: str = ""
    role_id: str = ""
    plan_type: str = ""
    open_conversation: str = ""


@dataclass(frozen=True)
class Reread:
    """One stored exchange read back: the question and the answer as it was shown then."""

    exchange_id: int
    persona: str
    question: str
    answer: Answer


class Conversations:
    """The conversation list and the remembered profile; every call is scoped to one user."""

    def __init__(self, history: History) -> None:
        self.history = history  # its engine created the tables with the others

    def listed(self, user: str) -> list[Listed]:
        """The user's conversations, latest activity first."""
        with self.history.session() as session:
            rows = session.scalars(
                select(ConversationRow)
                .where(ConversationRow.user == user)
                .order_by(ConversationRow.updated.desc(), ConversationRow.id.desc())
                .limit(MAX_LISTED)
            ).all()
            return [Listed(r.conversation, r.title, r.persona, r.updated) for r in rows]

    def rename(self, user: str, conversation: str, title: str) -> str:
        """Give one of the user's conversations a new title; returns it as stored."""
        if not isinstance(title, str) or not title.strip():
            raise CoachError("a title cannot be empty: type one, then press Rename")
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            raise CoachError(f"a title has at most {MAX_TITLE} characters ({len(title)} typed)")
        with self.history.session() as session:
            self._own(session, user, conversation).title = title
        return title

    def delete(self, user: str, conversation: str) -> None:
        """Delete one of the user's conversations: its questions, answers and ratings."""
        with self.history.session() as session:
            session.delete(self._own(session, user, conversation))
            mine = select(Exchange.id).where(
                Exchange.user == user, Exchange.conversation == conversation
            )
            session.execute(delete(Feedback).where(Feedback.exchange_id.in_(mine)))
            session.execute(
                delete(Exchange).where(Exchange.user == user, Exchange.conversation == conversation)
            )
            profile = session.get(ProfileRow, user)
            if profile is not None and profile.open_conversation == conversation:
                profile.open_conversation = ""

    def reread(self, user: str, conversation: str) -> list[Reread]:
        """One of the user's conversations as the page last showed it, oldest first, with each
        answer's sources (questions asked again show once, with their latest answer)."""
        return [
            Reread(e.id, e.persona, e.question, _answer_of(e))
            for e in self.history.conversation(user, conversation)
            if not e.replaced
        ]

    def set_aside(self, user: str, exchange_ids: list[int]) -> None:
        """Mark the user's exchanges as asked again: reopening no longer shows them."""
        if not exchange_ids:
            return
        with self.history.session() as session:
            session.execute(
                update(Exchange)
                .where(Exchange.user == user, Exchange.id.in_(exchange_ids))
                .values(replaced=True)
            )

    def remembered(self, user: str) -> Remembered:
        """The user's last choices (all empty for someone new)."""
        with self.history.session() as session:
            row = session.get(ProfileRow, user)
            if row is None:
                return Remembered()
            return Remembered(row.persona, row.role_id, row.plan_type, row.open_conversation)

    def remember(self, user: str, choices: Remembered) -> None:
        """Keep the user's latest choices. A new user's first two choices may arrive at once
        (the persona and the plan type): the one that finds the row already made updates it."""
        try:
            self._remember(user, choices)
        except IntegrityError:
            self._remember(user, choices)

    def _remember(self, user: str, choices: Remembered) -> None:
        with self.history.session(integrity_passes=True) as session:
            row = session.get(ProfileRow, user, with_for_update=True)
            if row is None:
                row = ProfileRow(user=user)
                session.add(row)
            row.persona = choices.persona
            row.role_id = choices.role_id
            row.plan_type = choices.plan_type
            row.open_conversation = choices.open_conversation

    @staticmethod
    def _own(session, user: str, conversation: str) -> ConversationRow:
        """The user's listed conversation; another user's is as unknown as a missing one."""
        row = session.scalars(
            select(ConversationRow).where(
                ConversationRow.user == user, ConversationRow.conversation == conversation
            )
        ).first()
        if row is None:
            raise StoreError("no such conversation in your list")
        return row


def _answer_of(exchange: Exchange) -> Answer:
    """A stored answer with its sources as they were cited (text kept since answers store it;
    an older answer's passages show their snippet)."""
    sources = [Source.from_row(s) for s in json.loads(exchange.sources)]
    return Answer(
        text=exchange.answer, mode=exchange.mode, refused=exchange.refused, sources=sources
    )
