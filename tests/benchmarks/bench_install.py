"""Install time: a fresh clone's install from the lock (uv) against the old unlocked pip install.

Each round clones this repository's HEAD into a new folder and times, from nothing:
- pip, unlocked (how `make install` installed before the lock): a venv, `pip install
  torch==2.13.0`, then `pip install -e '.[dev]'`, resolving the newest versions, no pip cache;
- `make install` with an empty uv cache (a newcomer's first install: the lock, via uv);
- `make install` again in another fresh clone, uv's cache kept (a second checkout or CI rerun).
Rounds alternate the order (pip first, then uv first), so a busy registry or disk weighs on
both. Needs the package registry; run with `make bench` or alone (`--rounds N`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run a step quietly; its output is shown only if it fails."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def fresh_clone(into: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(into)], check=True)
    return into


def pip_unlocked(clone: Path, env: dict[str, str]) -> float:
    """Seconds for the old recipe: pip, torch's CPU build first, then the project unpinned."""
    env = {**env, "PIP_NO_CACHE_DIR": "1"}
    started = time.perf_counter()
    run(["python3", "-m", "venv", ".venv"], clone, env)
    pip = [str(clone / ".venv/bin/python"), "-m", "pip", "install", "--quiet"]
    run([*pip, "torch==2.13.0"], clone, env)
    run([*pip, "-e", ".[dev]"], clone, env)
    return time.perf_counter() - started


def uv_locked(clone: Path, env: dict[str, str], cache: Path) -> float:
    """Seconds for `make install` (the lock, via uv) with the given uv cache folder."""
    env = {**env, "UV_CACHE_DIR": str(cache), "PIP_NO_CACHE_DIR": "1"}
    started = time.perf_counter()
    run(["make", "install"], clone, env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV_CACHE_DIR"}}
    times: dict[str, list[float]] = {"pip": [], "uv cold": [], "uv warm": []}
    lines: list[str] = []
    for number in range(rounds):
        with tempfile.TemporaryDirectory(prefix="coach-install-") as folder:
            for name, seconds in one_round(Path(folder), env, uv_first=bool(number % 2)):
                times[name].append(seconds)
                lines.append(f"round {number + 1}: {name:8} {seconds:6.1f} s")
    pip = statistics.median(times["pip"])
    lines.append(f"fresh clone install, median of {rounds} rounds (2-core CPU):")
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"  {name:8} {median:6.1f} s   pip / this: {pip / median:4.1f}x")
    print("\n".join(lines))  # noqa: T201 - the benchmark's output


def one_round(work: Path, env: dict[str, str], uv_first: bool) -> list[tuple[str, float]]:
    """(name, seconds) of the three installs, each in a clone of its own."""
    cache = work / "uv-cache"
    steps = [
        ("pip", lambda: pip_unlocked(fresh_clone(work / "pip"), env)),
        ("uv cold", lambda: uv_locked(fresh_clone(work / "uv"), env, cache)),
        ("uv warm", lambda: uv_locked(fresh_clone(work / "uv2"), env, cache)),
    ]
    if uv_first:
        steps = steps[1:] + steps[:1]
    return [(name, step()) for name, step in steps]


if __name__ == "__main__":
    main()
