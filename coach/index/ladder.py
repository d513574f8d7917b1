"""The career ladder as the index holds it: roles, moves, rotations, designations, courses."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from coach.errors import CareerError
from coach.index.inferred import Finding, infer_roles
from coach.index.roles import CareerRole, Months
from coach.ingest.metadata import Competency, Course, Designation, Rotation
from coach.personas import AUDIENCES

if TYPE_CHECKING:  # imported where used: importing networkx takes half a second of start-up
    import networkx as nx

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
MoveKind = Literal["vertical", "dual", "horizontal"]
# The two tracks a dual ladder switch moves between (at the same level, keeping pay).
DUAL_TRACKS = frozenset({"ic", "management"})
# What a persona that may not read everything is told: the same whether documents it may not
# read define roles or not, since telling them apart would reveal those documents.
NO_OPEN_LADDER = (
    "No career ladder found: none of the role pages is open to this persona (no document it "
    "may read has role front matter or sections per level), so plans and maps are not "
    "available; questions are still answered from the documents it may read."
)
NO_LADDER = (
    "No career ladder found: no document in the knowledge folder has role front matter "
    "(role_id, track, level) or sections per level (Senior, Staff; IC2, IC3), so plans and "
    "maps are not available; questions are still answered from the documents."
)


@dataclass(frozen=True)
class Move:
    """A step from one role to another, of one plan type."""

    source: str
    target: str
    kind: MoveKind
    months: Months | None = None  # typical time in the source role before this step


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A record from a document's front matter, with the document it came from."""

    item: T
    path: str


@dataclass(frozen=True)
class Ladder:
    """Everything the career engine knows, limited to what one persona may read."""

    roles: dict[str, CareerRole] = field(default_factory=dict)
    rotations: tuple[Sourced[Rotation], ...] = ()
    designations: tuple[Sourced[Designation], ...] = ()
    courses: tuple[Sourced[Course], ...] = ()
    plan_docs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # plan type -> paths
    # (role, target) pointing at roles the reader may not read: noted, never shown to it.
    hidden_links: tuple[tuple[str, str], ...] = ()
    partial: bool = False  # the reader may not read every audience
    # Inferred from level sections: levels whose order is not known, roles front matter took.
    unordered: tuple[Finding, ...] = ()
    overridden: tuple[Finding, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.roles)

    def missing(self) -> str:
        """Why there is no ladder to show: none in the folder (said to a reader of everything),
        or none among the documents this reader may see."""
        return NO_OPEN_LADDER if self.partial else NO_LADDER

    def in_order(self) -> list[CareerRole]:
        """Its roles by track, then level, then title."""
        return sorted(self.roles.values(), key=lambda r: (r.track, r.level, r.title))

    def role(self, name: str) -> CareerRole:
        """The role with this id, or title or alias ("Senior CSM"), case aside; CareerError
        names the known ids."""
        if not self.roles:
            raise CareerError(self.missing())
        if name in self.roles:
            return self.roles[name]
        wanted = " ".join(name.split()).casefold()
        found = [r for r in self.roles.values() if wanted in (n.casefold() for n in r.names)]
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(sorted(r.id for r in found))
            raise CareerError(f"{name!r} names more than one role (ids: {ids})")
        raise CareerError(f"unknown role {name!r} (known: {', '.join(sorted(self.roles))})")

    @functools.cached_property
    def moves(self) -> list[Move]:
        """Every move between readable roles: vertical, dual and horizontal."""
        found: dict[tuple[str, str], Move] = {}
        for role in self.roles.values():
            for target in self._readable(role.next_roles):
                kind = "dual" if _switches_track(role, self.roles[target]) else "vertical"
                found.setdefault((role.id, target), Move(role.id, target, kind, role.typical))
            for target in self._readable(role.dual_roles) + self._same_level_switches(role):
                found.setdefault((role.id, target), Move(role.id, target, "dual"))
            for target in self._readable(role.lateral_moves):
                found.setdefault((role.id, target), Move(role.id, target, "horizontal"))
        return list(found.values())

    def graph(self) -> nx.MultiDiGraph:
        """Roles as nodes, moves as edges keyed by their plan type."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.roles)
        for move in self.moves:
            graph.add_edge(move.source, move.target, key=move.kind, move=move)
        return graph

    def around(self, role_id: str, keep: tuple[str, ...] = (), radius: int = 2) -> Ladder:
        """The part of the ladder within `radius` moves of a role (either way), plus `keep`."""
        import networkx as nx

        near = nx.ego_graph(self.graph().to_undirected(as_view=True), role_id, radius=radius)
        wanted = set(near) | {r for r in keep if r in self.roles}
        return replace(self, roles={i: r for i, r in self.roles.items() if i in wanted})

    def path(self, start: str, goal: str) -> list[str]:
        """The fewest promotions (vertical or dual steps) from start to goal; [] if none."""
        import networkx as nx

        steps = nx.DiGraph(
            (m.source, m.target) for m in self.moves if m.kind in ("vertical", "dual")
        )
        try:
            return nx.shortest_path(steps, start, goal)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []

    def expected(self, role_id: str) -> dict[str, int]:
        """Competency id -> proficiency someone in this role already shows: the role's own
        and those of the levels below it on its track (a level lists what it adds)."""
        import networkx as nx

        role = self.roles[role_id]
        below = nx.DiGraph(
            (m.source, m.target)
            for m in self.moves
            if m.kind == "vertical" and self.roles[m.source].track == role.track
        )
        earlier = nx.ancestors(below, role_id) if role_id in below else set()
        levels: dict[str, int] = {}
        for rung in [role_id, *earlier]:
            for competency in self.roles[rung].competencies:
                levels[competency.id] = max(levels.get(competency.id, 0), competency.proficiency)
        return levels

    def moves_from(self, role_id: str, kind: str = "") -> list[Move]:
        """The moves out of one role, of one plan type or all."""
        return [m for m in self.moves if m.source == role_id and kind in ("", m.kind)]

    def rotations_for(self, role: CareerRole) -> list[Sourced[Rotation]]:
        """Rotations this role's level may join, other than into its own team."""
        return [
            r
            for r in self.rotations
            if _open_to(role, r.item.min_level, r.item.tracks) and r.item.role != role.id
        ]

    def designations_for(self, role: CareerRole) -> list[Sourced[Designation]]:
        """Dual-plan designations open at this role's level."""
        return [d for d in self.designations if _open_to(role, d.item.min_level, d.item.tracks)]

    def course(self, name: str) -> Sourced[Course] | None:
        """The course a certification name refers to ("Lumenfield Academy CS 301 ..." is
        the catalog's "CS 301 ...")."""
        wanted = name.lower()
        for course in self.courses:
            named = course.item.name.lower()
            if named in wanted or wanted in named:
                return course
        return None

    def _readable(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i in self.roles]

    def _same_level_switches(self, role: CareerRole) -> list[str]:
        """The other dual track's roles at the same level (Senior CSM <-> Team Lead)."""
        return [
            other.id
            for other in self.roles.values()
            if other.level == role.level
            and other.family == role.family  # job families read from pages: within one
            and _switches_track(role, other)
        ]


