"""The career engine's front: plans and chat answers from the index keeper's ladder."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from coach.answer.career_questions import PlanRequest
from coach.answer.retrieve import Source
from coach.career.narrative import narrate as narrate_plan
from coach.career.plan import Plan, build_plan
from coach.career.render import chat_answer
from coach.config import Settings
from coach.errors import CareerError
from coach.index.keeper import IndexKeeper


class CareerFront:
    """Personal plans, cited and limited to what the persona may read."""

    def __init__(self, settings: Settings, index: IndexKeeper, llm: BaseChatModel | None) -> None:
        self.settings = settings
        self.index = index
        self.llm = llm  # narrates plans when configured

    def plan(
        self,
        role_id: str,
        persona: str,
        plan_type: str = "",
        target: str = "",
        narrate: bool = False,
    ) -> Plan:
        """A personal plan from `role_id`, cited, limited to what the persona may read; with
        `narrate` and an LLM configured, a short cited narrative on top."""
        ladder = self.index.ladder(persona)
        plan = build_plan(ladder, self.index.store, role_id, persona, plan_type, target)
        if narrate and self.llm is not None:
            return narrate_plan(plan, self.llm, self.settings)
        return plan

    def chat_plan(self, request: PlanRequest, persona: str) -> tuple[str, list[Source]] | None:
        """A plan's essentials as a chat answer (None when the ladder has no plan for it)."""
        try:
            plan = self.plan(request.role_id, persona, request.plan, request.target_id)
        except CareerError:
            return None
        if not plan.sections:
            return None
        # The target's id, even if asked by title.
        text, sources = chat_answer(plan, plan.target, requirements=request.requirements_first)
        # A ladder without competencies, criteria or timelines gives a plan with nothing to
        # cite: the documents' own text answers better.
        return (text, sources) if sources else None
