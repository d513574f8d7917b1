"""App load benchmark: 20 signed-in sessions asking 5 questions each through /chat, offline mode.

The real app (ui.launch) serves the shipped knowledge/ folder on 127.0.0.1 with a users file, as
it is deployed, in a process of its own that indexes the folder once, then launches and closes
the app for each configuration in turn (clients in the app's process would share its GIL and
slow it down as no deployment does). Each session is a thread with its own gradio_client.Client.
Measured side by side in this one run, in alternating rounds (ABBA, as the machine drifts): the
app as configured (settings.concurrency) and the same app with concurrency=1 (every session
queues behind one); then one session asking the same questions one by one, for reference.

Run with `make bench`. Exits non-zero if any request fails or the app logs a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import numpy as np
import psutil
from gradio_client import Client

from coach.app.users import add_user
from coach.compose import Coach
from coach.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
log = logging.getLogger("bench")

# Accounts the sessions sign in as, in turn: name -> (role, password).
USERS = {
    "csm-ana": ("csm", "ana-password-1"),
    "csm-ben": ("csm", "ben-password-1"),
    "csm-carla": ("csm", "carla-password-1"),
    "hr-hugo": ("hr", "hugo-password-1"),
}  # no hiring manager: these are an employee's questions, and most would be refused to one
# The profile each session sends with its questions, in turn: (role_id, plan type).
PROFILES = [
    ("", ""),
    ("csm-1", "vertical"),
    ("csm-2", "dual"),
    ("senior-csm", ""),
    ("associate-csm", "horizontal"),
    ("principal-csm", "vertical"),
    ("cs-team-lead", ""),
    ("renewals-manager", "horizontal"),
]
WARM_UP = "What does the career ladder for CSMs look like?"
# Five topics of twenty questions: session i asks question i of each topic, so every one of the
# 100 requests of a run is a different question and the query-embedding cache never helps.
TOPICS = {
    "next steps": [
        "What should I do next in my career?",
        "I'm an Associate CSM. What are my options for what comes next?",
        "What do I need to get promoted from CSM I to CSM II?",
        "What separates a CSM II from a Senior CSM?",
        "Senior CSM here. What would it take for me to become a Principal?",
        "How long does a CSM I usually stay in level before moving up?",
        "Can a CSM II move toward team leadership instead of Senior CSM?",
        "What does a Principal CSM do that a Senior CSM doesn't?",
        "Is there anywhere left to grow as a Principal CSM without managing people?",
        "What does it take for a CS Manager to become a Director?",
        "How many accounts does a Senior CSM typically manage?",
        "What skills should I build to be ready for the Team Lead role?",
        "I became a Team Lead but I miss being an IC. Can I go back?",
        "What is expected of a CS Team Lead?",
        "Where is a CSM II on the ladder and what comes after it?",
        "Which roles can an Onboarding Specialist grow into?",
        "What lateral moves are open to a CSM II?",
        "What does the Director of Customer Success own?",
        "How is the IC track different from the management track in CS?",
        "What is an Associate CSM expected to deliver in the first year?",
    ],
    "plans and rotation": [
        "How does a horizontal plan work?",
        "What exactly is a dual plan and who can do one?",
        "What's the difference between a vertical and a horizontal growth plan?",
        "When can I apply for a rotation? What are the application windows?",
        "If I go on a rotation, do I get my accounts back when I return?",
        "How long is the Solutions Consulting rotation and what level do I need?",
        "I'd like to try renewals for a few months without leaving my job. How does that work?",
        "Who looks after my customers while I'm on a rotation?",
        "What happens to my variable comp while I'm rotating in another team?",
        "Can my manager block a permanent transfer to another team?",
        "Am I eligible for a rotation after 10 months in my role?",
        "Which plan type fits someone who wants to become a manager?",
        "Can I switch from a vertical plan to a dual plan halfway through the year?",
        "How do I choose between a vertical and a dual plan?",
        "What does a vertical plan commit me to?",
        "Which teams offer rotation programs for CSMs?",
        "Does a horizontal move reset my time in level?",
        "How do I tell my manager I want to do a dual plan?",
        "Can I do a rotation in CS Operations?",
        "What goes into a growth plan for a horizontal move?",
    ],
    "certifications and budget": [
        "Which certification should I take next?",
        "How much is the yearly learning budget?",
        "Do Academy courses use up my learning budget?",
        "Who has to approve the Gainsight admin certification?",
        "Can the learning budget pay for flights and a hotel for a conference?",
        "Is a ChurnZero certification covered?",
        "I joined in Q3. How much of the learning budget do I get this year?",
        "If I do CCSM Level 3 and resign 8 months later, do I pay anything back?",
        "Which certifications should a CS Operations Analyst get?",
        "What does the training budget cover?",
        "How do I submit a training request?",
        "Can I use the training budget for a book or an online course?",
        "Which certifications help for a move into Solutions Consulting?",
        "Does unused learning budget roll over to next year?",
        "Is there a catalog of certifications I can choose from?",
        "How long does the CCSM certification take?",
        "Are certifications required for promotion to Senior CSM?",
        "Can I study for a certification during working hours?",
        "Who pays when a certification has to be renewed?",
        "What training will a new CSM get?",
    ],
    "promotion and mentoring": [
        "What are the promotion windows?",
        "When is the nomination window for the September promotion cycle?",
        "I got a 'Not yet' on my promotion. Can I appeal?",
        "What goes into a promo packet?",
        "How does calibration work?",
        "Who decides on promotions in Customer Success?",
        "How do I get a mentor? When is sign-up?",
        "What do I need before I can be a mentor?",
        "Can my manager nominate me outside the promotion cycle?",
        "How should I prepare for a promotion conversation with my manager?",
        "What evidence should I collect for my promotion case?",
        "How many promotion cycles are there each year?",
        "What happens after a promotion is approved?",
        "Does a promotion change my salary right away?",
        "How are ratings calibrated across teams?",
        "How long does the mentoring program last?",
        "What are the career dos and don'ts?",
        "How often should I have career conversations with my manager?",
        "How do I start an individual growth plan?",
        "What happens if I'm not ready at the next promotion window?",
    ],
    "roles and hiring": [
        "How do people grow in Customer Success here?",
        "Can a CSM move into another team later?",
        "What does a Renewals Manager do?",
        "What does a CS Operations Analyst work on?",
        "What does a Renewals Manager need to move up to Senior CSM?",
        "Can a Solutions Consultant come back into CS as a Principal CSM?",
        "What are the compensation bands for a Senior CSM?",
        "What should I tell a candidate about career growth here?",
        "What does onboarding look like for a new CSM?",
        "How do I support a direct report who wants a horizontal move?",
        "How long does it usually take an Associate CSM to get promoted?",
        "How do I write a growth plan with a new hire?",
        "What career mistakes should I avoid?",
        "What part do managers play in calibration?",
        "What does an Onboarding Specialist do day to day?",
        "What does a Solutions Consultant do?",
        "How do I recommend someone on my team for a rotation?",
        "What can candidates ask about growth in the interview?",
        "How are compensation bands set?",
        "What support do new managers in CS get?",
    ],
}


@dataclass
class Run:
    """One configuration's requests: latencies in seconds, failures, and wall time."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    app_cpu_s: float = 0.0  # the app's process, while the requests ran
    client_cpu_s: float = 0.0  # this process: the clients share the machine's cores

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def ms(self, pct: float) -> float:
        return float(np.percentile(np.array(self.latencies) * 1000, pct))

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall_s

    def add(self, other: Run) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.wall_s += other.wall_s
        self.app_cpu_s += other.app_cpu_s
        self.client_cpu_s += other.client_cpu_s

    def clocked(self, cpu: Clock, work: Callable[[], None]) -> None:
        """Run the work, adding its wall time and both processes' CPU time to this run's."""
        app_cpu, client_cpu = cpu()
        started = time.perf_counter()
        work()
        self.wall_s += time.perf_counter() - started
        app_after, client_after = cpu()
        self.app_cpu_s += app_after - app_cpu
        self.client_cpu_s += client_after - client_cpu


