"""Sign-in under a guessing burst: does a real user still get in, and how fast?

The real app (ui.launch) with a users file serves the shipped knowledge/ folder on 127.0.0.1.
An attacker at 127.0.0.2 sends bursts of 30 concurrent wrong sign-ins; meanwhile real users, each
from an address of their own (127.0.1.x), sign in one after another with a 5 s client timeout.
Measured side by side in one run, in alternating rounds (ABBA): the app as shipped (sign-in
throttle on) and the same app with the throttle off (every attempt waits for a bcrypt slot).
Then 30 real users signing in at once from 30 addresses, throttle on, for reference.

Run with `make bench`.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx

import ui
from coach.app.users import add_user
from coach.compose import Coach
from coach.config import load_settings

REPO = Path(__file__).resolve().parents[2]
REAL_USERS = 8
BURST = 30
TIMEOUT_S = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sign_in(url: str, name: str, password: str, address: str) -> tuple[int, float]:
    """(HTTP status, 0 on timeout or 429 when throttled, seconds) for one sign-in."""
    transport = httpx.HTTPTransport(local_address=address)
    started = time.perf_counter()
    try:
        with httpx.Client(base_url=url, transport=transport, timeout=TIMEOUT_S) as http:
            reply = http.post("/login", data={"username": name, "password": password})
            status = 429 if "retry-after" in reply.headers else reply.status_code
    except httpx.TimeoutException:
        status = 0
    return status, time.perf_counter() - started


def launch(folder: Path, coach: Coach, throttle: bool):
    """The app over the indexed folder; with the throttle switched off when asked."""
    settings = coach.settings.model_copy(update={"port": free_port()})
    original = ui.SignInThrottle
    if not throttle:
        ui.SignInThrottle = lambda limits: None  # the guard's checks stay; sign-in is unthrottled
    try:
        app, url = ui.launch(settings, coach, block=False)
    finally:
        ui.SignInThrottle = original
    return app, url.rstrip("/")


def under_attack(url: str) -> dict[str, float]:
    """Real users signing in one by one while the attacker keeps bursting."""
    stop = threading.Event()
    attempts = {"n": 0, "refused": 0}

    def attacker() -> None:
        with ThreadPoolExecutor(BURST) as pool:
            while not stop.is_set():
                futures = [
                    pool.submit(sign_in, url, f"guess{i}", "wrong-password", "127.0.0.2")
                    for i in range(BURST)
                ]
                for future in futures:
                    status, _ = future.result()
                    attempts["n"] += 1
                    attempts["refused"] += status == 429

    thread = threading.Thread(target=attacker)
    thread.start()
    time.sleep(1.0)  # the burst is under way
    results = [
        sign_in(url, f"user{i}", f"user{i}-password", f"127.0.1.{i + 1}") for i in range(REAL_USERS)
    ]
    stop.set()
    thread.join()
    seconds = [s for status, s in results if status == 200]
    return {
        "real_ok": len(seconds),
        "real_p50": statistics.median(seconds) if seconds else float("nan"),
        "real_max": max(seconds) if seconds else float("nan"),
        "attacker_attempts": attempts["n"],
        "attacker_refused_at_once": attempts["refused"],
    }


def all_at_once(url: str) -> dict[str, float]:
    """30 real users from 30 addresses signing in at the same moment."""
    with ThreadPoolExecutor(BURST) as pool:
        results = list(
            pool.map(
                lambda i: sign_in(
                    url,
                    f"user{i % REAL_USERS}",
                    f"user{i % REAL_USERS}-password",
                    f"127.0.2.{i + 1}",
                ),
                range(BURST),
            )
        )
    seconds = sorted(s for status, s in results if status == 200)
    return {
        "ok": len(seconds),
        "timed_out": sum(status == 0 for status, _ in results),
        "p50": statistics.median(seconds),
        "p95": seconds[int(0.95 * (len(seconds) - 1))],
    }


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    users_file = folder / "users.toml"
    for i in range(REAL_USERS):
        add_user(users_file, f"user{i}", "csm", f"user{i}-password")
    settings = load_settings(
        knowledge_dir=REPO / "knowledge",
        data_dir=folder / "data",
        users_file=users_file,
        signin_failures_per_address=10**6,  # the burst's failures alone must not decide it
    )
    coach = Coach(settings)
    coach.sync()
    rounds: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for throttle in (True, False, False, True):
        app, url = launch(folder, coach, throttle)
        try:
            rounds[throttle].append(under_attack(url))
        finally:
            app.close()
    app, url = launch(folder, coach, True)
    try:
        crowd = all_at_once(url)
    finally:
        app.close()

    def mean(throttle: bool, key: str) -> float:
        return statistics.mean(r[key] for r in rounds[throttle])

    lines = [f"real users signing in during a {BURST}-wide guessing burst (5 s client timeout):"]
    for throttle, label in ((True, "throttle on "), (False, "throttle off")):
        lines.append(
            f"  {label}: {mean(throttle, 'real_ok'):.1f}/{REAL_USERS} in, "
            f"p50 {mean(throttle, 'real_p50') * 1000:.0f} ms, "
            f"max {mean(throttle, 'real_max') * 1000:.0f} ms; attacker: "
            f"{mean(throttle, 'attacker_attempts'):.0f} attempts, "
            f"{mean(throttle, 'attacker_refused_at_once'):.0f} refused at once"
        )
    ratio = mean(False, "real_p50") / mean(True, "real_p50")
    lines.append(f"  real users' p50, throttle off / on: {ratio:.1f}x")
    lines.append(
        f"{BURST} real users at once from {BURST} addresses (throttle on): "
        f"{crowd['ok']}/{BURST} in, {crowd['timed_out']} timed out, "
        f"p50 {crowd['p50'] * 1000:.0f} ms, p95 {crowd['p95'] * 1000:.0f} ms"
    )
    print("\n".join(lines))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
