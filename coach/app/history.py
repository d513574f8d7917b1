"""Conversations, feedback and saved plans in a SQL store (SQLite, or COACH_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from coach.answer.answerer import Answer
from coach.answer.offline import WEAK_LEAD
from coach.errors import StoreError, one_line

GAP_WINDOW = 2000  # the most recent failed questions that HR's gap view groups
TITLE_CHARS = 60  # a conversation's first title: its first question, this long at most
SCHEMA_LOCK = 7243  # PostgreSQL advisory lock id: replicas starting together create tables in turn


def utc_now() -> dt.datetime:
    """Naive UTC: a zone-less column keeps it as is (PostgreSQL would shift an aware time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """The tables' common base."""


class Exchange(Base):
    """One question and its answer, in one user's conversation."""

    __tablename__ = "exchanges"
    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    conversation: Mapped[str] = mapped_column(String(64), index=True)
    persona: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16))
    refused: Mapped[bool]
    # Why it was refused (out_of_scope, not_found, restricted): for HR's eyes only.
    refusal: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # What a refusal said the documents do not mention ("parental leave"): HR's gap subject.
    missing: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # How close the quoted lead was to the question; a weak one is a gap too (None: not quoted).
    lead_match: Mapped[float | None] = mapped_column(Float, nullable=True)
    sources: Mapped[str] = mapped_column(Text)  # JSON list, as `coach ask --json` shows them
    # Asked again (regenerated, or edited and resent): the page no longer shows it, HR still does.
    replaced: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created: Mapped[dt.datetime] = mapped_column(default=utc_now)


class ConversationRow(Base):
    """One user's conversation as their list shows it: a title, latest activity first."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("user", "conversation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    conversation: Mapped[str] = mapped_column(String(64))
    persona: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated: Mapped[dt.datetime] = mapped_column(default=utc_now)


class ProfileRow(Base):
    """What a user last chose, so a reload (or another device) starts where they left off."""

    __tablename__ = "profiles"
    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    persona: Mapped[str] = mapped_column(String(32), default="")
    role_id: Mapped[str] = mapped_column(String(128), default="")
    plan_type: Mapped[str] = mapped_column(String(16), default="")
    open_conversation: Mapped[str] = mapped_column(String(64), default="")


class Feedback(Base):
    """A like or dislike of one exchange, with an optional comment."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchanges.id"), unique=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    liked: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[dt.datetime] = mapped_column(default=utc_now)


class SavedPlan(Base):
    """One career plan a user saved, as it read then (coach/app/plan_store.py reads it)."""

    __tablename__ = "saved_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    persona: Mapped[str] = mapped_column(String(32))
    role_id: Mapped[str] = mapped_column(String(128))
    plan_type: Mapped[str] = mapped_column(String(16), default="")
    target: Mapped[str] = mapped_column(String(128), default="")
    markdown: Mapped[str] = mapped_column(Text)
    claims: Mapped[str] = mapped_column(Text)  # JSON [[text, path], ...]
    versions: Mapped[str] = mapped_column(Text)  # JSON {path: source hash}
    created: Mapped[dt.datetime] = mapped_column(default=utc_now)


@dataclass(frozen=True, kw_only=True)
class Failure:
    """A question that was refused, disliked or answered with a weak lead, and why."""

    question: str
    reason: str  # not_found | disliked | weak_lead
    persona: str = ""
    comment: str = ""  # what the asker wrote with a dislike
    missing: str = ""  # what the refusal said the documents do not mention