Clock = Callable[[], tuple[float, float]]  # CPU seconds so far: the app's, the clients'
Runner = Callable[[str, str, list[list[str]], Clock], Run]
REPLY = "bench-app:"  # how the app's process starts the lines it writes for the benchmark
# What the app's log may show that is not a failed request: tracebacks, SQLite locks, errors.
TROUBLE = re.compile(r"Traceback|database is locked|\bERROR\b|Exception", re.IGNORECASE)


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_settings(folder: Path, **given: object) -> Settings:
    """The shipped knowledge folder, served on loopback, always offline, history in folder."""
    settings = load_settings(
        knowledge_dir=REPO / "knowledge",
        data_dir=folder / "data",
        users_file=folder / "users.toml",
        host="127.0.0.1",
        **given,
    )
    return settings.model_copy(
        update={"llm_model": None, "llm_gguf_path": None, "database_url": None}
    )


def serve(folder: Path) -> None:
    """The app's process: index once, then launch and close the app as the parent says.

    Commands on stdin, one a line: `launch CONCURRENCY` (answers `url URL`), `close` (answers
    `closed`). Each launch is ui.launch() on a fresh port over the same Coach, with the caches of
    question and sentence embeddings emptied: every configuration starts as a fresh app does,
    and none reuses the embeddings another computed.
    """
    import ui
    from coach.answer import vectors

    def say(*words: object) -> None:
        print(REPLY, *words, flush=True)  # noqa: T201 - the parent reads it

    coach = Coach(app_settings(folder))
    report = coach.sync()
    say("indexed", report.documents, report.chunks)
    app = None
    for line in sys.stdin:
        command, *rest = line.split()
        if command == "launch":
            settings = app_settings(folder, port=free_port(), concurrency=int(rest[0]))
            coach.embeddings._query.cache_clear()
            vectors._unit_vectors.clear()
            app, url = ui.launch(settings, coach, block=False)
            say("url", url)
        elif command == "close" and app is not None:
            app.close()
            app = None
            say("closed")
    if app is not None:
        app.close()


