"""The one place that builds coach's parts from settings; the CLI and the UI both use it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from coach.answer.answerer import Answerer
from coach.answer.retrieve import Retriever
from coach.career.front import CareerFront
from coach.career.plan import Plan
from coach.config import Settings
from coach.index.embeddings import make_embeddings
from coach.index.keeper import IndexKeeper
from coach.index.keyword import KeywordIndex
from coach.index.ladder import Ladder
from coach.index.store import KnowledgeStore
from coach.index.sync import SyncReport
from coach.llm.factory import make_llm


@dataclass
class Coach:
    """Settings plus lazily built parts: nothing heavy happens until it is needed.

    Three parts, none calling back into this one: the index keeper (store, keyword index,
    ladder, syncs), the career front (plans) and the answerer (questions)."""

    settings: Settings

    @functools.cached_property
    def embeddings(self) -> Embeddings:
        """The embedding model (loaded on first embed, not here)."""
        return make_embeddings(self.settings)

    @functools.cached_property
    def llm(self) -> BaseChatModel | None:
        """The configured LLM client (or local model server), None offline; shared by parts."""
        return make_llm(self.settings)

    @functools.cached_property
    def index(self) -> IndexKeeper:
        """The store, keyword index and ladder, followed across syncs."""
        return IndexKeeper(self.settings, self.embeddings)

    @functools.cached_property
    def career(self) -> CareerFront:
        """Plans from the index's ladder."""
        return CareerFront(self.settings, self.index, self.llm)

    @functools.cached_property
    def answerer(self) -> Answerer:
        """The answer chain, with the configured LLM or offline; personal next steps and
        comparisons go to the career front."""
        return Answerer(
            self.settings, self.index, self.embeddings, self.llm, planner=self.career.chat_plan
        )

    @property
    def store(self) -> KnowledgeStore:
        """The live Chroma collection."""
        return self.index.store

    @property
    def keywords(self) -> KeywordIndex:
        """The live BM25 index."""
        return self.index.keywords

    @property
    def keyword_dir(self) -> Path:
        """Where the live BM25 index is kept."""
        return self.index.keyword_dir

    @property
    def retriever(self) -> Retriever:
        """Hybrid retrieval over the live index."""
        return self.answerer.retriever

    def follow(self, force: bool = False) -> bool:
        """Catch up with syncs made elsewhere (see IndexKeeper.follow)."""
        return self.index.follow(force)

    def sync(self, progress: bool = False, rebuild: bool = False, wait: float = 0) -> SyncReport:
        """Sync knowledge/ into the index (see IndexKeeper.sync)."""
        return self.index.sync(progress, rebuild, wait)

    def ladder(self, persona: str) -> Ladder:
        """The career ladder as the persona may see it."""
        return self.index.ladder(persona)

    def plan(
        self,
        role_id: str,
        persona: str,
        plan_type: str = "",
        target: str = "",
        narrate: bool = False,
    ) -> Plan:
        """A personal plan (see CareerFront.plan)."""
        return self.career.plan(role_id, persona, plan_type, target, narrate)
