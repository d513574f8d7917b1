"""Who may ask, which documents they read, and how coach speaks to them: the only place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from coach.errors import ConfigError

# Who may read a document, from the narrowest audience to the widest.
Audience = Literal["public", "employee", "hr"]
AUDIENCES: tuple[str, ...] = ("public", "employee", "hr")
# The refusal's opening when the documents that answer are not open to the asker; whom to ask
# follows it.
NOT_OPEN_TO_YOU = (
    "That information isn't available to you in the company documents I can use. Please ask"
)


@dataclass(frozen=True, kw_only=True)
class Persona:
    """One kind of asker: what they may read, and how answers and refusals address them."""

    id: str
    label: str
    audiences: tuple[str, ...]  # decided here, at retrieval, never by a prompt
    whom_to_ask: str  # named when the documents do not answer
    prompt_note: str  # tells the LLM who it is talking with
    examples: tuple[str, ...]  # example questions the app offers
    # Answers for someone else (a candidate): no role or plan type of their own to set.
    speaks_for_candidates: bool = False
    manages_knowledge: bool = False  # the knowledge desk: upload, delete, re-index, gaps
    restricted_lead: str = NOT_OPEN_TO_YOU

    @property
    def has_own_plan(self) -> bool:
        """Whether the asker's own role and preferred plan type shape the answers."""
        return not self.speaks_for_candidates

    @property
    def reads_everything(self) -> bool:
        """Whether this persona may read documents of every audience."""
        return set(AUDIENCES) <= set(self.audiences)

    def may_read(self, audience: str) -> bool:
        """Whether this persona may see a document of this audience."""
        return audience in self.audiences

    def covers(self, other: Persona) -> bool:
        """Whether everything `other` may read, this persona may read too."""
        return set(other.audiences) <= set(self.audiences)


_ALL = (
    Persona(
        id="hiring_manager",
        label="Hiring manager",
        audiences=("public",),
        whom_to_ask="the People team before you answer the candidate",
        prompt_note=(
            "You are helping a hiring manager answer a job candidate's questions; anything you "
            "say may be passed on to the candidate."
        ),
        examples=(
            "How do people grow in Customer Success here?",
            "What training will a new CSM get?",
            "Can a CSM move into another team later?",
        ),
        speaks_for_candidates=True,
        restricted_lead=(
            "That isn't covered by the information we share with candidates, so I can't answer "
            "it here. Please check with"
        ),
    ),
    Persona(
        id="csm",
        label="CSM",
        audiences=("public", "employee"),
        whom_to_ask="your manager or the People team",
        prompt_note="You are talking with a Customer Success Manager, an employee of the company.",
        examples=(
            "What should I do next?",
            "What separates a CSM II from a Senior CSM?",
            "Which certification should I take next?",
            "How does a horizontal plan work?",
        ),
    ),
    Persona(
        id="hr",
        label="HR",
        audiences=("public", "employee", "hr"),
        whom_to_ask="no one yet: this may be a gap worth a new document in the knowledge base",
        prompt_note="You are talking with a member of the People (HR) team.",
        examples=(
            "What are the promotion windows?",
            "How does calibration work?",
            "What does the learning budget cover?",
        ),
        manages_knowledge=True,
    ),
)
PERSONAS: dict[str, Persona] = {persona.id: persona for persona in _ALL}  # narrowest first
PERSONA_IDS: tuple[str, ...] = tuple(PERSONAS)
DEFAULT_PERSONA = "csm"  # who asks when nobody says: the CLI's, an eval case's, the demo's
# Reads the whole ladder (warming up), and is the demo's single user, who may take every persona.
WIDEST_PERSONA = next(p.id for p in _ALL if p.reads_everything)


def persona(persona_id: str) -> Persona:
    """The persona with this id; an unknown id is an error, never a default."""
    try:
        return PERSONAS[persona_id]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown persona {persona_id!r} (expected one of: {', '.join(PERSONA_IDS)})"
        ) from None


def may_manage_knowledge(persona_id: str | None) -> bool:
    """Whether a user of this role runs the knowledge desk; no role, or an unknown one, does not."""
    found = PERSONAS.get(persona_id) if isinstance(persona_id, str) else None
    return found is not None and found.manages_knowledge


def audiences_for(persona_id: str) -> tuple[str, ...]:
    """The audiences a persona may read."""
    return persona(persona_id).audiences


# Every distinct set of audiences some persona reads, narrowest first: what a persona is told
# may depend on that set's documents only, so statistics are kept per set (one keyword index
# each), never over documents a reader may not see.
AUDIENCE_LEVELS: tuple[tuple[str, ...], ...] = tuple(
    sorted(dict.fromkeys(p.audiences for p in _ALL), key=len)
)