class AppProcess:
    """The app's process, seen from the benchmark: launch(), close(), and its log."""

    def __init__(self, folder: Path) -> None:
        self.log_file = folder / "app.log"
        with self.log_file.open("w") as logs:
            self.child = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=logs,
                text=True,
            )
        self.read = 0  # how much of the log was already checked for trouble
        self.process, self.me = psutil.Process(self.child.pid), psutil.Process()

    def cpu(self) -> tuple[float, float]:
        """CPU seconds used so far by the app's process and by this one."""
        app, clients = self.process.cpu_times(), self.me.cpu_times()
        return app.user + app.system, clients.user + clients.system

    def reply(self) -> list[str]:
        """The app process's next answer (gradio's own prints on stdout are skipped)."""
        while True:
            line = self.child.stdout.readline()
            if not line:
                raise RuntimeError(f"the app process ended; its log: {self.log_file}")
            if line.startswith(REPLY):
                return line.split()[1:]

    def tell(self, command: str) -> list[str]:
        self.child.stdin.write(command + "\n")
        self.child.stdin.flush()
        return self.reply()

    @contextmanager
    def launched(self, concurrency: int) -> Iterator[str]:
        """The app launched with this concurrency limit; yields its URL, closes it after."""
        _, url = self.tell(f"launch {concurrency}")
        try:
            yield url
        finally:
            self.tell("close")

    def trouble(self) -> list[str]:
        """Lines of the log written since the last call that show something went wrong."""
        text = self.log_file.read_text()
        new, self.read = text[self.read :], len(text)
        return [line for line in new.splitlines() if TROUBLE.search(line)]

    def stop(self) -> None:
        self.child.stdin.close()
        try:
            self.child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            log.warning("the app process did not exit in 30 s; killing it")
            self.child.kill()
            self.child.wait()
        self.child.stdout.close()


def session_plan(sessions: int, questions: int) -> list[list[str]]:
    """Each session's questions: one per topic, none asked twice in a run."""
    topics = list(TOPICS.values())
    return [[topics[q][s] for q in range(questions)] for s in range(sessions)]


def account(session: int) -> str:
    """The account a session signs in as."""
    return list(USERS)[session % len(USERS)]


def sign_in(url: str, session: int) -> Client:
    """A client signed in as the session's account."""
    name = account(session)
    return Client(url, auth=(name, USERS[name][1]), verbose=False, analytics_enabled=False)


def ask(client: Client, question: str, session: int, run: Run, lock: threading.Lock) -> None:
    """One timed /chat request; a failure or an empty answer is an error."""
    role_id, plan = PROFILES[session % len(PROFILES)]
    started = time.perf_counter()
    try:
        text = client.predict(question, role_id, plan, "", api_name="/chat")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"empty answer: {text!r}")
    except Exception as exc:  # every failure is counted and reported
        with lock:
            run.errors.append(f"session {session}: {question!r}: {type(exc).__name__}: {exc}")
        return
    spent = time.perf_counter() - started
    with lock:
        run.latencies.append(spent)


def concurrent(url: str, name: str, plan: list[list[str]], cpu: Clock) -> Run:
    """Every session at once: all sign in, then all start asking together."""
    run, lock = Run(name), threading.Lock()
    # One by one, outside the timing: the app checks passwords (bcrypt, ~0.3 s) on its event
    # loop, so 20 sign-ins at once stall it for seconds and the last ones time out.
    clients = [sign_in(url, s) for s in range(len(plan))]
    start = threading.Barrier(len(plan) + 1)

    def session(number: int) -> None:
        start.wait()
        for question in plan[number]:
            ask(clients[number], question, number, run, lock)
        clients[number].close()

    threads = [threading.Thread(target=session, args=(s,)) for s in range(len(plan))]
    for thread in threads:
        thread.start()

    def everyone() -> None:
        start.wait(timeout=120)
        for thread in threads:
            thread.join()

    run.clocked(cpu, everyone)
    return run


