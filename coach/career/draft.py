"""`coach ladder draft`: the front matter inferred for each role, as pages for HR to review.

An inferred ladder works on a company's pages as they are; the draft is the way to make it
exact. Each role becomes a page with coach's front matter (id, track, level, aliases, moves)
above its level section's own text; HR corrects the fields and moves the pages into the
knowledge folder, where front matter wins over the section it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from coach.errors import CareerError
from coach.index.ladder import Ladder
from coach.index.roles import CareerRole
from coach.ingest.chunking import Section, sections_of
from coach.ingest.documents import Document


@dataclass(frozen=True)
class DraftPage:
    """One role's page as drafted: where it goes and what it says."""

    name: str  # file name in the review folder: "<role id>.md"
    role: CareerRole
    text: str


def draft_pages(ladder: Ladder, docs: list[Document]) -> list[DraftPage]:
    """A page per inferred role, its section quoted under front matter HR can correct."""
    by_path = {doc.path: doc for doc in docs}
    pages = []
    for role in ladder.in_order():
        if not role.inferred:
            continue
        doc = by_path.get(role.path)
        sections = sections_of(doc.text, doc.title) if doc else []
        own = [
            s
            for s in sections
            if s.placement and s.placement.role == role.title and s.placement.ladder == role.family
        ]
        name = f"{role.id}.md"  # an inferred id is a slug: letters, digits and dashes
        pages.append(DraftPage(name, role, _page(role, own)))
    return pages


def write_drafts(pages: list[DraftPage], folder: Path) -> list[Path]:
    """Write the pages into `folder` (created), never over a page already there."""
    if not pages:
        raise CareerError("no role is inferred from level sections: nothing to draft")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CareerError(f"cannot create {folder}: {exc.strerror or exc}") from None
    taken = [page.name for page in pages if (folder / page.name).exists()]
    if taken:  # a reviewed draft holds HR's corrections: never overwritten
        raise CareerError(
            f"{folder} already holds {', '.join(taken[:3])}{'...' if len(taken) > 3 else ''}: "
            "move the reviewed pages into the knowledge folder or choose another --out"
        )
    written = []
    for page in pages:
        path = folder / page.name
        try:  # "x": a page that appeared meanwhile (or a link planted there) is not written over
            with path.open("x", encoding="utf-8") as out:
                out.write(page.text)
        except OSError as exc:
            raise CareerError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written


def _page(role: CareerRole, sections: list[Section]) -> str:
    fields = {
        "title": role.title,
        "audience": role.audience,
        "doc_type": "role",
        "role_id": role.id,
        "track": role.track,
        "level": role.level,
        "aliases": [a for a in role.aliases if a != role.id],
        "next_roles": list(role.next_roles),
        "dual_roles": list(role.dual_roles),
        "lateral_moves": [],
        "inferred_from": f"{role.path} > {role.section}",
    }
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=100)
    lines = [
        "---",
        "# Drafted by `coach ladder draft` from the level section named in inferred_from.",
        "# Check every field (level, next_roles, dual_roles), add competencies and",
        "# promotion_criteria where the page states them, then move this file into the",
        "# knowledge folder: its front matter then wins over the inferred role.",
        front.rstrip(),
        "---",
        "",
        f"# {role.title}",
    ]
    if role.facts:  # a row of a levels table: its cells
        lines += ["", "## From the levels table", "", *(f"- {fact}" for fact in role.facts)]
    for section in sections:
        below = _below_role(section.headings, role.title)
        if below:
            lines += ["", f"{'#' * min(len(below) + 1, 4)} {below[-1]}"]
        lines += ["", section.text.strip()]
    return "\n".join(lines) + "\n"


def _below_role(headings: tuple[str, ...], title: str) -> tuple[str, ...]:
    """The headings under the role's own: ("Requirements",) for "Levels > Senior > Requirements"."""
    return headings[headings.index(title) + 1 :] if title in headings else ()
