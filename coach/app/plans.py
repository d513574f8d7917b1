"""The My plan tab's work, scoped to the viewer: show, map, export, save and reopen plans."""

from __future__ import annotations

from dataclasses import dataclass

from coach.app.plan_store import PlanRequest, PlanStore, SavedRecord
from coach.app.rendering import linked_citations, render_passages
from coach.app.service import CoachService, Viewer
from coach.career.plan import Plan
from coach.career.render import plan_markdown
from coach.errors import CareerError

PLAN_ANCHOR = "plan-source"  # the chat's sources use "source-n" on the same page
# The map is inline SVG at its own size (its type 12 px and up) in a view that scrolls to pan;
# these buttons zoom it (page.js), and the view opens centred on the person's role.
MAP_TOOLS = (
    '<div class="map-tools" role="toolbar" aria-label="Zoom the career map">'
    '<button type="button" data-zoom="in" aria-label="Zoom in">+</button>'
    '<button type="button" data-zoom="out" aria-label="Zoom out">&minus;</button>'
    '<button type="button" data-zoom="fit" aria-label="Fit to width">Fit</button>'
    '<button type="button" data-zoom="reset" aria-label="Actual size">100%</button></div>'
)


@dataclass(frozen=True)
class PlanView:
    """What the tab shows for one plan."""

    markdown: str
    map_html: str  # inline SVG: no file route, so nothing to grant or leak
    sources: str
    claims: tuple[tuple[str, str, int], ...]  # (claim, document path, [n]), for "what changed"


class PlanDesk:
    """Plans for the signed-in viewer, under the persona they may take."""

    def __init__(self, service: CoachService) -> None:
        self.service = service
        self.store = PlanStore(service.history)

    def request(self, viewer: Viewer, persona: str, role_id: str, plan_type: str, target: str):
        """The plan request, with the persona checked against what the viewer may take."""
        if not role_id:
            raise CareerError("choose your current role first")
        persona = self.service.persona_for(viewer, persona)
        return PlanRequest(persona, role_id, plan_type or "", target or "")

    def show(self, viewer: Viewer, request: PlanRequest) -> PlanView:
        """The plan, its map and its sources, as this persona may see them."""
        self.service.persona_for(viewer, request.persona)  # a saved plan's persona too
        return self._view(request, self._plan(request))

    def _view(self, request: PlanRequest, plan: Plan) -> PlanView:
        from coach.career.map import draw_map, map_svg  # matplotlib: loaded at the first map

        ladder = self.service.coach.ladder(request.persona)
        targets = (request.target,) if request.target else tuple(plan.targets)
        figure = draw_map(ladder, request.role_id, targets)
        svg = map_svg(figure, f"Career map for {plan.role.title} ({request.role_id})")
        html = MAP_TOOLS + f'<div class="map-view" tabindex="0">{svg}</div>'
        # Each [n] links to its passage in the sources beside the plan, as in the chat.
        numbers = {source.n for source in plan.sources}
        text = linked_citations(plan_markdown(plan, folded=True), numbers, PLAN_ANCHOR)
        listed = render_passages(list(plan.sources), anchor=PLAN_ANCHOR)
        sources = f"### Sources\n\n{listed}" if plan.sources else ""
        return PlanView(text, html, sources, _claims(plan))

    def export(self, viewer: Viewer, request: PlanRequest) -> str:
        """The plan as Markdown, for a file only the viewer may download."""
        self.service.persona_for(viewer, request.persona)
        return plan_markdown(self._plan(request))

    def save(self, viewer: Viewer, request: PlanRequest) -> SavedRecord:
        """Keep the plan with the versions of the documents it was built from."""
        self.service.persona_for(viewer, request.persona)
        plan = self._plan(request)
        plan_id = self.store.save(
            viewer.name,
            request,
            plan_markdown(plan),
            [(text, path) for text, path, _ in _claims(plan)],
            self._versions(plan),
        )
        return self.store.get(viewer.name, plan_id)

    def saved(self, viewer: Viewer) -> list[SavedRecord]:
        """The viewer's saved plans, newest first."""
        return self.store.mine(viewer.name)

    def reopen(self, viewer: Viewer, plan_id: int) -> tuple[SavedRecord, PlanView, str]:
        """A saved plan as it reads today, and what changed in the documents since it was
        saved (empty when nothing did)."""
        record = self.store.get(viewer.name, plan_id)
        self.service.persona_for(viewer, record.request.persona)  # still theirs to take?
        plan = self._plan(record.request)  # built once: with an LLM, one narrative
        view = self._view(record.request, plan)
        current = self._versions(plan)
        changed = sorted(
            path
            for path in set(record.versions) | set(current)
            if record.versions.get(path) != current.get(path)
        )
        return record, view, _changes(record, view, changed)

    def _plan(self, request: PlanRequest) -> Plan:
        return self.service.coach.plan(
            request.role_id, request.persona, request.plan_type, request.target, narrate=True
        )

    def _versions(self, plan: Plan) -> dict[str, str]:
        files = self.service.coach.store.indexed_files()
        paths = {source.path for source in plan.sources}
        return {path: files[path].source_hash for path in sorted(paths) if path in files}


def _claims(plan: Plan) -> tuple[tuple[str, str, int], ...]:
    """Every cited claim of the plan with the document that states it and its [n]."""
    paths = {source.n: source.path for source in plan.sources}
    points = [
        point
        for section in plan.sections
        for option in section.options
        for point in (*option.changes, *option.criteria, *option.training, option.timeline)
        if point is not None
    ]
    points += [p for section in plan.sections for p in (*section.rules, *section.steps)]
    return tuple(
        dict.fromkeys((p.text, paths.get(p.cite, ""), p.cite or 0) for p in points if p.cite)
    )


def _changes(record: SavedRecord, view: PlanView, changed: list[str]) -> str:
    """Markdown: the documents updated since the plan was saved, and the claims that came or
    went with them (new ones as they read now, with the document to check)."""
    if not changed:
        return ""
    before = set(record.claims)
    now = {(text, path) for text, path, _ in view.claims}
    lines = [
        f"**Changed since you saved this plan on {record.created:%Y-%m-%d}:** "
        + ", ".join(f"`{path}`" for path in changed),
    ]
    # New points cite the plan as it reads now; gone ones name the document that dropped them.
    lines += [f"- New: {t} [{n}] ({p})" for t, p, n in view.claims if (t, p) not in before]
    removed = [claim for claim in record.claims if claim not in now]
    lines += [f"- No longer in the documents: {text} ({path})" for text, path in removed]
    added = [claim for claim in view.claims if claim[:2] not in before]
    if not added and not removed:
        lines.append("- The plan's own points read the same; the documents changed elsewhere.")
    return "\n".join(lines)
