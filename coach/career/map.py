"""The career map: tracks as lanes, levels as rows, the three kinds of move as distinct arrows."""

from __future__ import annotations

import html
import io
import math
import re
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib

# Figure without pyplot: no global state and no display, so app threads can draw at once.
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from coach.errors import CareerError
from coach.index.ladder import CareerRole, Ladder, Move

FORMATS = (".png", ".svg")
# Type sizes in points: at the map's natural size a point is 4/3 of a CSS pixel, so the
# smallest (9 pt) reads as 12 px on the page (a screen's smallest comfortable size).
ROLE_FONT, HEADER_FONT, NOTE_FONT = 9.5, 10, 9
CURRENT_ID = "current-role"  # the person's box in the SVG, which the page centres on
PIXELS_PER_POINT = 96 / 72  # CSS pixels per point
_SVG_SIZE = re.compile(r'width="([\d.]+)pt" height="([\d.]+)pt"')
# A ladder bigger than this is drawn around the person: their role and the roles a few moves
# away (and their targets), so the picture stays readable and quick.
WHOLE_MAP_ROLES = 40
MAP_RADIUS = 2
LANE_WIDTH = 3.2
ROW_HEIGHT = 1.6
BOX_WIDTH, BOX_HEIGHT = 2.5, 0.9
# One look per plan type, told apart by line style as well as colour (readable in greyscale).
STYLES = {
    "vertical": {"color": "#1f3b73", "linestyle": "-"},
    "dual": {"color": "#2a9d8f", "linestyle": "--"},
    "horizontal": {"color": "#e07a1f", "linestyle": ":"},
}
ROLE_FILL, CURRENT_FILL, TARGET_EDGE = "#f4f6fb", "#1f3b73", "#e63946"
# The two dual tracks sit side by side so their switches are short arrows.
LANE_ORDER = ("ic", "management")


@dataclass(frozen=True)
class Placed:
    """A role's box centre on the map."""

    role: CareerRole
    x: float
    y: float


def draw_map(ladder: Ladder, current: str = "", targets: tuple[str, ...] = ()) -> Figure:
    """The ladder as a figure; `current` filled, `targets` outlined (a large ladder: the part
    around `current`)."""
    if not ladder:
        raise CareerError(ladder.missing())
    # An unknown role is a one-line error, not an empty map; a title becomes its id.
    current = ladder.role(current).id if current else ""
    targets = tuple(ladder.role(t).id for t in targets if t)
    if current and len({r.family for r in ladder.roles.values()}) > 1:
        # Job families read from real pages: the person's own family, and their targets.
        family = ladder.roles[current].family
        keep = {i for i, r in ladder.roles.items() if r.family == family} | set(targets)
        ladder = replace(ladder, roles={i: r for i, r in ladder.roles.items() if i in keep})
    if current and len(ladder.roles) > WHOLE_MAP_ROLES:
        ladder = ladder.around(current, targets, MAP_RADIUS)
    levels = sorted({r.level for r in ladder.roles.values()})
    # Rows by rank, not by number: an inferred ladder's IC levels (1-4) and management
    # levels (10-14) would leave empty rows between them.
    rows = {level: row for row, level in enumerate(levels)}
    placed = _place(ladder, rows)
    lanes = sorted({p.x for p in placed.values()})
    width = max(6.0, LANE_WIDTH * len(lanes) + 1.5)
    height = max(4.0, ROW_HEIGHT * len(levels) + 1.8)
    figure = Figure(figsize=(width, height), dpi=110)
    axes = figure.subplots()
    axes.set_xlim(min(lanes) - LANE_WIDTH / 2 - 0.6, max(lanes) + LANE_WIDTH / 2)
    axes.set_ylim(-1.0, (len(levels) - 1) * ROW_HEIGHT + 1.1)
    axes.axis("off")
    _lanes(axes, placed, rows)
    boxes = {
        role_id: _box(axes, spot, role_id == current, role_id in targets)
        for role_id, spot in placed.items()
    }
    drawn: set[tuple[frozenset[str], str]] = set()
    for move in ladder.moves:
        pair = frozenset((move.source, move.target))
        if (pair, move.kind) in drawn:
            continue  # a move both ways is one double-headed arrow
        drawn.add((pair, move.kind))
        both = any(
            m.source == move.target and m.target == move.source and m.kind == move.kind
            for m in ladder.moves
        )
        # With a person on the map, their own moves stand out and the rest recede.
        faint = bool(current) and current not in pair
        _arrow(axes, placed, boxes, move, both, faint)
    axes.legend(
        handles=_legend(),
        loc="upper left",
        bbox_to_anchor=(0, 1.0),
        fontsize=NOTE_FONT,
        frameon=False,
    )
    figure.tight_layout()
    return figure


def save_map(figure: Figure, path: Path) -> Path:
    """Write the figure as PNG or SVG, by the file's suffix."""
    if path.suffix.lower() not in FORMATS:
        raise CareerError(f"cannot write {path.name}: the map is written as .png or .svg")
    try:
        figure.savefig(path, format=path.suffix.lower()[1:], bbox_inches="tight")
    except OSError as exc:
        raise CareerError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def map_svg(figure: Figure, label: str) -> str:
    """The figure as an inline <svg> element for a web page: text kept as text (sharp at every
    zoom), sized in CSS pixels so its type is the size it was set in, named for screen readers."""
    drawn = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "coach-map"}):
        figure.savefig(drawn, format="svg", bbox_inches="tight")
    svg = drawn.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or doctype inside a page
    size = _SVG_SIZE.search(svg)
    if size is None:
        return svg
    # Rounded up: rounded down, 9 pt type would show a hair under 12 px.
    width, height = (math.ceil(float(size.group(n)) * PIXELS_PER_POINT) for n in (1, 2))
    named = f'width="{width}" height="{height}" role="img" aria-label="{html.escape(label)}"'
    return svg[: size.start()] + named + svg[size.end() :]


