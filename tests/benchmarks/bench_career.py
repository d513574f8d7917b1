"""Career engine benchmark: plan and map time, the sample ladder beside two of 500 roles.

The sample, a generated 500-role ladder with our front matter, and 500 roles inferred from 50
generated job-family pages (ten level sections each, no front matter: the real-page shape) are
indexed for real (Chroma, MiniLM) in one run; then, warm, every timing round alternates between
them: reading the ladder from the index (once per sync), a plan (all three plan types, cited)
and a map (PNG) for a role. Also: splitting a page into placed sections (ms per page) and the
memory a ladder read allocates at its peak.
Run with `make bench`; prints JSON, and the ratios of the big ladders to the sample.
"""

from __future__ import annotations

import io
import json
import logging
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from coach.career.map import draw_map
from coach.compose import Coach
from coach.config import load_settings
from coach.ingest.chunking import split_document
from coach.ingest.documents import load_document

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 30
TRACKS = 50
LEVELS = 10  # 50 tracks x 10 levels = 500 roles (a level is at most 20)
COMPETENCIES = ("craft", "delivery", "influence", "judgement", "leadership", "customers")
# A job family's levels as real pages title them: five IC, five management.
FAMILY_LEVELS = (
    "Associate {f}", "{f} (Intermediate)", "Senior {f}", "Staff {f}", "Principal {f}",
    "Manager, {f}", "Senior Manager, {f}", "Director, {f}", "Senior Director, {f}",
    "Vice President, {f}",
)


def generated_ladder(folder: Path) -> Path:
    """500 role pages with our front matter: up each track, across to the neighbour track."""
    rng = random.Random(7)
    for track in range(TRACKS):
        for level in range(1, LEVELS + 1):
            role = f"t{track}-l{level}"
            up = [f"t{track}-l{level + 1}"] if level < LEVELS else []
            across = [f"t{(track + 1) % TRACKS}-l{level}"]
            comps = [
                f"  - {{id: {c}, proficiency: {min(5, 1 + level // 3 + rng.randint(0, 1))}, "
                f"label: {c.capitalize()}}}"
                for c in rng.sample(COMPETENCIES, 4)
            ]
            bullets = "\n".join(
                f"- **{c.capitalize()}:** does {c} at level {level}." for c in COMPETENCIES
            )
            page = "\n".join(
                [
                    "---",
                    f"title: Role {track}-{level}",
                    "audience: employee",
                    "doc_type: role",
                    f"role_id: {role}",
                    f"track: track{track}",
                    f"level: {level}",
                    f"next_roles: [{', '.join(up)}]",
                    f"lateral_moves: [{', '.join(across)}]",
                    "typical_months: 12-24",
                    "min_months: 9",
                    "competencies:",
                    *comps,
                    "---",
                    "",
                    f"# Role {track}-{level}",
                    "",
                    "## Competencies",
                    "",
                    bullets,
                    "",
                    "## Promotion criteria",
                    "",
                    f"1. Results at level {level} for four quarters.",
                    "2. A written case from your manager.",
                    "",
                    "## Typical time in level",
                    "",
                    "Typically 12 to 24 months, at least 9.",
                    "",
                ]
            )
            path = folder / f"track{track}" / f"{role}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page)
    return folder


def job_family_pages(folder: Path) -> Path:
    """50 job-family pages without front matter, each with ten level sections (responsibilities
    and requirements under each), as real companies write them: 500 roles to infer."""
    for family in range(TRACKS):
        name = f"Specialist {family}"
        lines = [f"# {name} Job Family", "", f"The {name} family at the company.", "", "## Levels"]
        for level, pattern in enumerate(FAMILY_LEVELS, start=1):
            title = pattern.format(f=name)
            lines += [
                "",
                f"### {title}",
                "",
                f"The {title} reports to the next level up.",
                "",
                f"#### {title} Responsibilities",
                "",
                *(f"- Owns {c} for accounts at scope {level}" for c in COMPETENCIES[:4]),
                "",
                f"#### {title} Requirements",
                "",
                *(f"- Shows {c} at depth {level}" for c in COMPETENCIES[2:]),
            ]
        path = folder / f"family-{family}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    return folder


def split_ms_per_page(folder: Path) -> float:
    """Median time to read and split one page into placed sections and chunks, in ms."""
    settings = load_settings(knowledge_dir=folder)
    times = []
    for path in sorted(folder.rglob("*.md")):
        doc = load_document(path, folder, settings)
        times.append(timed(lambda doc=doc: split_document(doc, 1200, 150)))
    return round(statistics.median(times), 2)


def ladder_peak_mb(coach: Coach) -> float:
    """Memory a ladder read allocates at its peak (tracemalloc), in MB."""
    coach.index._ladders.clear()
    tracemalloc.start()
    coach.ladder("csm")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1e6, 1)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def plan_and_map(coach: Coach, role: str) -> tuple[float, float, float]:
    """(ladder read ms, plan ms, map ms) for one role, warm."""
    coach.index._ladders.clear()  # the read a sync (or a new process) costs once
    ladder_ms = timed(lambda: coach.ladder("csm"))
    plan_ms = timed(lambda: coach.plan(role, "csm"))

    def draw() -> None:
        figure = draw_map(coach.ladder("csm"), role)
        figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")

    return ladder_ms, plan_ms, timed(draw)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sample_kb = root / "sample"
        shutil.copytree(REPO / "knowledge", sample_kb)
        folders = {
            "sample": sample_kb,
            "generated_500": generated_ladder(root / "big"),
            "inferred_500": job_family_pages(root / "families"),
        }
        coaches = {
            name: Coach(load_settings(knowledge_dir=kb, data_dir=root / f"{name}-data"))
            for name, kb in folders.items()
        }
        for coach in coaches.values():
            coach.embeddings = coaches["sample"].embeddings  # one model in memory
        started = time.perf_counter()
        for coach in coaches.values():
            report = coach.sync()
            assert not report.failed, report.failed[:3]
        index_s = time.perf_counter() - started
        roles = {name: sorted(coach.ladder("csm").roles) for name, coach in coaches.items()}
        assert len(roles["inferred_500"]) == 500, len(roles["inferred_500"])
        rng = random.Random(1)
        for name, coach in coaches.items():
            plan_and_map(coach, roles[name][0])  # warm: imports, fonts, first Chroma reads
        times = {name: ([], [], []) for name in coaches}
        for _ in range(ROUNDS):  # alternating, so all see the same machine state
            for name, coach in coaches.items():
                timings = plan_and_map(coach, rng.choice(roles[name]))
                for series, ms in zip(times[name], timings, strict=True):
                    series.append(ms)
        result = {
            "roles": {name: len(r) for name, r in roles.items()},
            "index_all_s": round(index_s, 1),
            "split_ms_per_page": {name: split_ms_per_page(kb) for name, kb in folders.items()},
            "ladder_read_peak_mb": {name: ladder_peak_mb(c) for name, c in coaches.items()},
            "ladder_read": {name: summary(t[0]) for name, t in times.items()},
            "plan": {name: summary(t[1]) for name, t in times.items()},
            "map": {name: summary(t[2]) for name, t in times.items()},
        }
        for big in ("generated_500", "inferred_500"):
            result[f"ratio_{big}_to_sample"] = {
                part: round(result[part][big]["p50_ms"] / result[part]["sample"]["p50_ms"], 2)
                for part in ("ladder_read", "plan", "map")
            }
        print(json.dumps(result, indent=2))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
