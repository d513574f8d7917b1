"""A plan as Markdown (to read, export or paste into a growth plan) and as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coach.answer.citations import Numbering
from coach.answer.retrieve import Source
from coach.career.plan import Option, Plan, PlanSection, Point

CHAT_CRITERIA = 3  # promotion criteria a chat answer shows; the full plan has them all
CHAT_CHANGES = 8  # a level's section can list 30 items: the chat shows the first, the plan all
SECTION_TITLES = {
    "vertical": "Vertical plan: up your track",
    "dual": "Dual plan: a second responsibility or the other track",
    "horizontal": "Horizontal plan: another team",
}


def _line(point: Point) -> str:
    return f"{point.text} [{point.cite}]" if point.cite else point.text


def plan_markdown(plan: Plan, today: dt.date | None = None, folded: bool = False) -> str:
    """The whole plan as Markdown, every claim followed by its citation; `folded` (for the page,
    where a plan of every type runs to several screens): a summary first, each plan type behind
    its own <details>, and no source list (the page shows the sources beside it)."""
    role = plan.role
    day = (today or dt.date.today()).isoformat()
    lines = [
        f"# Career plan: {role.title}",
        "",
        f"Built on {day} from the company documents for someone who is a {role.title} "
        f"({role.id}, level {role.level}, {role.track} track).",
    ]
    if plan.narrative:
        lines += ["", "## In short", "", plan.narrative]
    if plan.notice:
        lines += ["", f"*Note: {plan.notice}.*"]
    if plan.sides:
        lines += ["", "## Side by side", ""]
        lines += [
            f"- **{side.title}:** {' '.join(_line(p) for p in side.points)}" for side in plan.sides
        ]
    if not plan.sections and plan.target:
        lines += ["", f"No move in the ladder leads from {role.id} to {plan.target}."]
    elif not plan.sections:
        lines += ["", "The documents name no next step from this role."]
    fold = folded and len(plan.sections) > 1
    if fold:
        lines += ["", "## At a glance", ""]
        lines += [f"- {_glance(section)}" for section in plan.sections]
    for section in plan.sections:
        title = SECTION_TITLES[section.plan_type]
        # Markdown inside <details> needs blank lines around it to be read as Markdown.
        opening = f"<details><summary><b>{title}</b></summary>" if fold else f"## {title}"
        lines += ["", opening]
        for option in section.options:
            lines += ["", *_option_lines(option)]
        if section.rules:
            lines += ["", "**Who can, and when**", *(f"- {_line(p)}" for p in section.rules)]
        if section.steps:
            lines += ["", "**How to start**"]
            lines += [f"- {_line(p)}" for p in section.steps]
        if fold:
            lines += ["", "</details>"]
    lines += ["", "## Questions for your next 1:1", ""]
    lines += [f"{i}. {q}" for i, q in enumerate(plan.questions, start=1)]
    if not folded:
        lines += ["", "## Sources", ""]
        lines += [f"- {source.cite()}" for source in plan.sources]
    return "\n".join(lines) + "\n"


def _glance(section: PlanSection) -> str:
    """One plan type in a line: where it leads, and the first option's timeline."""
    titles = ", ".join(option.title for option in section.options)
    line = f"**{section.plan_type.capitalize()}:** {titles}"
    first = section.options[0].timeline if section.options else None
    return f"{line}. {_line(first)}" if first else line


def _option_lines(option: Option) -> list[str]:
    lines = [f"### {option.title}"]
    if option.timeline:
        lines += ["", f"**Timeline:** {_line(option.timeline)}"]
    parts = [
        ("What changes (new or stronger than today)", option.changes),
        ("Promotion criteria", option.criteria),
        ("Training", option.training),
    ]
    for title, points in parts:
        if points:
            lines += ["", f"**{title}**", *(f"- {_line(p)}" for p in points)]
    return lines


