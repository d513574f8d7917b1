"""Shared fixtures: an isolated environment per test, one real embedding model per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import KNOWLEDGE, POSTHOG, REALWORLD, indexed_coach

from coach.config import Settings, load_settings
from coach.index.embeddings import MiniLMEmbeddings, make_embeddings

# Fixtures of the launched app and of the Chroma, LLM and PostgreSQL servers, for any test.
pytest_plugins = ["app_fixtures", "chroma_servers", "llm_servers", "postgres_servers"]


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No COACH_/OPENAI_ variable or .env from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("COACH_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embeddings() -> MiniLMEmbeddings:
    """The bundled MiniLM, loaded once; make_embeddings returns this same object."""
    model = make_embeddings(Settings())
    assert isinstance(model, MiniLMEmbeddings)
    return model


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """An empty knowledge folder."""
    folder = tmp_path / "kb"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(kb: Path, tmp_path: Path) -> Settings:
    """Settings pointing at the tmp knowledge folder and a tmp data folder."""
    return load_settings(knowledge_dir=kb, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def lumenfield(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The shipped knowledge base, indexed once per session (offline mode)."""
    return indexed_coach(KNOWLEDGE, tmp_path_factory.mktemp("lumenfield"))


@pytest.fixture(scope="session")
def lumenfield_without_hr(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The shipped knowledge base without its HR-only pages (knowledge/hr/), indexed once per
    session: what a CSM or a candidate reads must not tell the two apart."""
    knowledge = tmp_path_factory.mktemp("lumenfield-without-hr") / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("hr"))
    return indexed_coach(knowledge, tmp_path_factory.mktemp("lumenfield-without-hr-data"))


@pytest.fixture(scope="session")
def gitlab(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The real GitLab handbook pages, indexed once per session (offline mode)."""
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld is not beside the repository")
    return indexed_coach(REALWORLD, tmp_path_factory.mktemp("gitlab"))


@pytest.fixture(scope="session")
def posthog(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The real PostHog handbook pages (no formal ladder, `.mdx`), indexed once per session."""
    if not POSTHOG.is_dir():
        pytest.skip("../shared/realworld is not beside the repository")
    return indexed_coach(POSTHOG, tmp_path_factory.mktemp("posthog"))