class History:
    """Read and write exchanges and feedback; every read is scoped to one user."""

    def __init__(self, url: str) -> None:
        try:
            # Pre-ping: after a database restart or failover, no request gets a dead connection.
            self.engine = create_engine(url, pool_pre_ping=True)
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))
                listed = inspect(connection).has_table(ConversationRow.__tablename__)
                Base.metadata.create_all(connection)
                _add_missing_columns(connection)
                if not listed:
                    _list_old_conversations(connection)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database: {one_line(exc)}") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self, integrity_passes: bool = False) -> Iterator[Session]:
        """One transaction; database errors become one-line StoreErrors."""
        try:
            with self.sessions.begin() as session:
                yield session
        except IntegrityError:
            if integrity_passes:
                raise
            raise StoreError("database error: a conflicting write, please try again") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {one_line(exc)}") from None

    def record(
        self,
        user: str,
        conversation: str,
        persona: str,
        question: str,
        answer: Answer,
        listed: bool = True,
    ) -> int:
        """Store one exchange; returns its id (what feedback refers to). A listed conversation
        (an API call's is not) goes to the top of the user's list, titled by its first question."""
        question = question.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        row = Exchange(
            user=user,
            conversation=conversation,
            persona=persona,
            question=question,
            answer=answer.text,
            mode=answer.mode,
            refused=answer.refused,
            refusal=answer.refusal,
            missing=answer.gap[:200],
            lead_match=answer.lead_match,
            # With each passage's text: a reopened conversation shows what was cited then.
            sources=json.dumps([s.to_row() for s in answer.sources], ensure_ascii=False),
        )
        with self.session() as session:
            session.add(row)
            session.flush()
            if listed:
                _touch(session, user, conversation, persona, question, row.created)
            return row.id

    def feedback(
        self, user: str, exchange_id: int, liked: bool, comment: str | None = None
    ) -> None:
        """Like or dislike one of the user's own exchanges; a second rating replaces the first.

        `comment=None` keeps the comment already given, so a changed mind keeps its reason.
        """
        try:
            self._rate(user, exchange_id, liked, comment)
        except IntegrityError:  # another request inserted the rating first: update that one
            try:
                self._rate(user, exchange_id, liked, comment)
            except IntegrityError:
                raise StoreError("database error: a conflicting rating, please try again") from None

    def _rate(self, user: str, exchange_id: int, liked: bool, comment: str | None) -> None:
        with self.session(integrity_passes=True) as session:
            # Row-locked where the database can: two replicas rating at once wait in turn; the
            # unique exchange_id catches the rest.
            row = self._own_rating(session, user, exchange_id, lock=True)
            if row is None:
                row = Feedback(exchange_id=exchange_id, user=user, comment="")
                session.add(row)
            row.liked = liked
            if comment is not None:
                row.comment = comment.strip()

    def unrate(self, user: str, exchange_id: int) -> None:
        """Take back a rating of one of the user's own exchanges (the thumb clicked again)."""
        with self.session() as session:
            row = self._own_rating(session, user, exchange_id, lock=True)
            if row is not None:
                session.delete(row)

    @staticmethod
    def _own_rating(session: Session, user: str, exchange_id: int, lock: bool) -> Feedback | None:
        exchange = session.get(Exchange, exchange_id, with_for_update=lock)
        if exchange is None or exchange.user != user:
            raise StoreError("no such answer in your conversations")
        return session.scalars(select(Feedback).where(Feedback.exchange_id == exchange_id)).first()

    def ratings(self, user: str, conversation: str) -> dict[int, Feedback]:
        """The user's feedback on one conversation, by exchange id."""
        with self.session() as session:
            query = (
                select(Feedback)
                .join(Exchange)
                .where(Exchange.user == user, Exchange.conversation == conversation)
            )
            return {row.exchange_id: row for row in session.scalars(query)}

    def conversation(self, user: str, conversation: str) -> list[Exchange]:
        """One conversation of one user, oldest first."""
        with self.session() as session:
            query = (
                select(Exchange)
                .where(Exchange.user == user, Exchange.conversation == conversation)
                .order_by(Exchange.id)
            )
            return list(session.scalars(query))

    def failed_questions(self) -> list[str]:
        """Questions that were refused, disliked or weakly answered (HR's knowledge-gap view)."""
        return [failure.question for failure in self.failures()]

    def failures(self) -> list[Failure]:
        """The latest questions the documents did not answer, whose answer was disliked, or
        whose quoted lead matched weakly, with the reason, oldest first. Off-topic redirects
        and refusals of restricted topics are the system working, not gaps in the documents."""
        with self.session() as session:
            disliked = select(Feedback.exchange_id).where(Feedback.liked.is_(False))
            # "" is an exchange recorded before reasons were: a not-found then.
            not_found = Exchange.refused & Exchange.refusal.in_(("not_found", ""))
            # A liked answer was right, however weakly its lead matched.
            weak = (
                ~Exchange.refused
                & (Exchange.lead_match < WEAK_LEAD)
                & Feedback.liked.is_not(True)
            )
            failed = (
                select(
                    Exchange.question,
                    Exchange.refused,
                    Exchange.refusal,
                    Exchange.missing,
                    Exchange.persona,
                    Feedback.liked,
                    Feedback.comment,
                )
                .join(Feedback, Feedback.exchange_id == Exchange.id, isouter=True)
                .where(not_found | Exchange.id.in_(disliked) | weak)
                .order_by(Exchange.id.desc())
                .limit(GAP_WINDOW)
            )
            rows = session.execute(failed).all()
        # Oldest first, the same on every database, so ties group the same way each time.
        return [
            Failure(
                question=question,
                reason=_failure_reason(refused, refusal, liked),
                persona=persona,
                comment=(comment or "").strip(),
                missing=missing,
            )
            for question, refused, refusal, missing, persona, liked, comment in reversed(rows)
        ]


