"""Start-up: how soon `python ui.py` serves a page, and how soon it answers, cold and warm.

Each run starts the real app as a person would (`python ui.py`, the local demo) on a copy of the
shipped knowledge/ folder, and measures from the process start:
- first page: the first HTTP 200 on / (the page says the knowledge base is being prepared until
  it is ready);
- ready: the app's own "coach: ready" line, after which questions are answered.
Cold: an empty data folder (the index is built). Warm: the same folder again (index present).
Side by side in one run, alternating (cold, warm, cold, warm, ...). Run with `make bench`.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3
TIMEOUT = 300.0  # s: a start that takes longer than this is a failure, not a figure


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_once(knowledge: Path, data: Path) -> tuple[float, float]:
    """(seconds to the first page, seconds to ready) of one `python ui.py`."""
    port = free_port()
    env = {
        **os.environ,
        "COACH_KNOWLEDGE_DIR": str(knowledge),
        "COACH_DATA_DIR": str(data),
        "COACH_USERS_FILE": str(data.parent / "no-users.toml"),
        "COACH_PORT": str(port),
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "ui.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready: list[float] = []

    def watch() -> None:
        for line in server.stderr:
            if line.strip() == "coach: ready":
                ready.append(time.perf_counter() - started)

    threading.Thread(target=watch, daemon=True).start()
    try:
        first_page = None
        while time.perf_counter() - started < TIMEOUT and (first_page is None or not ready):
            if first_page is None:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                        first_page = time.perf_counter() - started
                except httpx.TransportError:
                    pass
            time.sleep(0.05)
        if first_page is None or not ready:
            raise SystemExit(f"the app did not start within {TIMEOUT:.0f} s")
        return first_page, ready[0]
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    figures: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="coach-bench-start-") as scratch:
        knowledge = Path(scratch) / "knowledge"
        shutil.copytree(ROOT / "knowledge", knowledge)
        for round_ in range(ROUNDS):
            data = Path(scratch) / f"data-{round_}"
            figures["cold"].append(start_once(knowledge, data))
            figures["warm"].append(start_once(knowledge, data))
    lines = [
        f"Start-up of `python ui.py` on the sample knowledge/ folder, median of {ROUNDS} runs:",
        "| start | first page (s) | ready to answer (s) | first page / ready |",
        "|---|---|---|---|",
    ]
    for kind, runs in figures.items():
        page = statistics.median(r[0] for r in runs)
        ready = statistics.median(r[1] for r in runs)
        lines.append(f"| {kind} | {page:.1f} | {ready:.1f} | {page / ready:.2f} |")
    print("\n".join(lines))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
