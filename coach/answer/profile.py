"""The asker's profile: current role and preferred plan type, steering retrieval and prompt."""

from __future__ import annotations

from dataclasses import dataclass

from coach.answer.question import Question, Wants
from coach.index.ladder import CareerRole
from coach.ingest.metadata import PLAN_TYPES

# Without a role, a next-step question is searched as a question about the paths there are.
_PATHS = "career paths: vertical, dual and horizontal plans"


@dataclass(frozen=True)
class Profile:
    """Who is asking: a role (or None) and a preferred plan type (or "")."""

    role: CareerRole | None = None
    plan: str = ""
    named: bool = False  # the role was named in the question, not chosen in the profile

    def __bool__(self) -> bool:
        return self.role is not None or bool(self.plan)

    def about(self) -> str:
        """The profile in the asker's own words, for the prompt."""
        parts = []
        if self.role:
            parts.append(f"I am currently a {self.role.title} (role id {self.role.id}).")
        if self.plan:
            parts.append(f"I prefer a {self.plan} career plan.")
        return " ".join(parts)

    def focus(self, question: Question) -> str:
        """The document to search first: the role's page, for a personal question or when the
        question names the role."""
        if self.role and (self.named or question.personal):
            return self.role.path
        return ""

    def steer(self, question: Question) -> str:
        """The search query: a personal question gets the role and plan type added."""
        if not self.role and question.asks(Wants.NEXT_STEP):
            return f"{question.text} ({_PATHS})"
        if not self or not question.personal:
            return question.text
        extra = [f"as a {self.role.title}"] if self.role and not self.named else []
        extra += [f"{self.plan} career plan"] if self.plan else []
        return f"{question.text} ({', '.join(extra)})" if extra else question.text


NO_PROFILE = Profile()


def make_profile(roles: list[CareerRole], role_id: str = "", plan: str = "") -> Profile:
    """A profile from form values; unknown role ids and plan types are errors, not guesses."""
    by_id = {role.id: role for role in roles}
    if role_id and role_id not in by_id:
        raise ValueError(f"unknown role {role_id!r}")
    if plan and plan not in PLAN_TYPES:
        raise ValueError(f"unknown plan type {plan!r} (expected one of: {', '.join(PLAN_TYPES)})")
    return Profile(by_id.get(role_id) if role_id else None, plan)