def sequential(url: str, name: str, plan: list[list[str]], cpu: Clock) -> Run:
    """One session asking every question of the plan, one after another."""
    run, lock = Run(name), threading.Lock()
    client = sign_in(url, 0)

    def one_by_one() -> None:
        for number, questions in enumerate(plan):
            for question in questions:
                ask(client, question, number, run, lock)

    run.clocked(cpu, one_by_one)
    client.close()
    return run


def measure(
    server: AppProcess, concurrency: int, name: str, runner: Runner, plan: list[list[str]]
) -> tuple[Run, list[str]]:
    """Launch the app, warm it up, run the load, close it; the run and the log's trouble."""
    started = time.perf_counter()
    with server.launched(concurrency) as url:
        warm = sign_in(url, 0)
        warm.predict(WARM_UP, "", "", "", api_name="/chat")
        warm.close()
        log.info("%s: app up and warm in %.1f s", name, time.perf_counter() - started)
        run = runner(url, name, plan, server.cpu)
    trouble = server.trouble()
    log.info(
        "%s: %d requests, %d errors, p50 %.0f ms, %.1f q/s, %d trouble lines in the app's log",
        name,
        run.requests,
        len(run.errors),
        run.ms(50) if run.latencies else float("nan"),
        run.throughput,
        len(trouble),
    )
    return run, trouble


def table(runs: list[Run]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| configuration | requests | errors | p50 ms | p95 ms | max ms | throughput q/s "
        "| app CPU ms/q | client CPU ms/q |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.requests} | {len(run.errors)} | {run.ms(50):.0f} "
            f"| {run.ms(95):.0f} | {run.ms(100):.0f} | {run.throughput:.2f} "
            f"| {run.app_cpu_s / run.requests * 1000:.0f} "
            f"| {run.client_cpu_s / run.requests * 1000:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, choices=range(1, 21))
    parser.add_argument("--questions", type=int, default=5, choices=range(1, 6))
    parser.add_argument("--rounds", type=int, default=2, help="alternate the two configurations")
    parser.add_argument(
        "--baseline-sessions", type=int, default=20, help="whose questions the one session asks"
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the app's process
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("httpx", "httpcore", "gradio_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    plan = session_plan(args.sessions, args.questions)
    began = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (role, password) in USERS.items():
            add_user(folder / "users.toml", name, role, password)
        limit = app_settings(folder).concurrency
        server = AppProcess(folder)
        try:
            _, documents, chunks = server.reply()  # indexed once, in the app's process
            log.info(
                "indexed %s documents, %s chunks in %.0f s",
                documents,
                chunks,
                time.perf_counter() - began,
            )
            sessions = f"{args.sessions} sessions x {args.questions}"
            configured = Run(f"{sessions}, concurrency={limit}")
            queued = Run(f"{sessions}, concurrency=1")
            trouble: list[str] = server.trouble()
            for round_no in range(args.rounds):
                pair = [(limit, configured), (1, queued)]
                for concurrency, total in pair[:: 1 if round_no % 2 == 0 else -1]:
                    run, found = measure(server, concurrency, total.name, concurrent, plan)
                    total.add(run)
                    trouble += found
            baseline, found = measure(
                server, limit, "1 session, sequential", sequential, plan[: args.baseline_sessions]
            )
            trouble += found
        finally:
            server.stop()
        trouble += server.trouble()

    runs = [configured, queued, baseline]
    total_s = time.perf_counter() - began
    for run in runs:
        for error in run.errors:
            log.error("%s: %s", run.name, error)
    for line in trouble:
        log.error("app log: %s", line)
    if any(not run.latencies for run in runs):
        log.error("no request succeeded in some configuration")
        sys.exit(1)
    print(table(runs))  # noqa: T201 - the benchmark's output
    print(  # noqa: T201
        f"\nconcurrency={limit} vs concurrency=1: p50 {queued.ms(50) / configured.ms(50):.2f}x "
        f"lower, p95 {queued.ms(95) / configured.ms(95):.2f}x lower, throughput "
        f"{configured.throughput / queued.throughput:.2f}x higher\n"
        f"concurrency={limit} vs one sequential session: p50 "
        f"{configured.ms(50) / baseline.ms(50):.1f}x, p95 "
        f"{configured.ms(95) / baseline.ms(95):.1f}x, throughput "
        f"{configured.throughput / baseline.throughput:.2f}x\n"
        f"failed requests: {sum(len(run.errors) for run in runs)} (target 0); trouble lines in "
        f"the app's logs: {len(trouble)}; {args.rounds} rounds; benchmark took {total_s:.0f} s "
        f"on {os.cpu_count()} cores"
    )
    if trouble or any(run.errors for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
