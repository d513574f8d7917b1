"""Roles inferred from real ladder pages: each parallel level section a role, ordered by its level.

A company's job-family pages rarely carry coach's front matter, but their level sections are
placed at ingest (`coach.ingest.levels`): on a ladder (the family), at a level with an order,
on a track. Here each such section becomes a role citing its section; next is the next level
on the same ladder and track. Front matter, where present, wins.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from coach.index.roles import CareerRole
from coach.ingest.level_tables import rows_from_metadata
from coach.ingest.levels import only_a_level

_PARENTHESES = re.compile(r"\s*\(([^)]*)\)")
_ABBREVIATION = re.compile(r"^[A-Z]{2,5}$")  # "(CSM)", "(CSA)"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# The first management level a senior individual contributor may switch to (a dual move):
# from Senior up, as job families put it ("Senior X or Manager, X").
DUAL_FROM_ORDER = 3.0


@dataclass(frozen=True)
class InferredLadder:
    """Roles read from level sections, and what could not be ordered (one line each)."""

    roles: dict[str, CareerRole] = field(default_factory=dict)
    unordered: tuple[Finding, ...] = ()
    overridden: tuple[Finding, ...] = ()  # inferred roles a front-matter role replaced


@dataclass(frozen=True)
class Finding:
    """One line about one page, for `coach check`."""

    path: str
    message: str


@dataclass(frozen=True)
class _Section:
    """One level's section on a page: where it is and where it stands."""

    ladder: str
    title: str
    order: float
    track: str
    path: str
    audience: str
    heading: str  # the heading path down to the level's own heading
    cells: tuple[str, ...] = ()  # from a levels table: its other cells


def infer_roles(
    rows: Iterable[Mapping[str, Any]], audiences: tuple[str, ...], declared: Iterable[CareerRole]
) -> InferredLadder:
    """Roles from the level sections these audiences may read, less those front matter names."""
    # Only readable rows: what a persona's ladder holds depends on what it may read, nothing else.
    sections = _sections(row for row in rows if row.get("audience") in audiences)
    declared = list(declared)
    taken = {name.casefold(): role for role in declared for name in role.names}
    ids = _ids(sections, {role.id for role in declared})
    roles: dict[str, CareerRole] = {}
    overridden: list[Finding] = []
    for section in sections:
        role = _role(section, ids[_key(section)])
        same = next((taken[n.casefold()] for n in role.names if n.casefold() in taken), None)
        if same is None:
            roles.setdefault(role.id, role)  # one job on two pages is one role: the first path
            continue
        ids[_key(section)] = same.id  # still a rung of its family: the levels around it link to it
        overridden.append(
            Finding(
                section.path,
                f"level section {section.title!r} is also role {same.id!r} in "
                f"{same.path}'s front matter, which wins",
            )
        )
    by_ladder: dict[tuple[str, str], list[_Section]] = {}
    for section in sections:
        by_ladder.setdefault((section.ladder, section.track), []).append(section)
    links: dict[str, set[str]] = {role_id: set() for role_id in roles}
    duals: dict[str, set[str]] = {role_id: set() for role_id in roles}
    unordered: list[Finding] = []
    for (ladder, track), group in by_ladder.items():
        orders = sorted({s.order for s in group})
        for low, high in itertools.pairwise(orders):
            for below in (s for s in group if s.order == low and ids[_key(s)] in links):
                links[ids[_key(below)]] |= {ids[_key(s)] for s in group if s.order == high}
        unordered += _same_level(ladder, group)
        managers = by_ladder.get((ladder, "management"), []) if track != "management" else []
        if managers:
            first = min(s.order for s in managers)
            for senior in (s for s in group if s.order >= DUAL_FROM_ORDER):
                if ids[_key(senior)] in duals:
                    duals[ids[_key(senior)]] |= {
                        ids[_key(s)] for s in managers if s.order == first
                    }
    finished = {
        role_id: _with_moves(role, links[role_id] - {role_id}, duals[role_id] - {role_id})
        for role_id, role in roles.items()
    }
    return InferredLadder(finished, tuple(dict.fromkeys(unordered)), tuple(overridden))


def _same_level(ladder: str, group: list[_Section]) -> list[Finding]:
    """Levels of one family and track that share an order: not ordered between them."""
    found = []
    for order in sorted({s.order for s in group}):
        titles = sorted({s.title for s in group if s.order == order})
        if len(titles) > 1:
            where = next(s.path for s in group if s.order == order)
            found.append(
                Finding(
                    where,
                    f"{' and '.join(map(repr, titles))} are at one level of {ladder!r}: "
                    "their order between them is not known",
                )
            )
    return found


