"""A plan for one person: for each plan type, the targets, what changes, training, rules, time."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.answer.blocks import blocks_of, item_line
from coach.answer.retrieve import Source
from coach.career.citations import Citations
from coach.career.diff import competency_changes
from coach.career.scope import scope_line
from coach.errors import CareerError
from coach.index.ladder import CareerRole, Ladder, Months
from coach.index.store import KnowledgeStore
from coach.ingest.metadata import PLAN_TYPES

CAVEAT = "Typical, not an entitlement: your own pace depends on your results and on openings."
# Passages that state who may start a plan and when: by their heading or a list's lead-in.
_RULES = re.compile(r"eligib|rules for|requirement|who can apply|application window", re.I)
_STEPS = re.compile(r"how to (start|apply)", re.I)
_CRITERIA = re.compile(r"promotion criteria", re.I)
_TIME = re.compile(r"typical time", re.I)
_COMPETENCIES = re.compile(r"competenc", re.I)
# An inferred level's section kinds, in the order a plan quotes what they add.
_SECTION_KINDS = ("requirements", "performance indicators", "responsibilities", "expectations")
SIDE_WORDS = 45  # a comparison sums up each role in about two sentences


@dataclass(frozen=True)
class Point:
    """One claim of a plan with the passage that states it ([n], or None if no passage does)."""

    text: str
    cite: int | None = None


@dataclass(frozen=True)
class Option:
    """One way forward of one plan type: a target role, a designation or a rotation."""

    title: str
    target: str  # the target role's id ("" for a designation with no role behind it)
    changes: tuple[Point, ...] = ()  # new or stronger at the target (the competency diff)
    criteria: tuple[Point, ...] = ()  # what a promotion asks for
    training: tuple[Point, ...] = ()  # with cost, who pays and the approval steps
    timeline: Point | None = None


@dataclass(frozen=True)
class Side:
    """One role of a comparison, as its own page or section sums it up."""

    title: str
    summary: Point
    scope: Point | None = None  # what it looks after, in figures ("8-14 named accounts")

    @property
    def points(self) -> tuple[Point, ...]:
        """What is said of it, in order."""
        return (self.summary,) if self.scope is None else (self.summary, self.scope)


@dataclass(frozen=True)
class PlanSection:
    """Everything one plan type offers the person, with its rules and first steps."""

    plan_type: str
    options: tuple[Option, ...]
    rules: tuple[Point, ...]  # eligibility: time in role, rating, application windows
    steps: tuple[Point, ...]  # how to start


@dataclass(frozen=True)
class Plan:
    """A personal next-step plan, every claim cited."""

    role: CareerRole
    persona: str
    sections: tuple[PlanSection, ...]
    questions: tuple[str, ...]  # to bring to the next 1:1
    sources: tuple[Source, ...]
    target: str = ""  # the target role asked for, if any
    sides: tuple[Side, ...] = ()  # with a target: each role summed up, the asker's first
    narrative: str = ""  # with an LLM: a short introduction, cited like the rest
    notice: str = ""  # why there is no narrative, when an LLM was asked for one

    @property
    def targets(self) -> list[str]:
        """Every target role id the plan names."""
        return [o.target for s in self.sections for o in s.options if o.target]


def build_plan(
    ladder: Ladder,
    store: KnowledgeStore,
    role_id: str,
    persona: str,
    plan_type: str = "",
    target: str = "",
) -> Plan:
    """The plan for someone in `role_id`, from a ladder already limited to what the persona
    may read; assembled deterministically, each claim cited to its passage."""
    role = ladder.role(role_id)
    if target:  # an unknown target fails before any work; a title becomes its id
        target = ladder.role(target).id
    if plan_type and plan_type not in PLAN_TYPES:
        raise CareerError(
            f"unknown plan type {plan_type!r} (expected one of: {', '.join(PLAN_TYPES)})"
        )
    citations = Citations(store)
    # One read for every document the plan may cite: the role's, its targets', training, plans.
    nearby = {m.target for m in ladder.moves_from(role.id)} | set(ladder.path(role.id, target))
    nearby |= {r.item.role for r in ladder.rotations_for(role)} | {target} - {""}
    citations.load(
        [role.path, *(ladder.roles[r].path for r in sorted(nearby) if r in ladder.roles)]
        + [c.path for c in ladder.courses]
        + [p for paths in ladder.plan_docs.values() for p in paths]
    )
    builder = _Builder(ladder, citations, role)
    sections = []
    for kind in [plan_type] if plan_type else PLAN_TYPES:
        options = builder.options(kind, target)
        if options:
            sections.append(
                PlanSection(kind, tuple(options), builder.rules(kind), builder.steps(kind))
            )
    questions = _questions(ladder, role, sections)
    sides = tuple(builder.side(r) for r in (role, ladder.roles[target])) if target else ()
    if not all(side.summary.cite for side in sides):
        sides = ()  # a side with nothing to quote compares nothing
    sources = tuple(citations.sources)
    return Plan(role, persona, tuple(sections), questions, sources, target, sides)


class _Builder:
    """Turns the ladder's moves into cited options for one role."""

    def __init__(self, ladder: Ladder, citations: Citations, role: CareerRole) -> None:
        self.ladder = ladder
        self.cite = citations
        self.role = role

    def options(self, kind: str, target: str) -> list[Option]:
        """Every option of one plan type (only those leading to `target`, when given)."""
        moves = [m for m in self.ladder.moves_from(self.role.id, kind) if target in ("", m.target)]
        options = [self.role_option(self.ladder.roles[m.target], kind) for m in moves]
        if kind == "dual":
            options += [
                self.designation_option(d.item.name, d.item.months, d.path, d.item.prepares_for)
                for d in self.ladder.designations_for(self.role)
                if target in ("", d.item.prepares_for)
            ]
        if kind == "horizontal":
            options += [
                self.rotation_option(r.item.name, r.item.months, r.path, r.item.role)
                for r in self.ladder.rotations_for(self.role)
                if target in ("", r.item.role)
            ]
        # A target further up, not a move of another plan type (CSM II to Team Lead is a dual
        # move: the training it asks for is the Team Lead's, not CSM II's promotion training).
        direct = any(m.target == target for m in self.ladder.moves_from(self.role.id))
        if target and not options and kind == "vertical" and not direct:
            path = self.ladder.path(self.role.id, target)
            if path:  # a target further up: the diff to it and the time along the way
                options.append(self.role_option(self.ladder.roles[target], kind, path))
        return options

    def side(self, role: CareerRole) -> Side:
        """The role as its page (or, inferred, its level section) opens: the first paragraph's
        first sentences, up to SIDE_WORDS words; a levels table's cells for a table's role."""
        rows = self.cite.section(role) if role.inferred else self.cite.chunks(role.path)
        title = role.short_title
        scope = scope_line(rows)
        for row in rows:
            for block in blocks_of(row[1]):
                if block.kind == "paragraph" and block.parts:
                    # With its figures beside it, the role's first sentence says enough.
                    opening = block.parts[0] if scope else _opening(block.parts)
                    summary = Point(opening, self.cite.number(row))
                    if scope is None or scope[0] in opening:
                        return Side(title, summary)
                    return Side(title, summary, Point(scope[0], self.cite.number(scope[1])))
        if role.facts and rows:
            return Side(title, Point("; ".join(role.facts), self.cite.number(rows[0])))
        return Side(title, Point(""))

    def role_option(self, target: CareerRole, kind: str, path: list[str] | None = None) -> Option:
        """A move to another role: its diff, criteria, training and timeline."""
        changes = []
        for change in competency_changes(self.ladder.expected(self.role.id), target):
            quoted = self._item(target.path, change.label)
            changes.append(Point(f"{change.summary()}: {quoted[0]}", quoted[1]))
        if target.facts and not changes:  # a levels table's row: its cells that differ
            cite = next((self.cite.number(r) for r in self.cite.section(target)), None)
            today = set(self.role.facts)
            changes = [Point(fact, cite) for fact in target.facts if fact not in today]
        elif target.inferred and not changes:  # no competencies: what its section adds
            changes = self._section_changes(target)
        vertical = kind == "vertical"
        criteria = self._criteria() if vertical and not path else ()
        # Training that prepares a promotion is listed on the current role's page; for any
        # other move, the target's own page lists what it expects.
        if path:  # further up: the training of each level on the way
            names = tuple(n for r in path[:-1] for n in self.ladder.roles[r].certifications)
        else:
            names = self.role.certifications if vertical else target.certifications
        return Option(
            title=f"{target.title} ({target.id})",
            target=target.id,
            changes=tuple(changes),
            criteria=criteria,
            training=tuple(self._training(name) for name in dict.fromkeys(names)),
            timeline=self._timeline(path) if vertical else None,
        )

    def designation_option(
        self, name: str, months: list[int], path: str, prepares_for: str
    ) -> Option:
        """A dual-plan designation taken on beside the role."""
        span = Months(months[0], months[-1]) if months else None
        why = (
            f", preparing for {self.ladder.roles[prepares_for].title}"
            if prepares_for in self.ladder.roles
            else ""
        )
        text = f"Held beside your role for {span}{why}." if span else f"Held beside your role{why}."
        return Option(
            title=f"{name} designation",
            target=prepares_for if prepares_for in self.ladder.roles else "",
            timeline=Point(text, self.cite.cite(path, name)),
        )

    def rotation_option(self, name: str, months: int, path: str, host: str) -> Option:
        """A rotation into another team, and back: a trial of the host team's role."""
        changes: tuple[Point, ...] = ()
        title = f"{name} rotation ({Months(months, months)})"
        if host in self.ladder.roles:
            host_role = self.ladder.roles[host]
            title += f", a trial of {host_role.title}"
            # The permanent move lists the same changes: say them once.
            if host not in self.role.lateral_moves:
                changes = self.role_option(host_role, "horizontal").changes
        return Option(
            title=title,
            target=host if host in self.ladder.roles else "",
            changes=changes,
            timeline=Point(f"A {months}-month rotation.", self.cite.cite(path, name)),
        )

    def rules(self, kind: str) -> tuple[Point, ...]:
        """Eligibility and application windows from the documents explaining this plan type."""
        return self._listed(kind, _RULES)

    def steps(self, kind: str) -> tuple[Point, ...]:
        """How to start a plan of this type."""
        return self._listed(kind, _STEPS)

    def _listed(self, kind: str, wanted: re.Pattern[str]) -> tuple[Point, ...]:
        points: list[Point] = []
        for path in self.ladder.plan_docs.get(kind, ()):
            for _, text, meta in self.cite.chunks(path):
                by_heading = bool(wanted.search(meta.get("heading", "").rsplit(" > ", 1)[-1]))
                for block in blocks_of(text):
                    if block.kind == "list" and (by_heading or wanted.search(block.context)):
                        n = self.cite.cite(path, item_line(block.parts[0]))
                        points += [Point(item_line(part), n) for part in block.parts]
        return tuple(dict.fromkeys(points))

    def _criteria(self) -> tuple[Point, ...]:
        """The current role's promotion criteria: its front matter's, else its page's list."""
        if self.role.criteria:
            n = self.cite.cite(self.role.path, heading=_CRITERIA.pattern)
            return tuple(Point(text, n) for text in self.role.criteria)
        found = self.cite.passage(self.role.path, heading=_CRITERIA.pattern)
        if found is None:
            return ()
        n, text = found
        return tuple(
            Point(item_line(part), n)
            for block in blocks_of(text)
            if block.kind == "list"
            for part in block.parts
        )

    def _training(self, name: str) -> Point:
        course = self.ladder.course(name)
        if course is None:  # no training document prices it: cite where the role names it
            return Point(name, self.cite.cite(self.role.path, name))
        item = course.item
        cost = ", ".join(
            part for part in (item.cost, f"paid by {item.paid_by}" if item.paid_by else "") if part
        )
        facts = [cost, f"approval: {item.approval}" if item.approval else ""]
        details = "; ".join(f for f in facts if f)
        text = f"{item.name}: {details}" if details else item.name
        return Point(text, self.cite.cite(course.path, item.name))

    def _timeline(self, path: list[str] | None) -> Point | None:
        """Typical time before the step, as a range with its caveat."""
        steps = [self.ladder.roles[r] for r in (path or [self.role.id, ""])[:-1]]
        spans = [r.typical for r in steps if r.typical]
        if not spans:
            return None
        span = Months(sum(s.low for s in spans), sum(s.high for s in spans))
        where = " and ".join(r.short_title for r in steps)
        earliest = (
            f"; a nomination is possible after {self.role.min_months} months at the earliest"
            if self.role.min_months and len(steps) == 1
            else ""
        )
        text = f"Typically {span} as {where}{earliest}. {CAVEAT}"
        return Point(text, self.cite.cite(self.role.path, heading=_TIME.pattern))

    def _section_changes(self, target: CareerRole) -> list[Point]:
        """What the target's level section asks for that this role's does not, verbatim and
        cited: its requirements, then its responsibilities and the rest, item by item."""
        today = {
            _flat(item_line(part))
            for _, text, _ in (self.cite.section(self.role) if self.role.inferred else [])
            for block in blocks_of(text)
            for part in block.parts
        }
        rows = sorted(
            self.cite.section(target),
            key=lambda r: _SECTION_KINDS.index(r[2].get("section_kind", "")) if r[2].get(
                "section_kind", ""
            ) in _SECTION_KINDS else len(_SECTION_KINDS),
        )
        points: dict[str, Point] = {}  # overlapping chunks repeat items: each once
        for row in rows:
            for block in blocks_of(row[1]):
                for part in block.parts if block.kind == "list" else ():
                    said = _flat(item_line(part))
                    if said not in today and said not in points:
                        points[said] = Point(item_line(part), self.cite.number(row))
        return list(points.values())

    def _item(self, path: str, label: str) -> tuple[str, int | None]:
        """The list item of `path` that starts with `label` ("Coaching:"), verbatim, with its
        citation; a competencies section is searched first (other sections reuse words)."""
        rows = sorted(
            self.cite.chunks(path), key=lambda r: not _COMPETENCIES.search(r[2].get("heading", ""))
        )
        wanted = f"{label.lower()}:"
        for row in rows:
            for block in blocks_of(row[1]):
                for part in block.parts:
                    line = item_line(part)
                    if line.replace("**", "").lower().startswith(wanted):
                        return line, self.cite.number(row)
        return label, None


