"""Career engine benchmark: plan and map time, the sample ladder beside a generated 500-role one.

Both ladders are indexed for real (Chroma, MiniLM) in one run; then, warm, every timing round
alternates between them: reading the ladder from the index (once per sync), a plan (all three
plan types, cited) and a map (PNG) for a role.
Run with `make bench`; prints JSON, and the ratios of the big ladder to the sample.
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
from pathlib import Path

from coach.career.map import draw_map
from coach.compose import Coach
from coach.config import load_settings

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 30
TRACKS = 50
LEVELS = 10  # 50 tracks x 10 levels = 500 roles (a level is at most 20)
COMPETENCIES = ("craft", "delivery", "influence", "judgement", "leadership", "customers")


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


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def plan_and_map(coach: Coach, role: str) -> tuple[float, float, float]:
    """(ladder read ms, plan ms, map ms) for one role, warm."""
    coach._ladders.clear()  # the read a sync (or a new process) costs once
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
        big_kb = generated_ladder(root / "big")
        sample = Coach(load_settings(knowledge_dir=sample_kb, data_dir=root / "sample-data"))
        big = Coach(load_settings(knowledge_dir=big_kb, data_dir=root / "big-data"))
        big.embeddings = sample.embeddings  # one model in memory
        started = time.perf_counter()
        sample.sync()
        report = big.sync()
        assert not report.failed, report.failed[:3]
        index_s = time.perf_counter() - started
        sample_roles = sorted(sample.ladder("csm").roles)
        big_roles = sorted(big.ladder("csm").roles)
        rng = random.Random(1)
        for coach, roles in ((sample, sample_roles), (big, big_roles)):
            plan_and_map(coach, roles[0])  # warm: imports, fonts, first Chroma reads
        times = {"sample": ([], [], []), "generated_500": ([], [], [])}
        for _ in range(ROUNDS):  # alternating, so both see the same machine state
            for name, coach, roles in (
                ("sample", sample, sample_roles),
                ("generated_500", big, big_roles),
            ):
                for series, ms in zip(
                    times[name], plan_and_map(coach, rng.choice(roles)), strict=True
                ):
                    series.append(ms)
        result = {
            "roles": {"sample": len(sample_roles), "generated_500": len(big_roles)},
            "index_both_s": round(index_s, 1),
            "ladder_read": {name: summary(t[0]) for name, t in times.items()},
            "plan": {name: summary(t[1]) for name, t in times.items()},
            "map": {name: summary(t[2]) for name, t in times.items()},
        }
        result["ratio_500_to_sample"] = {
            part: round(
                result[part]["generated_500"]["p50_ms"] / result[part]["sample"]["p50_ms"], 2
            )
            for part in ("ladder_read", "plan", "map")
        }
        print(json.dumps(result, indent=2))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
