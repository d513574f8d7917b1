"""Whether to answer: one verdict, its checks in a fixed order, its refusal text chosen here."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from coach.answer.offline import Quoting
from coach.answer.question import Question, Wants
from coach.answer.refusals import OUT_OF_SCOPE, not_found_text, restricted_text

# Below this cosine similarity no passage is even about the question. Whether one answers it is
# decided later, part by part (offline.MIN_SUPPORT) and by the words it asks about.
MIN_RELEVANCE = 0.25
# Below this similarity to every topic coach covers, a question the documents do not answer is
# outside career growth (a redirect), not a gap in the documents.
MIN_SCOPE = 0.25
# Below this, a question is off-topic even when it uses the documents' words ("Tell me a joke
# about Kubernetes"). Answerable golden and held-out questions all score 0.175 or more.
OFF_TOPIC = 0.14
# ... unless a passage is this close to it: then it asks about the documents, in words far from
# career growth ("until when can I drop an account without it hitting my NRR?", 0.66). Off-topic
# golden questions come to 0.46 at most ("Tell me a joke about Kubernetes").
ABOUT_THE_DOCUMENTS = 0.55
_PERCENT = re.compile(r"\d\s*%|\d\s*per ?cent\b", re.I)
# What a model writes when the passages do not answer (the prompt asks it to say so).
_MODEL_DECLINES = (
    "couldn't find",
    "could not find",
    "do not contain",
    "don't contain",
    "not covered",
    "outside what",
)


class Reason(enum.Enum):
    """Why a question is refused."""

    OFF_TOPIC = "outside what coach covers"
    NOT_COVERED = "asks about something no document open to the asker mentions"
    NO_CLOSE_PASSAGE = "no passage open to the asker is close to the question"
    NO_ANSWERING_PART = "no part of the passages found answers it well enough"
    NO_PERCENTAGE = "asks for a percentage the passage quoted first does not state"
    NO_AMOUNT = "asks for an amount of money the passage quoted first does not state"
    NOT_SAID = "a rare word it asks about is not in the answer"
    MODEL_DECLINED = "the model said the passages do not answer it"
    # For HR's records only: the asker reads the refusal their own documents give.
    RESTRICTED = "only documents the asker may not read cover it"

    @property
    def recorded(self) -> str:
        """The reason as an exchange records it (HR's gap view counts "not_found")."""
        if self is Reason.OFF_TOPIC:
            return "out_of_scope"
        if self is Reason.RESTRICTED:
            return "restricted"
        return "" if self is Reason.MODEL_DECLINED else "not_found"


@dataclass(frozen=True)
class Evidence:
    """What the verdict is decided from: all of it from the documents the asker may read."""

    question: Question  # measured against the asker's documents
    best: float  # the best passage's similarity to the question
    scope: float  # the question's similarity to the topics coach covers
    said: str | None = None  # the text the answer would say from (None: not written yet)
    quoting: Quoting | None = None  # offline: what the quoting step found


@dataclass(frozen=True)
class Verdict:
    """Answer (no reason), or a refusal with its reason and what the documents do not mention."""

    reason: Reason | None = None
    gap: str = ""  # named in the refusal: "sick days"
    told: Reason | None = None  # a restricted refusal reads as this reason's refusal

    @property
    def refused(self) -> bool:
        """Whether the question is refused."""
        return self.reason is not None

    def text(self, persona: str, tell_restricted: bool = False) -> str:
        """What the asker reads: chosen from the reason here and nowhere else."""
        reason = self.reason
        if reason is Reason.RESTRICTED:
            if tell_restricted:  # HR's opt-in: it tells the asker a hidden page covers it
                return restricted_text(persona)
            reason = self.told
        if reason is Reason.OFF_TOPIC:
            return OUT_OF_SCOPE
        return not_found_text(persona, self.gap)

    def restricted(self) -> Verdict:
        """The same refusal, recorded as one only hidden documents could answer."""
        if self.reason is None or self.reason.recorded != "not_found":
            return self
        return Verdict(Reason.RESTRICTED, self.gap, told=self.reason)


ANSWER = Verdict()


def verdict(evidence: Evidence) -> Verdict:
    """Answer or refuse, checked in this order; a check whose evidence is not there yet passes."""
    question, lookup = evidence.question, evidence.question.lookup
    doubtful = evidence.best < MIN_RELEVANCE or bool(lookup.missing)
    off_topic = evidence.scope < OFF_TOPIC and evidence.best < ABOUT_THE_DOCUMENTS
    if off_topic or (doubtful and evidence.scope < MIN_SCOPE):
        return Verdict(Reason.OFF_TOPIC)
    if lookup.missing:
        return Verdict(Reason.NOT_COVERED, lookup.gap())
    if evidence.best < MIN_RELEVANCE:
        return Verdict(Reason.NO_CLOSE_PASSAGE)
    quoting = evidence.quoting
    if quoting is not None and quoting.text is None:
        return Verdict(Reason.NO_ANSWERING_PART)
    # However close its topic ("pay range" for "how big a raise, in percent?").
    unstated = quoting is not None and not _PERCENT.search(quoting.lead)
    if unstated and question.asks(Wants.PERCENTAGE):
        return Verdict(Reason.NO_PERCENTAGE)
    # "How much does a Senior CSM earn?" is not answered by "30 months in level".
    kind = question.answer_kind
    unpaid = quoting is not None and kind is not None and not kind.held_by(quoting.lead)
    if unpaid and question.asks(Wants.MONEY):
        return Verdict(Reason.NO_AMOUNT, "that amount")
    if evidence.said is not None and (missed := lookup.uncovered(evidence.said)):
        return Verdict(Reason.NOT_SAID, lookup.gap(missed))
    return ANSWER


def model_declined(text: str) -> bool:
    """Whether a model's answer says the passages do not answer the question."""
    lowered = text.lower()
    return any(phrase in lowered for phrase in _MODEL_DECLINES)
