"""What a refusal says, and which questions are outside what coach covers."""

from __future__ import annotations

from coach.personas import persona as persona_of

# The topics coach covers: a question far from all of them is off topic (verdict.py).
SCOPE_TOPICS = (
    "career growth, promotions and next steps for customer success managers",
    "career ladder levels, job roles, expectations and competencies",
    "training courses, certifications and the learning budget",
    "learning and development funds: reimbursement, tuition, conferences, coaching, taxes",
    "onboarding as a new hire: first weeks, buddies, Slack channels, tools, where to ask",
    "mentoring, coaching and individual growth plans",
    "rotation programs, lateral moves and changing teams",
    "compensation, pay, performance reviews and calibration",
    "working here as a candidate: interviews, remote work, onboarding, benefits",
    "HR policies: leave, relocation, benefits, equity and stock options",
    "time off: vacation, sick days, public holidays, parental leave and sabbaticals",
    "pay and benefits: salary, bonus, commission, insurance, pension and expenses",
    "workplace policies: offices, hybrid and remote work, equipment, dress code, parking, travel",
)
OUT_OF_SCOPE = (
    "I can only help with career growth here: career paths and plan types, next steps from "
    "your role, promotions, training and certifications. Try asking, for example, "
    '"What does a CSM II need for promotion?"'
)
# A next-step question without a known role gets the general paths, and this line first.
ROLE_NOTE = (
    "*For a next step that fits you, tell me your current role: choose it in your profile, "
    'or name it in the question ("I\'m a CSM II, what should I do next?").*'
)


def not_found_text(persona: str, gap: str = "") -> str:
    """The plain 'not in the documents' answer, naming what was not found, and whom to ask."""
    # "available to you" keeps this true when the topic is in documents the persona may not read.
    found = (
        f"I found nothing about {gap} in the company documents available to you"
        if gap
        else "I couldn't find this in the company documents available to you"
    )
    return f"{found}, so I won't guess. Please ask {persona_of(persona).whom_to_ask}."


def restricted_text(persona: str) -> str:
    """The answer when the documents that answer a question are not open to this persona."""
    found = persona_of(persona)
    return f"{found.restricted_lead} {found.whom_to_ask}."
