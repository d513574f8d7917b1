"""What a broken ladder would mislead people with, found before anyone reads a plan."""

from __future__ import annotations

import re

import networkx as nx

from coach.career.diff import competency_changes
from coach.index.ladder import Ladder, build_ladder
from coach.ingest.check import Problem
from coach.ingest.chunking import section_rows
from coach.ingest.documents import Document
from coach.personas import AUDIENCES

_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*)?([^:*\n]+?)(?:\*\*)?\s*:", re.MULTILINE)


def folder_ladder(docs: list[Document]) -> Ladder:
    """The ladder as HR's whole folder defines it, read from the documents (no index)."""
    return build_ladder([row for doc in docs for row in section_rows(doc)], AUDIENCES)


def ladder_problems(docs: list[Document]) -> list[Problem]:
    """Roles inferred from level sections (and levels that could not be ordered), unknown
    role ids, vertical cycles, unreachable roles, levels adding nothing, unpriced
    certifications, public roles leading to hidden ones, competencies the page never names."""
    ladder = folder_ladder(docs)
    if not ladder:
        return []
    texts = {doc.path: doc.text for doc in docs}
    return (
        _inferred(ladder)
        + _unknown_ids(ladder)
        + _cycles(ladder)
        + _unreachable(ladder)
        + _empty_levels(ladder)
        + _unpriced(ladder)
        + _public_to_hidden(ladder)
        + _unnamed_competencies(ladder, texts)
    )


def _inferred(ladder: Ladder) -> list[Problem]:
    """Which roles come from level sections and from where; what could not be ordered, and
    where front matter overrides a section."""
    notes = [
        Problem(
            role.path,
            f"role {role.id!r} inferred from section {role.section!r}: level {role.level} of "
            f"{role.family!r} ({role.track})",
            "note",
        )
        for role in ladder.in_order()
        if role.inferred
    ]
    found = (*ladder.unordered, *ladder.overridden)
    return notes + [Problem(f.path, f.message, "warning") for f in found]


def _unknown_ids(ladder: Ladder) -> list[Problem]:
    problems = []
    for role in ladder.roles.values():
        for field in ("next_roles", "lateral_moves", "dual_roles"):
            for target in getattr(role, field):
                if target not in ladder.roles:
                    problems.append(Problem(role.path, f"{field} names unknown role {target!r}"))
    linked = [(d.path, d.item.prepares_for) for d in ladder.designations]
    linked += [(r.path, r.item.role) for r in ladder.rotations]
    problems += [
        Problem(path, f"names unknown role {role_id!r}")
        for path, role_id in linked
        if role_id and role_id not in ladder.roles
    ]
    return problems


def _cycles(ladder: Ladder) -> list[Problem]:
    """A promotion that leads back to where it started."""
    up = nx.DiGraph((m.source, m.target) for m in ladder.moves if m.kind == "vertical")
    problems = []
    for cycle in nx.simple_cycles(up):
        loop = " -> ".join([*cycle, cycle[0]])
        problems.append(
            Problem(ladder.roles[cycle[0]].path, f"vertical moves form a cycle: {loop}")
        )
    return problems


def _unreachable(ladder: Ladder) -> list[Problem]:
    """Roles above the entry level (of their family, on a ladder read from several job
    families) that no move leads to."""
    entry: dict[str, int] = {}
    for role in ladder.roles.values():
        entry[role.family] = min(entry.get(role.family, role.level), role.level)
    reached = {move.target for move in ladder.moves} | {
        r.item.role for r in ladder.rotations if r.item.role
    }
    return [
        Problem(
            role.path,
            f"no role leads to {role.id!r}: nobody inside the company can reach it",
            "warning",
        )
        for role in ladder.roles.values()
        if role.level > entry[role.family] and role.id not in reached
    ]


def _empty_levels(ladder: Ladder) -> list[Problem]:
    """A promotion whose target expects nothing new or stronger than the level below."""
    problems = []
    for move in ladder.moves:
        source, target = ladder.roles[move.source], ladder.roles[move.target]
        if move.kind != "vertical" or not (source.competencies and target.competencies):
            continue
        if not competency_changes(ladder.expected(source.id), target):
            problems.append(
                Problem(
                    target.path,
                    f"{target.id!r} expects no competency beyond {source.id!r}: the promotion "
                    "adds nothing a plan could name",
                    "warning",
                )
            )
    return problems


def _unpriced(ladder: Ladder) -> list[Problem]:
    """Certifications a role names that no training document describes (once any does)."""
    if not ladder.courses:
        return []
    return [
        Problem(role.path, f"certification {name!r} is in no training document", "warning")
        for role in ladder.roles.values()
        for name in role.certifications
        if ladder.course(name) is None
    ]


def _public_to_hidden(ladder: Ladder) -> list[Problem]:
    """A step a candidate would see but could not read about."""
    rank = {audience: i for i, audience in enumerate(AUDIENCES)}
    problems = []
    for move in ladder.moves:
        source, target = ladder.roles[move.source], ladder.roles[move.target]
        if rank[target.audience] > rank[source.audience]:
            problems.append(
                Problem(
                    source.path,
                    f"{source.audience} role {source.id!r} leads to {target.audience}-only role "
                    f"{target.id!r}: its readers would see a step they cannot read about",
                )
            )
    return problems


def _unnamed_competencies(ladder: Ladder, texts: dict[str, str]) -> list[Problem]:
    """A competency whose label is no list item of its page: a plan could not quote it."""
    problems = []
    for role in ladder.roles.values():
        labels = {m.group(1).strip().lower() for m in _ITEM.finditer(texts.get(role.path, ""))}
        for competency in role.competencies:
            label = (competency.label or competency.id).lower()
            if label not in labels:
                problems.append(
                    Problem(
                        role.path,
                        f"competency {competency.id!r}: no list item on the page starts with "
                        f"{competency.label or competency.id!r}",
                        "warning",
                    )
                )
    return problems
