"""`coach check`: validate the knowledge folder without indexing it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from coach.config import Settings
from coach.errors import ConfigError
from coach.ingest.documents import Document, discover, relative_name
from coach.ingest.reader import read_documents

ROLE_FIELDS = ("role_id", "track", "level")
NO_AUDIENCE = "no audience given: indexed with the default"


@dataclass(frozen=True)
class Problem:
    """One finding about one file."""

    path: str
    message: str
    severity: str = "error"  # error | warning | note (what was inferred, for the record)

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


def check_folder(
    settings: Settings, checks: Sequence[Callable[[list[Document]], list[Problem]]] = ()
) -> list[Problem]:
    """Every problem found in the folder: unreadable files, schema, duplicate role ids, and
    whatever the later stages' `checks` find in the documents (the career ladder's)."""
    docs, problems = read_folder(settings)
    problems += schema_problems(docs) + _duplicate_roles(docs)
    for check in checks:
        problems += check(docs)
    return sorted(problems, key=lambda p: (p.path, p.severity, p.message))


def read_folder(settings: Settings) -> tuple[list[Document], list[Problem]]:
    """Every readable document of the knowledge folder, and why the others were not read."""
    root: Path = settings.knowledge_dir
    if not root.is_dir():
        raise ConfigError(f"knowledge folder not found: {root}")
    files, skipped = discover(root)
    problems = [
        Problem(relative_name(skip.path, root), f"{skip.reason}, not indexed", "warning")
        for skip in skipped
    ]
    docs: list[Document] = []
    # Read as `coach index` reads: in workers, each file under the time and memory limits.
    for outcome in read_documents(files, root, settings):
        if outcome.document is None:
            problems.append(Problem(relative_name(outcome.path, root), outcome.error))
        else:
            docs.append(outcome.document)
    return docs, problems


def schema_problems(docs: list[Document]) -> list[Problem]:
    """Fields our own documents should have; foreign documents only get warnings."""
    problems = []
    for doc in docs:
        meta = doc.meta
        if meta.audience is None:
            problems.append(Problem(doc.path, NO_AUDIENCE, "warning"))
        if meta.doc_type == "role" or meta.role_id:
            missing = [name for name in ROLE_FIELDS if getattr(meta, name) is None]
            if missing:
                problems.append(Problem(doc.path, f"role document lacks {', '.join(missing)}"))
    return problems


def _duplicate_roles(docs: list[Document]) -> list[Problem]:
    """Two documents claiming one role id."""
    owners: dict[str, str] = {}
    problems = []
    for doc in docs:
        role_id = doc.meta.role_id
        if not role_id:
            continue
        if role_id in owners:
            problems.append(
                Problem(doc.path, f"role_id {role_id!r} is already used by {owners[role_id]}")
            )
        else:
            owners[role_id] = doc.path
    return problems
