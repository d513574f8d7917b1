"""Which questions the career engine answers: a personal next step, two roles compared, or
what it takes to become a role (the promotion into it, from the level before)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.answer.profile import Profile
from coach.answer.question import Question, Wants
from coach.index.ladder import CareerRole


@dataclass(frozen=True)
class PlanRequest:
    """What the career engine is asked for: a role's plan, toward a target or not."""

    role_id: str
    plan: str = ""  # plan type ("" = every type the role offers)
    target_id: str = ""  # "" = the role's own next steps
    requirements_first: bool = False  # lead with what the move asks for


def plan_request(
    question: Question, profile: Profile, roles: list[CareerRole]
) -> PlanRequest | None:
    """The career engine's part of a question, if it has one (None: answer from passages)."""
    named = question.roles
    if len(named) >= 2 and question.asks(Wants.COMPARISON):
        return PlanRequest(named[0].id, target_id=named[1].id)
    target = named[0] if len(named) == 1 and names_as_target(question.text, named[0]) else None
    if target is not None and question.asks(Wants.REQUIREMENT):
        before = promoted_from(target, roles) or moved_from(target, roles, profile.role)
        if before is not None:
            return PlanRequest(before.id, target_id=target.id, requirements_first=True)
    role = named[0] if named else profile.role
    if role is not None and question.asks(Wants.NEXT_STEP):
        return PlanRequest(role.id, plan=profile.plan)
    return None


def names_as_target(question: str, role: CareerRole) -> bool:
    """Whether the question names the role as where to go ("to become a Senior CSM", "for
    Senior CSM", "promoted to Principal"), not as who is asking ("I'm a CSM I")."""
    return any(
        re.search(
            rf"\b(?:to|for|become|becoming|into)\s+(?:an?\s+|the\s+)?{re.escape(name)}(?![\w-])",
            question,
            re.IGNORECASE,
        )
        for name in role.names
    )


def promoted_from(target: CareerRole, roles: list[CareerRole]) -> CareerRole | None:
    """The role whose next step up is the target: "what do I need for Senior CSM?" asks what
    CSM II's promotion asks for."""
    return next((r for r in roles if target.id in r.next_roles), None)


def moved_from(
    target: CareerRole, roles: list[CareerRole], own: CareerRole | None
) -> CareerRole | None:
    """Where a move into a role no one is promoted into starts: the asker's own role when it
    moves there, else the lowest level that does ("what do I need to become a Solutions
    Consultant?" asks what the lateral move from Senior CSM asks for)."""
    starts = [r for r in roles if target.id in (*r.lateral_moves, *r.dual_roles)]
    if own is not None and own in starts:
        return own
    return min(starts, key=lambda r: r.level, default=None)
