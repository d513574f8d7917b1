"""Answer stage: condense, retrieve, then an LLM (LCEL) or the offline quoted answer; cited."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import Runnable

from coach.answer.answerability import look_up
from coach.answer.career_questions import PlanRequest, plan_request
from coach.answer.citations import CitationStream, Numbering, cited_numbers
from coach.answer.followup import offline_standalone
from coach.answer.offline import Quoting, quoted_answer
from coach.answer.profile import NO_PROFILE, Profile
from coach.answer.prompts import load_prompt
from coach.answer.question import Question, Wants, parse
from coach.answer.refusals import ROLE_NOTE, SCOPE_TOPICS
from coach.answer.restricted import labelled
from coach.answer.retrieve import Retrieval, Retriever, Source
from coach.answer.stream import TextStream
from coach.answer.verdict import ANSWER, Evidence, Verdict, model_declined, verdict
from coach.answer.warm import Answering, WarmReport, warm_passages
from coach.config import Settings
from coach.errors import LLMReplyError
from coach.index.keeper import IndexKeeper
from coach.llm.factory import llm_failure
from coach.llm.failures import CHARS_PER_TOKEN
from coach.personas import DEFAULT_PERSONA, audiences_for
from coach.personas import persona as persona_of

log = logging.getLogger(__name__)

# The career stage's answer to a question it takes (career_questions.py), for a persona:
# (text, cited sources), or None when the ladder has no plan for it.
Planner = Callable[[PlanRequest, str], "tuple[str, list[Source]] | None"]


@dataclass(kw_only=True)
class Answer:
    """A finished answer with the sources it may cite."""

    text: str
    mode: str  # "offline" | "llm"
    refused: bool
    sources: list[Source] = field(default_factory=list)
    notice: str = ""  # why LLM mode fell back, shown as one line
    question: str = ""  # the standalone question that was retrieved for
    # Why it was refused (out_of_scope | not_found | restricted): recorded for HR, never shown,
    # since "restricted" would tell a CSM or a candidate that an HR-only document exists.
    refusal: str = ""
    gap: str = ""  # what a refusal says the documents do not mention ("parental leave"), for HR
    # How close the quoted lead is to the question (offline.Quoting.lead_match); None when no
    # passage was quoted (a refusal, the career engine, an LLM's own words).
    lead_match: float | None = None

    @property
    def cited_sources(self) -> list[Source]:
        """The sources the text cites (all of them if it cites none, as a small LLM may not)."""
        cited_ids = cited_numbers(self.text)
        cited = [source for source in self.sources if source.n in cited_ids]
        return cited or list(self.sources)

    def as_json(self) -> dict[str, Any]:
        """The object `coach ask --json` prints."""
        shown: dict[str, Any] = {
            "answer": self.text,
            "mode": self.mode,
            "refused": self.refused,
            "sources": [source.as_json() for source in self.sources],
        }
        if self.notice:
            shown["notice"] = self.notice
        return shown


def format_sources(sources: Sequence[Source]) -> str:
    """Numbered passages for the prompt."""
    return "\n\n".join(f"{s.cite()}\n{s.text}" for s in sources)


def answer_inputs(
    question: str, sources: Sequence[Source], persona: str, profile: Profile = NO_PROFILE
) -> dict[str, str]:
    """What the answer templates are filled with."""
    return {
        "audience_note": persona_of(persona).prompt_note,
        "sources": format_sources(sources),
        "profile": f"About me: {profile.about()}\n\n" if profile else "",
        "question": question,
    }


def build_condense_chain(llm: BaseChatModel) -> Runnable:
    """history + question -> standalone question."""
    return PromptTemplate.from_template(load_prompt("condense")) | llm | StrOutputParser()


def build_answer_chain(llm: BaseChatModel) -> Runnable:
    """audience_note + sources + profile + question -> streamed message chunks (no output
    parser: closing a stream with one waits for a server that may never stop)."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer_system")), ("human", load_prompt("answer_user"))]
    )
    return prompt | llm


@dataclass
class Trace:
    """How one answer was reached, step by step: what `coach ask --explain` prints."""

    question: Question | None = None
    query: str = ""  # what was searched for (the question, steered by the profile)
    found: Retrieval | None = None
    quoting: Quoting | None = None  # offline only
    verdict: Verdict = ANSWER
    planned: bool = False  # answered by the career engine
    shown: dict[int, int] = field(default_factory=dict)  # passage number -> the answer's [n]


class AnswerStream(TextStream[Answer]):
    """An answer as it is produced: iterate it for the text; `.answer` once it is done."""

    @property
    def answer(self) -> Answer:
        """The finished Answer (waits for the rest of the text)."""
        return self.result