def _key(section: _Section) -> tuple[str, str]:
    """What makes a level one role: its title, with its family when the title is a bare level."""
    # "Senior" in two families is two roles; "Director of CS" on two pages is one job.
    return (section.ladder if only_a_level(section.title) else "", section.title)


def _ids(sections: list[_Section], declared: set[str]) -> dict[tuple[str, str], str]:
    """A unique id per role: its shortest name as a slug, longer forms when two roles (or a
    front-matter role) share it."""
    ids: dict[tuple[str, str], str] = {}
    used = set(declared)
    for section in sections:
        key = _key(section)
        if key in ids:
            continue
        names = aliases(section.title)
        candidates = [_slugged(names[-1]), _slugged(section.title),
                      _slugged(f"{section.ladder} {section.title}")]
        chosen = next((c for c in candidates if c and c not in used), "")
        if not chosen:  # nothing spelled in ASCII, or every form taken: numbered
            chosen = f"role-{len(used) + 1}"
        ids[key] = chosen
        used.add(chosen)
    return ids


def _slugged(name: str) -> str:
    return _NOT_SLUG.sub("-", name.lower()).strip("-")


def _with_moves(role: CareerRole, up: set[str], dual: set[str]) -> CareerRole:
    """The role with its moves up and across to management."""
    return replace(role, next_roles=tuple(sorted(up)), dual_roles=tuple(sorted(dual)))


def _sections(rows: Iterable[Mapping[str, Any]]) -> list[_Section]:
    """Each placed level section and levels-table row once, in the order of the pages."""
    found: dict[tuple[str, str, str], _Section] = {}
    for row in sorted(rows, key=lambda r: (r["path"], r.get("chunk_index", 0))):
        if row.get("role_id"):  # a front-matter role page speaks for itself
            continue
        for level in rows_from_metadata(row.get("section_level_rows") or "[]"):
            found.setdefault(
                (row["path"], level.ladder, level.title),
                _Section(
                    level.ladder, level.title, level.order, level.track, row["path"],
                    row.get("audience", "employee"), row.get("heading", ""), level.cells,
                ),
            )
        title = row.get("section_role")
        key = (row["path"], row.get("section_ladder", ""), title or "")
        if title and key not in found:
            found[key] = _Section(
                ladder=row.get("section_ladder", ""),
                title=title,
                order=float(row.get("section_level_order", 0.0)),
                track=row.get("section_track", "ic"),
                path=row["path"],
                audience=row.get("audience", "employee"),
                heading=_down_to(row.get("heading", ""), title),
            )
    return list(found.values())


def _down_to(heading: str, title: str) -> str:
    """The heading path cut after the level's own heading ("Levels > Senior CSM")."""
    parts = heading.split(" > ")
    return " > ".join(parts[: parts.index(title) + 1]) if title in parts else heading


def _role(section: _Section, role_id: str) -> CareerRole:
    """The role a level section stands for, citing that section."""
    names = aliases(section.title)
    return CareerRole(
        id=role_id,
        title=section.title,
        path=section.path,
        audience=section.audience,
        track=section.track,
        level=round(section.order),
        aliases=tuple(n for n in names if n != section.title),
        family=section.ladder,
        section=section.heading,
        facts=section.cells,
        inferred=True,
    )


def aliases(title: str) -> list[str]:
    """How people write a level's title: as written, without its parentheses, with a level in
    parentheses put first, and shortened to its abbreviation ("Senior CSA"); shortest last."""
    inside = _PARENTHESES.findall(title)
    bare = " ".join(_PARENTHESES.sub("", title).split())
    levels = [p for p in inside if not _ABBREVIATION.match(p) and len(p.split()) == 1]
    full = f"{' '.join(levels)} {bare}".strip() if levels else bare
    # "Backend Engineer (Senior)" is not "Backend Engineer": the bare form only without a level.
    names = [title, full] if levels else [title, bare]
    for abbreviation in (p for p in inside if _ABBREVIATION.match(p)):
        short = _abbreviated(full, abbreviation)
        if short:
            names.append(short)
    return list(dict.fromkeys(n for n in names if n))


def _abbreviated(name: str, abbreviation: str) -> str:
    """The name with the words the abbreviation stands for replaced by it ("Senior Customer
    Success Architect", "CSA" -> "Senior CSA"); "" when no run of words spells it."""
    words = name.split()
    size = len(abbreviation)
    for start in range(len(words) - size + 1):
        run = words[start : start + size]
        if "".join(w[0] for w in run).upper() == abbreviation and all(w[0].isupper() for w in run):
            # "Customer Success Architects" (a team's plural) keeps its s on the short form.
            plural = "s" if run[-1].endswith("s") and not run[-1].endswith("ss") else ""
            return " ".join([*words[:start], abbreviation + plural, *words[start + size :]])
    return ""
