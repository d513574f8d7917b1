"""Saved plans in the app's SQL store: what each claim said and the document versions behind it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select

from coach.app.history import History, SavedPlan
from coach.errors import StoreError

MAX_SAVED = 200  # plans listed per user, newest first


@dataclass(frozen=True)
class PlanRequest:
    """What a plan is built from: the asker's persona, role, plan type and target."""

    persona: str
    role_id: str
    plan_type: str = ""
    target: str = ""


@dataclass(frozen=True)
class SavedRecord:
    """A saved plan read back."""

    id: int
    request: PlanRequest
    markdown: str
    claims: tuple[tuple[str, str], ...]  # (claim, document path)
    versions: dict[str, str]  # document path -> source hash when saved
    created: dt.datetime

    @property
    def label(self) -> str:
        """How the saved-plans list names it."""
        kind = self.request.plan_type or "all plan types"
        target = f" -> {self.request.target}" if self.request.target else ""
        return f"{self.created:%Y-%m-%d %H:%M} · {self.request.role_id}{target} ({kind})"


class PlanStore:
    """Save and read plans; every read is scoped to one user."""

    def __init__(self, history: History) -> None:
        self.history = history  # its engine created the table with the others

    def save(
        self,
        user: str,
        request: PlanRequest,
        markdown: str,
        claims: list[tuple[str, str]],
        versions: dict[str, str],
    ) -> int:
        """Store a plan; returns its id."""
        row = SavedPlan(
            user=user,
            persona=request.persona,
            role_id=request.role_id,
            plan_type=request.plan_type,
            target=request.target,
            markdown=markdown,
            claims=json.dumps(claims),
            versions=json.dumps(versions),
        )
        with self.history.session() as session:
            session.add(row)
            session.flush()
            return row.id

    def mine(self, user: str) -> list[SavedRecord]:
        """The user's saved plans, newest first."""
        with self.history.session() as session:
            rows = session.scalars(
                select(SavedPlan)
                .where(SavedPlan.user == user)
                .order_by(SavedPlan.id.desc())
                .limit(MAX_SAVED)
            ).all()
            return [_record(row) for row in rows]

    def get(self, user: str, plan_id: int) -> SavedRecord:
        """One of the user's saved plans; another user's is as unknown as a missing one."""
        with self.history.session() as session:
            row = session.get(SavedPlan, plan_id)
            if row is None or row.user != user:
                raise StoreError("no such saved plan")
            return _record(row)


def _record(row: SavedPlan) -> SavedRecord:
    return SavedRecord(
        id=row.id,
        request=PlanRequest(row.persona, row.role_id, row.plan_type, row.target),
        markdown=row.markdown,
        claims=tuple((text, path) for text, path in json.loads(row.claims)),
        versions=json.loads(row.versions),
        created=row.created,
    )
