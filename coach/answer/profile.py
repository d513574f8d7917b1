"""The asker's profile: current role and preferred plan type, steering retrieval and prompt."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from coach.index.ladder import CareerRole, build_ladder
from coach.index.store import KnowledgeStore
from coach.ingest.metadata import PLAN_TYPES
from coach.personas import AUDIENCES

# Questions about the asker's own path ("what should I do next?") get the profile added to the
# search; questions about the company in general ("what is the training budget?") do not.
_PERSONAL = re.compile(r"\b(i|i'm|me|my|mine|myself|next|should i)\b", re.IGNORECASE)
# "What should I do next?", "how do I get promoted?": the asker's own next step.
_NEXT_STEP = re.compile(
    r"\b(next steps?|do next|what'?s next|next (move|role|level)|get promoted|be promoted|"
    r"move up|my career|(grow|progress)(ing)? (my|in my))\b",
    re.IGNORECASE,
)
# "What changes from CSM II to Senior CSM?", "CSM I vs CSM II", "what separates ... from ...".
_COMPARES = re.compile(
    r"\b(chang\w*|differ\w*|separates?|compare\w*|vs\.?|versus|gap|between|from\b.+\bto)\b",
    re.IGNORECASE,
)
# A role name this long, each word spelt this nearly (rapidfuzz ratio), is the role ("Senoir
# CSM"); words this short must be exact ("I" and "II" are different levels).
MISSPELT_MIN_CHARS = 8
MISSPELT_SCORE = 82  # "senoir"/"senior" 83; "consulting"/"consultant" 80 is a real word
SHORT_WORD = 3
# Without a role, a next-step question is searched as a question about the paths there are.
_PATHS = "career paths: vertical, dual and horizontal plans"


def asks_next_step(question: str) -> bool:
    """Whether the question asks about the asker's own next step."""
    return bool(_NEXT_STEP.search(question))


def asks_comparison(question: str) -> bool:
    """Whether the question compares roles ("what changes from CSM II to Senior CSM?")."""
    return bool(_COMPARES.search(question))


def named_role(question: str, roles: list[CareerRole]) -> CareerRole | None:
    """The role a question names first ("as a Senior CSM", "CSM I", "csm-2", an alias), if
    any; a near spelling of a long name counts too ("Senoir CSM")."""
    named = named_roles(question, roles)
    return named[0] if named else None


def named_roles(question: str, roles: list[CareerRole]) -> list[CareerRole]:
    """Every role the question names, in the order it names them."""
    found: list[tuple[int, int, CareerRole]] = []
    for role in roles:
        for name in role.names:
            # "CSM I" must not match inside "CSM II": whole words, longest name wins at a spot.
            pattern = r"(?<![\w-])" + re.escape(name).replace(r"\ ", r"\s+") + r"(?![\w-])"
            for match in re.finditer(pattern, question, re.IGNORECASE):
                found.append((match.start(), -len(match.group()), role))
    taken: list[tuple[int, int]] = []
    named: list[CareerRole] = []
    for start, negative_length, role in sorted(found, key=lambda hit: hit[:2]):
        end = start - negative_length
        if any(start < stop and begin < end for begin, stop in taken):
            continue  # inside a longer name found at the same place ("CSM I" in "CSM II")
        taken.append((start, end))
        if role not in named:
            named.append(role)
    if named:
        return named
    misspelt = _misspelt_role(question, roles)
    return [misspelt] if misspelt else []


def _misspelt_role(question: str, roles: list[CareerRole]) -> CareerRole | None:
    """The role whose long name the question spells nearly, word for word ("Senoir CSM");
    short words ("I", "II", "Sr") must match exactly, so levels are never confused."""
    words = [m.group().lower() for m in re.finditer(r"[\w-]+", question)]
    for start in range(len(words)):
        for role in roles:
            for name in role.names:
                wanted = name.lower().split()
                # Ids and one-word names are matched exactly only: "manager" is no role.
                if len(wanted) < 2 or len(name) < MISSPELT_MIN_CHARS:
                    continue
                run = words[start : start + len(wanted)]
                if len(run) == len(wanted) and all(map(_near, run, wanted)):
                    return role
    return None


def _near(word: str, wanted: str) -> bool:
    if len(wanted) <= SHORT_WORD:
        return word == wanted
    return fuzz.ratio(word, wanted) >= MISSPELT_SCORE


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


def ladder_roles(store: KnowledgeStore, audiences: tuple[str, ...] = AUDIENCES) -> list[CareerRole]:
    """Every role the indexed documents of these audiences define, by track and level."""
    ladder = build_ladder((meta for _, meta in store.metadatas()), audiences)
    return sorted(ladder.roles.values(), key=lambda r: (r.track, r.level, r.title))


def make_profile(roles: list[CareerRole], role_id: str = "", plan: str = "") -> Profile:
    """A profile from form values; unknown role ids and plan types are errors, not guesses."""
    by_id = {role.id: role for role in roles}
    if role_id and role_id not in by_id:
        raise ValueError(f"unknown role {role_id!r}")
    if plan and plan not in PLAN_TYPES:
        raise ValueError(f"unknown plan type {plan!r} (expected one of: {', '.join(PLAN_TYPES)})")
    return Profile(by_id.get(role_id) if role_id else None, plan)
