"""The asker's profile: current role and preferred plan type, steering retrieval and prompt."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.index.store import KnowledgeStore
from coach.ingest.metadata import PLAN_TYPES

# Questions about the asker's own path ("what should I do next?") get the profile added to the
# search; questions about the company in general ("what is the training budget?") do not.
_PERSONAL = re.compile(r"\b(i|i'm|me|my|mine|myself|next|should i)\b", re.IGNORECASE)
# "What should I do next?", "how do I get promoted?": the asker's own next step.
_NEXT_STEP = re.compile(
    r"\b(next steps?|do next|what'?s next|next (move|role|level)|get promoted|be promoted|"
    r"move up|my career|(grow|progress)(ing)? (my|in my))\b",
    re.IGNORECASE,
)
# Without a role, a next-step question is searched as a question about the paths there are.
_PATHS = "career paths: vertical, dual and horizontal plans"


def asks_next_step(question: str) -> bool:
    """Whether the question asks about the asker's own next step."""
    return bool(_NEXT_STEP.search(question))


@dataclass(frozen=True)
class Role:
    """One rung of the ladder, as its document's front matter names it."""

    role_id: str
    title: str
    path: str  # the role's own document, searched first for personal questions
    audience: str = "employee"
    track: str = ""
    level: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """How people write this role: its title, its id and the usual short form ("CSM II")."""
        short = self.title.replace("Customer Success Manager", "CSM")
        short = short.replace("Customer Success", "CS")
        return tuple(dict.fromkeys((self.title, short, self.role_id)))


def named_role(question: str, roles: list[Role]) -> Role | None:
    """The role a question names first ("as a Senior CSM", "CSM I", "csm-2"), if any."""
    found: list[tuple[int, int, Role]] = []
    for role in roles:
        for name in role.names:
            # "CSM I" must not match inside "CSM II": whole words, longest name wins at a spot.
            pattern = r"(?<![\w-])" + re.escape(name).replace(r"\ ", r"\s+") + r"(?![\w-])"
            for match in re.finditer(pattern, question, re.IGNORECASE):
                found.append((match.start(), -len(match.group()), role))
    return min(found, key=lambda hit: hit[:2])[2] if found else None


@dataclass(frozen=True)
class Profile:
    """Who is asking: a role (or None) and a preferred plan type (or "")."""

    role: Role | None = None
    plan: str = ""
    named: bool = False  # the role was named in the question, not chosen in the profile

    def __bool__(self) -> bool:
        return self.role is not None or bool(self.plan)

    def about(self) -> str:
        """The profile in the asker's own words, for the prompt."""
        parts = []
        if self.role:
            parts.append(f"I am currently a {self.role.title} (role id {self.role.role_id}).")
        if self.plan:
            parts.append(f"I prefer a {self.plan} career plan.")
        return " ".join(parts)

    def focus(self, question: str) -> str:
        """The document to search first: the role's page, for a personal question or when the
        question names the role."""
        if self.role and (self.named or _PERSONAL.search(question)):
            return self.role.path
        return ""

    def steer(self, question: str) -> str:
        """The search query: a personal question gets the role and plan type added."""
        if not self.role and asks_next_step(question):
            return f"{question} ({_PATHS})"
        if not self or not _PERSONAL.search(question):
            return question
        extra = [f"as a {self.role.title}"] if self.role and not self.named else []
        extra += [f"{self.plan} career plan"] if self.plan else []
        return f"{question} ({', '.join(extra)})" if extra else question


NO_PROFILE = Profile()


def ladder_roles(store: KnowledgeStore) -> list[Role]:
    """Every role the indexed documents define, by track and level."""
    roles: dict[str, Role] = {}
    for _, meta in store.metadatas():
        role_id = meta.get("role_id")
        if role_id and role_id not in roles:
            title = meta.get("title", role_id)
            roles[role_id] = Role(
                role_id,
                title,
                meta["path"],
                meta.get("audience", "employee"),
                meta.get("track", ""),
                meta.get("level", 0),
            )
    return sorted(roles.values(), key=lambda r: (r.track, r.level, r.title))


def make_profile(roles: list[Role], role_id: str = "", plan: str = "") -> Profile:
    """A profile from form values; unknown role ids and plan types are errors, not guesses."""
    by_id = {role.role_id: role for role in roles}
    if role_id and role_id not in by_id:
        raise ValueError(f"unknown role {role_id!r}")
    if plan and plan not in PLAN_TYPES:
        raise ValueError(f"unknown plan type {plan!r} (expected one of: {', '.join(PLAN_TYPES)})")
    return Profile(by_id.get(role_id) if role_id else None, plan)
