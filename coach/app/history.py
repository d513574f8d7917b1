"""Conversations, feedback and saved plans in a SQL store (SQLite, or COACH_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings
from sqlalchemy import ForeignKey, String, Text, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from coach.answer.answerer import Answer
from coach.errors import StoreError, one_line

GAP_SIMILARITY = 0.75  # questions at least this alike count as one knowledge gap
GAP_WINDOW = 2000  # the most recent failed questions that HR's gap view groups
GAP_EXAMPLES = 5  # other wordings and comments shown per gap
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
    sources: Mapped[str] = mapped_column(Text)  # JSON list, as `coach ask --json` shows them
    created: Mapped[dt.datetime] = mapped_column(default=utc_now)


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
    """A question that was refused or disliked, and why."""

    question: str
    reason: str  # out_of_scope | not_found | restricted | disliked
    persona: str = ""
    comment: str = ""  # what the asker wrote with a dislike


@dataclass(frozen=True)
class Gap:
    """Questions the knowledge base failed on, grouped: what HR should write next."""

    question: str  # the most common wording
    count: int
    examples: list[str]  # the other wordings (not the common one, no repeats)
    reasons: tuple[str, ...] = ()  # why they failed, most frequent first
    personas: tuple[str, ...] = ()  # who asked
    comments: tuple[str, ...] = ()  # what dislikes said


class History:
    """Read and write exchanges and feedback; every read is scoped to one user."""

    def __init__(self, url: str) -> None:
        try:
            # Pre-ping: after a database restart or failover, no request gets a dead connection.
            self.engine = create_engine(url, pool_pre_ping=True)
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})"))
                Base.metadata.create_all(connection)
                _add_missing_columns(connection)
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
        self, user: str, conversation: str, persona: str, question: str, answer: Answer
    ) -> int:
        """Store one exchange; returns its id (what feedback refers to)."""
        row = Exchange(
            user=user,
            conversation=conversation,
            persona=persona,
            question=question.replace("\x00", ""),  # PostgreSQL text cannot hold NUL
            answer=answer.text,
            mode=answer.mode,
            refused=answer.refused,
            refusal=answer.refusal,
            sources=json.dumps([s.as_json() for s in answer.sources], ensure_ascii=False),
        )
        with self.session() as session:
            session.add(row)
            session.flush()
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
        """Questions that were refused or disliked (for HR's knowledge-gap view)."""
        return [failure.question for failure in self.failures()]

    def failures(self) -> list[Failure]:
        """The latest questions the documents did not answer, or whose answer was disliked,
        with the reason, oldest first. Off-topic redirects and refusals of restricted topics
        are the system working, not gaps in the documents."""
        with self.session() as session:
            disliked = select(Feedback.exchange_id).where(Feedback.liked.is_(False))
            # "" is an exchange recorded before reasons were: a not-found then.
            not_found = Exchange.refused & Exchange.refusal.in_(("not_found", ""))
            failed = (
                select(
                    Exchange.question,
                    Exchange.refused,
                    Exchange.refusal,
                    Exchange.persona,
                    Feedback.comment,
                )
                .join(Feedback, Feedback.exchange_id == Exchange.id, isouter=True)
                .where(not_found | Exchange.id.in_(disliked))
                .order_by(Exchange.id.desc())
                .limit(GAP_WINDOW)
            )
            rows = session.execute(failed).all()
        # Oldest first, the same on every database, so ties group the same way each time.
        return [
            Failure(
                question=question,
                reason=(refusal or "not_found") if refused else "disliked",
                persona=persona,
                comment=(comment or "").strip(),
            )
            for question, refused, refusal, persona, comment in reversed(rows)
        ]


def _add_missing_columns(connection) -> None:
    """Columns added since a database was created (create_all makes only missing tables)."""
    columns = {column["name"] for column in inspect(connection).get_columns("exchanges")}
    if "refusal" not in columns:
        connection.execute(
            text("ALTER TABLE exchanges ADD COLUMN refusal VARCHAR(16) NOT NULL DEFAULT ''")
        )


def knowledge_gaps(failures: list[Failure], embeddings: Embeddings) -> list[Gap]:
    """Group alike questions (cosine >= GAP_SIMILARITY), biggest groups first."""
    if not failures:
        return []
    questions = [f.question for f in failures]
    vectors = np.array(embeddings.embed_documents(questions))
    groups: list[list[int]] = []
    for i, vector in enumerate(vectors):
        for group in groups:
            if float(vectors[group[0]] @ vector) >= GAP_SIMILARITY:
                group.append(i)
                break
        else:
            groups.append([i])
    gaps = []
    for group in groups:
        wordings = [questions[i] for i in group]
        common = max(set(wordings), key=wordings.count)
        reasons = [failures[i].reason for i in group]
        ranked = tuple(sorted(set(reasons), key=lambda r: (-reasons.count(r), r)))
        others = {_same(w): w for w in sorted(wordings) if _same(w) != _same(common)}
        gaps.append(
            Gap(
                common,
                len(group),
                list(others.values())[:GAP_EXAMPLES],
                ranked,
                tuple(sorted({failures[i].persona for i in group if failures[i].persona})),
                tuple(dict.fromkeys(c for i in group if (c := failures[i].comment)))[:GAP_EXAMPLES],
            )
        )
    return sorted(gaps, key=lambda gap: gap.count, reverse=True)


def _same(wording: str) -> str:
    """A wording as compared: case, spacing and end punctuation aside."""
    return " ".join(wording.lower().split()).rstrip("?!. ")