class Answerer:
    """Turns a question into a cited Answer, streaming when an LLM is configured."""

    def __init__(
        self,
        settings: Settings,
        index: IndexKeeper,
        embeddings: Embeddings,
        llm: BaseChatModel | None = None,
        planner: Planner | None = None,
    ) -> None:
        self.settings = settings
        self.planner = planner
        self.index = index  # read at each question: a sync here or elsewhere moves it on
        self.embeddings = embeddings
        self.llm = llm
        self.mode = "llm" if llm is not None else "offline"
        self._retriever: Retriever | None = None
        self._answering = Answering()
        self.condense_chain = build_condense_chain(llm) if llm is not None else None
        self.answer_chain = build_answer_chain(llm) if llm is not None else None

    @property
    def retriever(self) -> Retriever:
        """Hybrid retrieval over the index's store and keyword index as they are now."""
        store, keywords = self.index.store, self.index.keywords
        current = self._retriever
        if current is None or current.store is not store or current.keywords is not keywords:
            top_k = self.settings.top_k
            current = self._retriever = Retriever(store, keywords, self.embeddings, top_k=top_k)
        return current

    @functools.cached_property
    def scope_vectors(self) -> np.ndarray:
        """The topics coach covers, embedded once."""
        return np.array(self.embeddings.embed_documents(list(SCOPE_TOPICS)))

    def embed_passages_ahead(self) -> WarmReport:
        """Embed every indexed passage's parts and words now, giving way to questions: a
        question then embeds itself only."""
        rows = self.index.store.all_chunks()
        return warm_passages(self.embeddings, rows, self._answering.give_way)

    def ask(
        self,
        question: str,
        persona: str = DEFAULT_PERSONA,
        history: Sequence[tuple[str, str]] = (),
        profile: Profile = NO_PROFILE,
    ) -> Answer:
        """Answer in one piece."""
        return self.stream(question, persona, history, profile).answer

    def explain(
        self, question: str, persona: str = DEFAULT_PERSONA, profile: Profile = NO_PROFILE
    ) -> tuple[Answer, Trace]:
        """The answer and how it was reached."""
        trace = Trace()
        persona_of(persona)
        produced = self._produce(question, persona, (), profile, trace)
        answer = AnswerStream(self._answering.during(produced)).answer
        return answer, trace

    def stream(
        self,
        question: str,
        persona: str = DEFAULT_PERSONA,
        history: Sequence[tuple[str, str]] = (),
        profile: Profile = NO_PROFILE,
    ) -> AnswerStream:
        """The answer as it is produced: iterate it for the text, then read `.answer`."""
        persona_of(persona)  # an unknown persona fails before any work
        produced = self._produce(question, persona, history, profile, Trace())
        return AnswerStream(self._answering.during(produced))

    def standalone(self, question: str, history: Sequence[tuple[str, str]]) -> tuple[str, str]:
        """The question to search for, and why the LLM could not be used ("" when it could)."""
        last = next((text for role, text in reversed(history) if role == "user"), "")
        if self.condense_chain is None:
            return offline_standalone(question, last), ""
        if not history:
            return question, ""
        try:
            condensed = self.condense_chain.invoke(
                {"question": question, "history": _history_text(history)}
            )
        except Exception as exc:  # only LLM failures are caught; _llm_reason re-raises the rest
            return question, f"LLM unavailable: {self._llm_reason(exc)}; answered offline"
        return condensed, ""

    def _produce(
        self,
        question: str,
        persona: str,
        history: Sequence[tuple[str, str]],
        profile: Profile,
        trace: Trace,
    ) -> Generator[str, None, Answer]:
        """Yield the answer's text as it is produced; return the finished Answer."""
        standalone, notice = self.standalone(question, history)
        retriever = self.retriever  # one index state for the whole question
        roles = self.index.ladder(persona).in_order()  # as this persona's documents define them
        asked = trace.question = parse(standalone, tuple(roles))
        request = plan_request(asked, profile, roles) if self.planner is not None else None
        planned = self.planner(request, persona) if request is not None else None
        if planned is not None:
            trace.planned = True
            text, cited = planned
            yield text
            return Answer(
                text=text, mode="offline", refused=False, sources=cited, notice=notice,
                question=standalone,
            )
        if asked.roles:  # the role the question names ("as a Senior CSM") is the one asked about
            profile = Profile(asked.roles[0], profile.plan, named=True)
        asked = asked.focused(profile.focus(asked))
        query = trace.query = profile.steer(asked)
        found = trace.found = retriever.search(
            query, persona, focus=asked.focus, sides=asked.sides
        )
        sources, vector = found.sources, found.vector
        visible = retriever.keywords.level(audiences_for(persona))  # what it may read, only
        # What the question is about is judged against the question as asked: the words a
        # steered search adds (the role, "career paths") would drown what it names.
        unsteered = vector if query == standalone else self.embeddings.embed_query(standalone)
        lookup = look_up(standalone, unsteered, visible, self.embeddings)
        # A word the documents lack may still be there in other words ("coworker" for "colleague").
        lookup = lookup.explained_by([f"{s.label} {s.text}" for s in sources], self.embeddings)
        asked = trace.question = asked.measured(lookup)
        best = max((s.similarity for s in sources), default=0.0)
        scope = float(np.max(self.scope_vectors @ np.array(vector)))
        llm = self.answer_chain is not None and not notice
        # With an LLM, a rare asked-about word must be in the passages it answers from.
        said = "\n".join(f"{s.label} {s.text}" for s in sources) if llm else None
        decision = verdict(Evidence(asked, best, scope, said))
        if decision.refused:
            return (yield from self._refuse(decision, retriever, persona, notice, trace))
        partial = False
        if llm:
            numbering = Numbering({s.n for s in sources})
            text = yield from self._stream_llm(standalone, sources, persona, profile, numbering)
            if isinstance(text, str):
                shown = numbering.sources(sources)
                return Answer(
                    text=text, mode="llm", refused=model_declined(text), sources=shown,
                    notice=notice, question=standalone,
                )
            notice = f"LLM unavailable: {text.reason}; answered offline"
            partial = text.streamed
        quoting = trace.quoting = quoted_answer(asked, vector, sources, self.embeddings)
        decision = verdict(Evidence(asked, best, scope, quoting.text, quoting))
        if decision.refused:
            return (yield from self._refuse(decision, retriever, persona, notice, trace))
        quoted = quoting.text or ""
        if profile.role is None and asked.asks(Wants.NEXT_STEP) and roles:
            quoted = f"{ROLE_NOTE}\n\n{quoted}"
        # Numbered as the reader meets them: [1] first, no gaps among the cited ones.
        numbering = Numbering({s.n for s in sources})
        quoted = numbering.text(quoted)
        if not partial:  # after a broken-off LLM stream, the Answer replaces what was shown
            yield quoted
        shown = numbering.sources(sources)
        trace.shown = dict(numbering.order)
        return Answer(
            text=quoted, mode="offline", refused=False, sources=shown, notice=notice,
            question=standalone, lead_match=quoting.lead_match,
        )

    def _refuse(
        self, decision: Verdict, retriever: Retriever, persona: str, notice: str, trace: Trace
    ) -> Generator[str, None, Answer]:
        """Yield the refusal's text; return the refused Answer, its reason recorded for HR."""
        question = trace.question
        decision = trace.verdict = labelled(decision, trace.found, question, retriever.keywords)
        text = decision.text(persona, self.settings.tell_restricted)
        yield text
        mode = "offline" if trace.quoting is not None else self.mode
        reason = decision.reason.recorded
        return Answer(
            text=text, mode=mode, refused=True, notice=notice, question=question.text,
            refusal=reason, gap=decision.gap,
        )

    def _stream_llm(
        self,
        question: str,
        sources: list[Source],
        persona: str,
        profile: Profile,
        numbering: Numbering,
    ) -> Generator[str, None, str | _Failure]:
        """Stream cleaned LLM text, its citations renumbered as they come; return the full
        text, or a _Failure to fall back offline."""
        citations = CitationStream({s.n for s in sources}, numbering)
        parts: list[str] = []
        limit = self.settings.llm_max_tokens * CHARS_PER_TOKEN
        written = 0
        stream = self.answer_chain.stream(answer_inputs(question, sources, persona, profile))
        try:
            for chunk in stream:
                delta = chunk.content if isinstance(chunk.content, str) else ""
                written += len(delta)
                if written > limit:  # closing the stream hangs up on the endless server
                    limit_s = self.settings.llm_max_tokens
                    raise LLMReplyError(f"kept writing past the {limit_s}-token limit")
                shown = citations.feed(delta)
                if shown:
                    parts.append(shown)
                    yield shown
            if not written:
                raise LLMReplyError("sent an empty answer")
        except Exception as exc:
            return _Failure(self._llm_reason(exc), streamed=bool(parts))
        finally:
            stream.close()  # hangs up on a server still writing
        tail = citations.finish()
        if tail:
            parts.append(tail)
            yield tail
        return "".join(parts).strip()

    def _llm_reason(self, exc: Exception) -> str:
        reason = llm_failure(exc, self.settings)
        if reason is None:
            raise exc
        log.info("LLM failed: %s", reason)
        return reason


@dataclass
class _Failure:
    reason: str
    streamed: bool  # whether some text had already been shown


def _history_text(history: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{role}: {text}" for role, text in history[-6:])