def _open_to(role: CareerRole, min_level: int, tracks: list[str]) -> bool:
    return role.level >= min_level and (not tracks or role.track in tracks)


def _switches_track(role: CareerRole, other: CareerRole) -> bool:
    return role.track != other.track and {role.track, other.track} == DUAL_TRACKS


def build_ladder(rows: Iterable[dict[str, Any]], audiences: tuple[str, ...]) -> Ladder:
    """The ladder from the documents' stored metadata (one row per chunk), readable by the
    given audiences only: a hidden role is not in it, and links to it are noted, not kept."""
    rows = list(rows)
    documents: dict[str, dict[str, Any]] = {}
    for meta in rows:
        documents.setdefault(meta["path"], meta)
    readable = {p: m for p, m in documents.items() if m.get("audience") in audiences}
    roles = {}
    for path, meta in sorted(readable.items()):
        complete = meta.get("role_id") and meta.get("track") and meta.get("level") is not None
        if complete and meta["role_id"] not in roles:  # a duplicate id is `coach check`'s error
            roles[meta["role_id"]] = _role(path, meta)
    # Pages without front matter: their level sections are roles, unless front matter
    # defines the same role (front matter wins).
    inferred = infer_roles(rows, audiences, roles.values())
    roles.update((i, r) for i, r in inferred.roles.items() if i not in roles)
    every_role = {m["role_id"] for m in documents.values() if m.get("role_id")}
    hidden = tuple(
        (role.id, target)
        for role in roles.values()
        for target in role.next_roles + role.lateral_moves + role.dual_roles
        if target in every_role and target not in roles
    )
    plan_docs: dict[str, list[str]] = {}
    for path, meta in sorted(readable.items()):
        if meta.get("plan_type"):
            plan_docs.setdefault(meta["plan_type"], []).append(path)
    return Ladder(
        roles=roles,
        rotations=_records(readable, "rotations", Rotation),
        designations=_records(readable, "designations", Designation),
        courses=_records(readable, "courses", Course),
        plan_docs={k: tuple(v) for k, v in plan_docs.items()},
        hidden_links=hidden,
        partial=not set(AUDIENCES) <= set(audiences),
        unordered=inferred.unordered,
        overridden=inferred.overridden,
    )


def _role(path: str, meta: dict[str, Any]) -> CareerRole:
    months = meta.get("typical_months")
    typical = Months(months[0], months[1]) if isinstance(months, list) and months else None
    return CareerRole(
        id=meta["role_id"],
        title=meta.get("title", meta["role_id"]),
        path=path,
        audience=meta.get("audience", "employee"),
        track=meta["track"],
        level=int(meta["level"]),
        aliases=tuple(meta.get("aliases") or ()),
        typical=typical,
        min_months=meta.get("min_months"),
        next_roles=tuple(meta.get("next_roles") or ()),
        lateral_moves=tuple(meta.get("lateral_moves") or ()),
        dual_roles=tuple(meta.get("dual_roles") or ()),
        certifications=tuple(meta.get("certifications") or ()),
        competencies=tuple(_parsed(meta, "competencies", Competency, path)),
        criteria=tuple(meta.get("promotion_criteria") or ()),
    )


def _records(
    documents: dict[str, dict[str, Any]], name: str, model: type[M]
) -> tuple[Sourced[M], ...]:
    return tuple(
        Sourced(item, path)
        for path, meta in sorted(documents.items())
        for item in _parsed(meta, name, model, path)
    )


def _parsed(meta: dict[str, Any], name: str, model: type[M], path: str) -> list[M]:
    """Records stored as JSON text; an index written by an older version may lack them."""
    raw = meta.get(name)
    if not raw:
        return []
    try:
        return [model.model_validate(item) for item in json.loads(raw)]
    except (ValueError, TypeError, ValidationError):
        log.warning("%s: stored %s are unreadable; re-index the file", path, name)
        return []