def chat_answer(
    plan: Plan, target: str = "", options_per_type: int = 2, requirements: bool = False
) -> tuple[str, list[Source]]:
    """A plan's essentials as a chat answer, its sources renumbered 1..n in the order cited:
    the comparison with `target` when one is named (what the move asks for first, with
    `requirements`), else each plan type's first options."""
    numbering = Numbering({source.n for source in plan.sources})

    def line(point: Point) -> str:
        return point.text if point.cite is None else f"{point.text} [{numbering(point.cite)}]"

    options = [(s, o) for s in plan.sections for o in s.options]
    chosen = [(s, o) for s, o in options if o.target == target] if target else []
    if chosen:
        section, option = chosen[0]
        # "X vs Y": each side as its own page sums it up, then the diff; numbered as read.
        sides = [] if requirements or not plan.sides else [
            f"**{' and '.join(side.title for side in plan.sides)}, side by side**",
            *(f"- **{s.title}:** {' '.join(line(p) for p in s.points)}" for s in plan.sides),
            "",
        ]
        changes = [f"- {line(p)}" for p in option.changes[:CHAT_CHANGES]] or [
            "- No competency is new or stronger."
        ]
        if len(option.changes) > CHAT_CHANGES:
            changes.append(f"- ... and {len(option.changes) - CHAT_CHANGES} more in the full plan.")
        asks = []
        for title, points in (
            ("Promotion criteria", option.criteria),
            ("Training", option.training),
        ):
            if points:
                asks += ["", f"**{title}**", *(f"- {line(p)}" for p in points)]
        if requirements:  # "what do I need for Senior CSM?": what the move asks for, first
            lines = [f"**What it takes to become {option.title}, from {plan.role.title}**"]
            lines += [*asks, "", "**What changes**", *changes] if asks else changes
        else:
            title = f"**What changes from {plan.role.title} to {option.title}**"
            lines = [*sides, title, *changes, *asks]
        if option.timeline:
            lines += ["", f"**Timeline:** {line(option.timeline)}"]
    else:
        article = "an" if plan.role.title[:1].lower() in "aeiou" else "a"
        lines = [f"**Your next steps as {article} {plan.role.title}**"]
        for section in plan.sections:
            shown = section.options[:options_per_type]
            lines += [
                "",
                f"**{section.plan_type.capitalize()} plan:** {', '.join(o.title for o in shown)}",
            ]
            first = shown[0]
            if first.timeline:
                lines.append(f"- {line(first.timeline)}")
            lines += [f"- {line(p)}" for p in first.changes[:2]]
            if first.criteria:  # what a promotion asks for is the answer to "how do I get there"
                lines += ["", "What the promotion asks for:"]
                lines += [f"- {line(p)}" for p in first.criteria[:CHAT_CRITERIA]]
            lines += [f"- {line(p)}" for p in section.rules[:1]]
    lines += [
        "",
        f"The full plan, with training, eligibility, first steps and questions for your next 1:1: "
        f"the **My plan** tab, or `coach plan --role {plan.role.id}`.",
    ]
    cited = len(numbering.order)  # a chat answer lists only what it cites
    return "\n".join(lines), numbering.sources(plan.sources)[:cited]


def plan_json(plan: Plan) -> dict[str, Any]:
    """The object `coach plan --json` prints."""
    return {
        "role": {
            "id": plan.role.id,
            "title": plan.role.title,
            "track": plan.role.track,
            "level": plan.role.level,
        },
        "persona": plan.persona,
        "plan_types": [
            {
                "plan_type": s.plan_type,
                "options": [_option_json(o) for o in s.options],
                "rules": [_point_json(p) for p in s.rules],
                "steps": [_point_json(p) for p in s.steps],
            }
            for s in plan.sections
        ],
        "sides": [
            {
                "title": s.title,
                "summary": _point_json(s.summary),
                "scope": _point_json(s.scope) if s.scope else None,
            }
            for s in plan.sides
        ],
        "narrative": plan.narrative or None,
        "notice": plan.notice or None,
        "questions": list(plan.questions),
        "sources": [
            {"n": s.n, "path": s.path, "title": s.title, "heading": s.heading} for s in plan.sources
        ],
    }


def _option_json(option: Option) -> dict[str, Any]:
    return {
        "title": option.title,
        "target": option.target or None,
        "timeline": _point_json(option.timeline) if option.timeline else None,
        "changes": [_point_json(p) for p in option.changes],
        "criteria": [_point_json(p) for p in option.criteria],
        "training": [_point_json(p) for p in option.training],
    }


def _point_json(point: Point) -> dict[str, Any]:
    return {"text": point.text, "cite": point.cite}
