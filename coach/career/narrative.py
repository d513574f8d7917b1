"""With an LLM, a short narrative on top of a plan, held to the plan's own citations."""

from __future__ import annotations

import logging
from dataclasses import replace

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from coach.answer.citations import cited_numbers, clean_citations
from coach.answer.prompts import load_prompt
from coach.career.plan import Plan
from coach.career.render import plan_markdown
from coach.config import Settings
from coach.llm.factory import llm_failure
from coach.personas import persona as persona_of

log = logging.getLogger(__name__)


def narrate(plan: Plan, llm: BaseChatModel, settings: Settings) -> Plan:
    """The plan with a narrative (citations to missing sources removed), or with a one-line
    notice of why there is none; the plan itself is never lost to an LLM failure."""
    chain = ChatPromptTemplate.from_messages([("human", load_prompt("plan_narrative"))])
    inputs = {
        "audience_note": persona_of(plan.persona).prompt_note,
        "plan": plan_markdown(plan),
    }
    try:
        text = (chain | llm | StrOutputParser()).invoke(inputs)
    except Exception as exc:  # only LLM failures are caught; llm_failure re-raises the rest
        reason = llm_failure(exc, settings)
        if reason is None:
            raise
        log.info("plan narrative failed: %s", reason)
        return replace(plan, notice=f"LLM unavailable: {reason}; the plan has no narrative")
    text = clean_citations(text.strip(), {source.n for source in plan.sources})
    if not text or not cited_numbers(text):
        # An uncited narrative is not grounded: the plan speaks for itself.
        return replace(plan, notice="the LLM's narrative cited no source; left out")
    return replace(plan, narrative=text)
