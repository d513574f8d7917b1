"""Helpers shared by the tests: paths, files to write, small indexed knowledge bases, doubles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import Result
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

from coach.config import load_settings
from coach.index.store import KnowledgeStore, open_store

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
REALWORLD = REPO.parent / "shared" / "realworld" / "gitlab-handbook"
POSTHOG = REPO.parent / "shared" / "realworld" / "posthog-handbook"
# A levels page: the ladder in one table, a row per level.
LEVELS_PAGE = """# Engineering levels

Our ladder in one table.

| Level | Title | Scope | Impact |
| --- | --- | --- | --- |
| IC1 | Associate Engineer | Tasks | Team |
| IC2 | Engineer | Features | Team |
| IC3 | Senior Engineer | Projects | Group |
| M1 | Engineering Manager | A team | Group |

Promotions happen twice a year.
"""
needs_realworld = pytest.mark.skipif(
    not REALWORLD.is_dir(), reason="../shared/realworld is not beside the repository"
)


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


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    """Run `coach ARGS` in this process with Typer's CliRunner; stdin is the typed input."""
    from coach.cli import app

    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def bad_inputs(kb: Path, outside: Path) -> dict[str, str]:
    """Write one file per kind of bad input; return name -> expected words in its reason."""
    (kb / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    (kb / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (kb / "empty.md").write_bytes(b"")
    write(kb, "bad-yaml.md", "---\ntitle: [unclosed\naudience: employee\n---\n\nBody.\n")
    write(kb, "bad-audience.md", "---\ntitle: Secret\naudience: internal\n---\n\nBody.\n")
    (kb / "latin1.md").write_bytes("# Café policy\n\nCrème brûlée.\n".encode("latin-1"))
    (kb / "huge.txt").write_bytes(b"word " * 300_000)
    (kb / "corrupt.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (outside / "secret.md").write_text("# Payroll\n\nNot for the index.\n")
    os.symlink(outside / "secret.md", kb / "escape.md")
    return {
        "corrupt.pdf": "unreadable PDF",
        "binary.md": "binary data",
        "empty.md": "empty",
        "bad-yaml.md": "invalid front matter",
        "bad-audience.md": "unknown audience 'internal'",
        "latin1.md": "not UTF-8",
        "huge.txt": "over the 1 MB limit",
        "corrupt.docx": "unreadable DOCX",
        "escape.md": "outside the knowledge folder",
    }


class CountingEmbeddings(Embeddings):
    """The real model, counting how many passages it was asked to embed."""

    def __init__(self, model) -> None:
        self.model = model
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text):
        return self.model.embed_query(text)


class RecordingStore(KnowledgeStore):
    """The real store, recording the order of writes and deletes."""

    calls: list[tuple[str, frozenset[str]]]

    def write(self, chunks, vectors):
        self.calls.append(("write", frozenset(c.id for c in chunks)))
        super().write(chunks, vectors)

    def delete(self, ids):
        self.calls.append(("delete", frozenset(ids)))
        super().delete(ids)


def store_for(settings) -> RecordingStore:
    plain = open_store(settings, "minilm:all-MiniLM-L6-v2")
    store = RecordingStore(plain.collection, plain.max_batch)
    store.calls = []
    return store


def paths_in(store) -> set[str]:
    return set(store.indexed_files())


def make_pdf(path: Path, text: str) -> Path:
    """A one-page PDF with a text layer."""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "title: *i\n---\n\nBody.\n"
)


def nested_yaml(size: int = 10_000) -> str:
    depth = (size - 20) // 2
    return f"---\ntitle: {'[' * depth}{']' * depth}\n---\n\nBody.\n"
