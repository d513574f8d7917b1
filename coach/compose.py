"""The one place that builds coach's parts from settings; the CLI and the UI both use it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings

from coach.answer.answerer import Answerer
from coach.answer.retrieve import Retriever, Source
from coach.career.narrative import narrate as narrate_plan
from coach.career.plan import Plan, build_plan
from coach.career.render import chat_answer
from coach.config import Settings
from coach.errors import CareerError, IndexBusyError, StoreError
from coach.index.embeddings import embedding_id, make_embeddings
from coach.index.keyword import KeywordIndex, keyword_index_for
from coach.index.ladder import Ladder, build_ladder
from coach.index.store import KnowledgeStore, open_store
from coach.index.sync import SyncReport, sync
from coach.llm.factory import make_llm
from coach.personas import audiences_for


@dataclass
class Coach:
    """Settings plus lazily built parts: nothing heavy happens until it is needed."""

    settings: Settings
    # Ladders per persona, with the index state they were read at; and syncs that changed it.
    _ladders: dict[str, tuple[tuple[int, int], Ladder]] = field(default_factory=dict, repr=False)
    _syncs: int = field(default=0, repr=False)

    @functools.cached_property
    def embeddings(self) -> Embeddings:
        """The embedding model (loaded on first embed, not here)."""
        return make_embeddings(self.settings)

    @functools.cached_property
    def store(self) -> KnowledgeStore:
        """The Chroma collection."""
        return open_store(self.settings, embedding_id(self.settings))

    @functools.cached_property
    def keywords(self) -> KeywordIndex:
        """The BM25 index, checked against the store and rebuilt if it lags behind."""
        return keyword_index_for(self.store, self.keyword_dir)

    @property
    def keyword_dir(self) -> Path:
        """Where this data dir keeps the BM25 index of the configured collection."""
        return self.settings.data_dir / "keyword" / self.settings.collection

    @functools.cached_property
    def retriever(self) -> Retriever:
        """Hybrid retrieval over the store and the keyword index."""
        return Retriever(self.store, self.keywords, self.embeddings, top_k=self.settings.top_k)

    @functools.cached_property
    def answerer(self) -> Answerer:
        """The answer chain, with the configured LLM or offline."""
        return Answerer(
            self.settings,
            self.retriever,
            self.embeddings,
            make_llm(self.settings),
            planner=self.chat_plan,
        )

    def ladder(self, persona: str) -> Ladder:
        """The career ladder as the persona may see it (read from the index's metadata once,
        and again after a sync here or when the index changed size)."""
        key = (self.store.count(), self._syncs)
        cached = self._ladders.get(persona)
        if cached is None or cached[0] != key:
            rows = (meta for _, meta in self.store.metadatas())
            cached = self._ladders[persona] = (key, build_ladder(rows, audiences_for(persona)))
        return cached[1]

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
        plan = build_plan(self.ladder(persona), self.store, role_id, persona, plan_type, target)
        llm = self.answerer.llm
        return narrate_plan(plan, llm, self.settings) if narrate and llm is not None else plan

    def chat_plan(
        self, role_id: str, persona: str, plan_type: str = "", target: str = ""
    ) -> tuple[str, list[Source]] | None:
        """A plan's essentials as a chat answer (None when the ladder has no plan for it)."""
        try:
            plan = self.plan(role_id, persona, plan_type, target)
        except CareerError:
            return None
        if not plan.sections:
            return None
        text, sources = chat_answer(plan, target)
        # A ladder without competencies, criteria or timelines gives a plan with nothing to
        # cite: the documents' own text answers better.
        return (text, sources) if sources else None

    def sync(self, progress: bool = False, rebuild: bool = False, wait: float = 0) -> SyncReport:
        """Sync knowledge/ into the store; one sync per data dir at a time (waits `wait` s)."""
        try:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self.settings.data_dir / "index.lock")
            with lock.acquire(timeout=wait):
                if rebuild:
                    self.store = open_store(
                        self.settings, embedding_id(self.settings), rebuild=True
                    )
                report = sync(self.settings, self.store, self.embeddings, progress=progress)
                changed = report.added or report.updated or report.removed or rebuild
                if changed or not (self.keyword_dir / "rows.json").exists():
                    # Rebuilt here, after every change, so a question never waits for it.
                    for stale in ("retriever", "answerer"):
                        self.__dict__.pop(stale, None)
                    self._syncs += 1
                    self.keywords = KeywordIndex.build(self.store)
                    self.keywords.save(self.keyword_dir)
                return report
        except Timeout:
            raise IndexBusyError(
                f"another `coach index` is already running on {self.settings.data_dir}"
            ) from None
        except OSError as exc:
            raise StoreError(
                f"cannot use the data folder {self.settings.data_dir}: {exc}"
            ) from None