def _failure_reason(refused: bool, refusal: str, liked: bool | None) -> str:
    """Why an exchange is a gap: refused, disliked, or else its lead matched weakly."""
    if refused:
        return refusal or "not_found"
    return "disliked" if liked is False else "weak_lead"


def _add_missing_columns(connection) -> None:
    """Columns added since a database was created (create_all makes only missing tables)."""
    columns = {column["name"] for column in inspect(connection).get_columns("exchanges")}
    if "refusal" not in columns:
        connection.execute(
            text("ALTER TABLE exchanges ADD COLUMN refusal VARCHAR(16) NOT NULL DEFAULT ''")
        )
    if "replaced" not in columns:
        connection.execute(
            text("ALTER TABLE exchanges ADD COLUMN replaced BOOLEAN NOT NULL DEFAULT false")
        )
    if "missing" not in columns:
        connection.execute(
            text("ALTER TABLE exchanges ADD COLUMN missing VARCHAR(200) NOT NULL DEFAULT ''")
        )
    if "lead_match" not in columns:
        connection.execute(text("ALTER TABLE exchanges ADD COLUMN lead_match FLOAT"))


def title_of(question: str) -> str:
    """A conversation's first title: its first question on one line, cut at a word."""
    flat = " ".join(question.split())
    if len(flat) <= TITLE_CHARS:
        return flat
    return flat[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def _touch(
    session: Session, user: str, conversation: str, persona: str, question: str, when: dt.datetime
) -> None:
    """Move a conversation to the top of its owner's list (listing it at its first question)."""
    listed = session.scalars(
        select(ConversationRow).where(
            ConversationRow.user == user, ConversationRow.conversation == conversation
        )
    ).first()
    if listed is None:
        session.add(
            ConversationRow(
                user=user,
                conversation=conversation,
                persona=persona,
                title=title_of(question),
                created=when,
                updated=when,
            )
        )
    else:
        listed.updated = when


def _list_old_conversations(connection) -> None:
    """List the conversations a database held before it had a conversations table."""
    spans = (
        select(func.min(Exchange.id).label("first"), func.max(Exchange.created).label("last"))
        .where(~Exchange.conversation.startswith("api-"))
        .group_by(Exchange.user, Exchange.conversation)
        .subquery()
    )
    rows = connection.execute(
        select(
            Exchange.user,
            Exchange.conversation,
            Exchange.persona,
            Exchange.question,
            Exchange.created,
            spans.c.last,
        ).join(spans, Exchange.id == spans.c.first)
    ).all()
    if rows:
        connection.execute(
            ConversationRow.__table__.insert(),
            [
                {
                    "user": user,
                    "conversation": conversation,
                    "persona": persona,
                    "title": title_of(question),
                    "created": created,
                    "updated": last,
                }
                for user, conversation, persona, question, created, last in rows
            ],
        )