def _opening(sentences: tuple[str, ...] | list[str]) -> str:
    """Whole sentences from the start, while they fit SIDE_WORDS words (at least one)."""
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join([*kept, sentence]).split()) > SIDE_WORDS:
            break
        kept.append(sentence)
    return " ".join(kept)


def _flat(text: str) -> str:
    """An item compared across levels: case, emphasis and spacing aside."""
    return " ".join(text.replace("**", "").split()).casefold()


def _questions(ladder: Ladder, role: CareerRole, sections: list[PlanSection]) -> tuple[str, ...]:
    """Three questions for the next 1:1, from the plan's own content."""
    options = [o for s in sections for o in s.options]
    target = next((ladder.roles[o.target] for o in options if o.target), None)
    changes = competency_changes(ladder.expected(role.id), target) if target else []
    training = next((o.training[0].text.split(":")[0] for o in options if o.training), "")
    kinds = ", ".join(s.plan_type for s in sections) or "vertical, dual, horizontal"
    return (
        f"Which plan type ({kinds}) fits me best from {role.short_title}, and what would you "
        "need to see from me this quarter?",
        f"Where am I today on {changes[0].label.lower()}, which {target.short_title} expects, "
        "and what piece of work would show it?"
        if changes and target
        else "Which expectations of the next step do I already meet, and which not yet?",
        f"Can we add {training} to my Individual Growth Plan, and when should I request it?"
        if training
        else "Which training should we add to my Individual Growth Plan this year?",
    )
