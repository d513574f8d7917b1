"""Shared fixtures: an isolated environment per test, one real embedding model per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.embeddings import MiniLMEmbeddings, make_embeddings

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
REALWORLD = REPO.parent / "shared" / "realworld" / "gitlab-handbook"
needs_realworld = pytest.mark.skipif(
    not REALWORLD.is_dir(), reason="../shared/realworld is not beside the repository"
)


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


def write(folder: Path, name: str, text: str) -> Path:
    """Write a UTF-8 file below folder, creating subfolders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def role_doc(role_id: str, title: str, body: str, audience: str = "employee", **extra: str) -> str:
    """A small ladder document with our front matter."""
    lines = [
        "---",
        f"title: {title}",
        f"audience: {audience}",
        "doc_type: role",
        "owner: CS Enablement",
        "updated: 2026-09-01",
        f"role_id: {role_id}",
        "track: ic",
        "level: 2",
    ]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", "", f"# {title}", "", body, ""])


def indexed_coach(knowledge: Path, data: Path, **overrides: object):
    """A Coach over a folder, synced with the session's model."""
    from coach.compose import Coach

    coach = Coach(load_settings(knowledge_dir=knowledge, data_dir=data, **overrides))
    report = coach.sync()
    assert report.failed == [], report.failed
    return coach


@pytest.fixture(scope="session")
def lumenfield(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The shipped knowledge base, indexed once per session (offline mode)."""
    return indexed_coach(KNOWLEDGE, tmp_path_factory.mktemp("lumenfield"))


@pytest.fixture(scope="session")
def gitlab(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The real GitLab handbook pages, indexed once per session (offline mode)."""
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld is not beside the repository")
    return indexed_coach(REALWORLD, tmp_path_factory.mktemp("gitlab"))


from app_fixtures import demo, served  # noqa: E402, F401
from llm_servers import closed_port_url, gguf_path, llm_server, stub_server  # noqa: E402, F401
