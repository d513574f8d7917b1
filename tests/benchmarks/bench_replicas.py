"""Load held by one replica and by two: 50 signed-in sessions asking for 2 minutes, offline mode.

deploy/Procfile's processes on this machine: a Chroma server, a throwaway PostgreSQL (as in the
tests), `coach index` having indexed the shipped knowledge/ folder, and one or two `coach serve
--no-index` replicas sharing both. 50 users sign in through gradio_client, one every 0.2 s (timed:
sign-in), spread evenly over the replicas; once all are in, each asks /chat one question after
another until DURATION seconds have passed. The questions are the golden set's CSM questions,
each numbered so no two requests are alike (no cache flatters the figures).
Side by side in one run: one replica, then two. Reported: requests, errors (must be 0), p50/p95,
throughput, sign-in p50, and the replicas' and Chroma's memory (RSS) at start, middle and end.
Run with `make bench` (needs Debian's PostgreSQL, as the tests do).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
import psycopg  # noqa: E402
import yaml  # noqa: E402
from deploy_recipe import procfile, recipe_env, replica_urls  # noqa: E402
from gradio_client import Client  # noqa: E402

from coach.app.users import add_user  # noqa: E402

SESSIONS = 50
DURATION = 120.0  # seconds of asking per configuration
RAMP_S = 0.2  # between two sessions' sign-ins: people do not all sign in in the same second
QUESTIONS = [
    item["question"]
    for item in yaml.safe_load((ROOT / "tests" / "golden" / "knowledge.yaml").read_text())
    if item.get("persona", "csm") == "csm"
]
AUTH = ("ana", "ana-password-1")  # for the readiness check; the sessions are user1..user50


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid), "-p", str(pid)],
                         capture_output=True, text=True).stdout  # fmt: skip
    return sum(int(n) for n in out.split()) / 1024


def wait_for(check, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not come up")


def load(urls: list[str], pids: dict[str, int]) -> dict:
    """SESSIONS sessions over the replicas for DURATION seconds."""
    latencies: list[float] = []
    signins: list[float] = []
    errors: list[str] = []
    memory: list[dict[str, float]] = []
    stop = threading.Event()
    signed_in = threading.Barrier(SESSIONS + 1)

    def session(i: int) -> None:
        time.sleep(i * RAMP_S)
        started = time.perf_counter()
        try:
            client = Client(urls[i % len(urls)], auth=(f"user{i}", f"user{i}-pw"), verbose=False)
            signins.append(time.perf_counter() - started)
        except Exception as exc:
            errors.append(f"sign-in: {exc}")
            client = None
        signed_in.wait()
        if client is None:
            return
        n = i
        while not stop.is_set():
            asked = time.perf_counter()
            try:
                question = f"{QUESTIONS[n % len(QUESTIONS)]} ({i}.{n})"
                client.predict(question, api_name="/chat")
                latencies.append(time.perf_counter() - asked)
            except Exception as exc:
                errors.append(str(exc)[:200])
            n += 1

    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(SESSIONS)]
    for thread in threads:
        thread.start()
    signed_in.wait()  # everyone is in (or has failed): the load starts now
    memory.append({name: rss_mb(pid) for name, pid in pids.items()})
    began = time.perf_counter()
    time.sleep(DURATION / 2)
    memory.append({name: rss_mb(pid) for name, pid in pids.items()})
    time.sleep(DURATION / 2)
    stop.set()  # each session finishes the question it is asking
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - began
    memory.append({name: rss_mb(pid) for name, pid in pids.items()})
    ordered = sorted(latencies)
    return {
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "p50": ordered[len(ordered) // 2] * 1000 if ordered else 0,
        "p95": ordered[int(len(ordered) * 0.95)] * 1000 if ordered else 0,
        "throughput": len(latencies) / elapsed,
        "signin_p50": statistics.median(signins) * 1000 if signins else 0,
        "memory": memory,
    }


def main() -> None:
    from postgres_servers import ROLE, Cluster, free_port, postgres_bin, unprivileged

    base = Path(tempfile.mkdtemp(prefix="coach-bench-replicas-"))
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    run_as, uid, gid = unprivileged()
    os.chown(base, uid, gid)
    cluster = Cluster(bin_dir, base / "pg", free_port(), run_as)
    (base / "pg").mkdir()
    os.chown(base / "pg", uid, gid)
    cluster.run("initdb", "-D", str(cluster.data), "-U", ROLE, "--auth=trust", "--no-sync",
                "--no-instructions")  # fmt: skip
    cluster.start()
    procs: dict[str, subprocess.Popen] = {}
    try:
        with psycopg.connect(cluster.dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE coach_bench")
        knowledge = base / "knowledge"
        shutil.copytree(ROOT / "knowledge", knowledge)
        add_user(base / "users.toml", *AUTH[:1], "csm", AUTH[1])
        for i in range(SESSIONS):
            add_user(base / "users.toml", f"user{i}", "csm", f"user{i}-pw")
        env = recipe_env(base, knowledge, cluster.url("coach_bench"))
        commands = procfile()

        def start(name: str) -> None:
            log = (base / f"{name}.log").open("a")
            procs[name] = subprocess.Popen(["bash", "-c", commands[name]], env=env, cwd=base,
                                           stdout=log, stderr=log)  # fmt: skip

        start("chroma")
        wait_for(lambda: httpx.get(f"{env['COACH_CHROMA_URL']}/api/v2/heartbeat").is_success,
                 "chroma")  # fmt: skip
        done = subprocess.run(
            ["bash", "-c", commands["indexer"].replace(" --watch", "")], env=env, cwd=base
        )
        if done.returncode != 0:
            raise SystemExit("indexing failed")
        urls = replica_urls(env)
        for name in urls:
            start(name)
        for name, url in urls.items():
            wait_for(lambda url=url: Client(url, auth=AUTH, verbose=False).predict(
                QUESTIONS[0], api_name="/chat"), name)  # fmt: skip
        pid = {name: proc.pid for name, proc in procs.items()}
        one = load([urls["web1"]], {"web1": pid["web1"], "chroma": pid["chroma"]})
        two = load(list(urls.values()), {**{n: pid[n] for n in urls}, "chroma": pid["chroma"]})
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=30)
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
    lines = [
        f"{SESSIONS} signed-in sessions asking /chat for {DURATION:.0f} s, offline mode, "
        "2-core CPU, Chroma server + PostgreSQL:",
        "| replicas | requests | errors | p50 | p95 | throughput | sign-in p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, run in (("1", one), ("2", two)):
        lines.append(
            f"| {label} | {run['requests']} | {run['errors']} | {run['p50']:,.0f} ms | "
            f"{run['p95']:,.0f} ms | {run['throughput']:.1f} q/s | {run['signin_p50']:,.0f} ms |"
        )
    lines.append("\nMemory (RSS, MB) at start / middle / end:")
    for label, run in (("1 replica", one), ("2 replicas", two)):
        for name in run["memory"][0]:
            marks = " / ".join(f"{m[name]:.0f}" for m in run["memory"])
            lines.append(f"- {label}, {name}: {marks}")
    for label, run in (("1", one), ("2", two)):
        if run["first_error"]:
            lines.append(f"first error with {label} replica(s): {run['first_error']}")
    print("\n".join(lines))  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