def _lane(role: CareerRole) -> tuple[str, int, str]:
    """A role's lane: its family (inferred ladders have several), then its track."""
    order = LANE_ORDER.index(role.track) if role.track in LANE_ORDER else len(LANE_ORDER)
    return (role.family, order, role.track)


def _place(ladder: Ladder, rows: dict[int, int]) -> dict[str, Placed]:
    lanes = sorted({_lane(r) for r in ladder.roles.values()})
    placed: dict[str, Placed] = {}
    for at, lane in enumerate(lanes):
        by_level: dict[int, list[CareerRole]] = {}
        for role in sorted(ladder.roles.values(), key=lambda r: r.title):
            if _lane(role) == lane:
                by_level.setdefault(role.level, []).append(role)
        for level, roles in by_level.items():
            for i, role in enumerate(roles):  # several roles at one level share the cell
                offset = (i - (len(roles) - 1) / 2) * 0.35
                placed[role.id] = Placed(
                    role, at * LANE_WIDTH + offset, rows[level] * ROW_HEIGHT + offset
                )
    return placed


def _lanes(axes, placed: dict[str, Placed], rows: dict[int, int]) -> None:
    """Lane headers and level labels, with light bands so rows read across."""
    lanes = {_lane(p.role): p.x for p in placed.values()}
    top = (len(rows) - 1) * ROW_HEIGHT + 0.8
    for (family, _, track), x in lanes.items():
        name = "\n".join([*textwrap.wrap(family, 24)[:2], track.upper()])
        axes.text(
            x, top, name, ha="center", va="bottom", fontsize=HEADER_FONT, weight="bold",
            color="#555",
        )
    left = min(lanes.values()) - LANE_WIDTH / 2 - 0.3
    for level, row in rows.items():
        y = row * ROW_HEIGHT
        axes.axhspan(
            y - ROW_HEIGHT / 2,
            y + ROW_HEIGHT / 2,
            color="#fafafa" if level % 2 else "#f0f0f0",
            zorder=0,
        )
        axes.text(left, y, f"L{level}", ha="center", va="center", fontsize=NOTE_FONT, color="#666")


def _box(axes, spot: Placed, current: bool, target: bool) -> FancyBboxPatch:
    fill = CURRENT_FILL if current else ROLE_FILL
    edge = TARGET_EDGE if target else "#8090b0"
    box = axes.add_patch(
        FancyBboxPatch(
            (spot.x - BOX_WIDTH / 2, spot.y - BOX_HEIGHT / 2),
            BOX_WIDTH,
            BOX_HEIGHT,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=fill,
            edgecolor=edge,
            linewidth=2.6 if target or current else 1.0,
            zorder=3,
            gid=CURRENT_ID if current else None,
        )
    )
    title = "\n".join(textwrap.wrap(spot.role.short_title, 22)[:2])
    note = " (you)" if current else " (target)" if target else ""
    axes.text(
        spot.x,
        spot.y,
        f"{title}\n{spot.role.id}{note}",
        ha="center",
        va="center",
        fontsize=ROLE_FONT,
        color="white" if current else "#1a1a1a",
        zorder=4,
    )
    return box


def _arrow(
    axes,
    placed: dict[str, Placed],
    boxes: dict[str, FancyBboxPatch],
    move: Move,
    both: bool,
    faint: bool,
) -> None:
    """One move, clipped to the boxes it joins; a long one bows so it passes no box."""
    style = STYLES[move.kind]
    start, end = placed[move.source], placed[move.target]
    across = end.x - start.x
    if start.y == end.y and abs(across) > LANE_WIDTH * 1.01:
        # Bow up into the gap between rows (a quadratic curve peaks at half its control
        # offset), so it passes over the boxes of its own row, not through them.
        bend = -ROW_HEIGHT / across
    else:
        bend = 0.0 if abs(across) < 0.01 else 0.12
    axes.add_patch(
        FancyArrowPatch(
            (start.x, start.y),
            (end.x, end.y),
            patchA=boxes[move.source],
            patchB=boxes[move.target],
            arrowstyle="<|-|>" if both else "-|>",
            mutation_scale=13,
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=1.7,
            alpha=0.25 if faint else 1.0,
            connectionstyle=f"arc3,rad={bend}",
            shrinkA=2,
            shrinkB=2,
            zorder=2,
        )
    )
    if move.months and move.kind == "vertical" and not faint:
        axes.text(
            (start.x + end.x) / 2 + 0.08,
            (start.y + end.y) / 2,
            str(move.months).replace(" months", " mo"),
            fontsize=NOTE_FONT,
            color=style["color"],
            ha="left",
            va="center",
            zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )


def _legend() -> list[Line2D]:
    handles = [
        Line2D(
            [], [], color=s["color"], linestyle=s["linestyle"], linewidth=1.6, label=f"{kind} move"
        )
        for kind, s in STYLES.items()
    ]
    handles.append(Line2D([], [], color=TARGET_EDGE, linewidth=2.6, label="target"))
    return handles
