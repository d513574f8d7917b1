"""deploy/Procfile run for real: a Chroma server, PostgreSQL, `coach index --watch` and two app
replicas, asked through gradio_client while HR adds, edits and deletes documents."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from deploy_recipe import procfile, recipe_env, replica_urls
from helpers import KNOWLEDGE

from coach.app.users import add_user

pytestmark = pytest.mark.slow
pytest.importorskip("psycopg", reason="psycopg is missing: pip install -e '.[postgres]'")

FRESH_S = 2.0  # every replica answers from a finished sync within this (the bound)
QUESTIONS = [
    "How does a dual plan work?",
    "What separates a CSM II from a Senior CSM?",
    "How long is the Renewals rotation?",
    "Who pays for the Gainsight admin certification?",
]
GUILD = "growth/zorblax-guild.md"
_CITED = re.compile(r"^\[\d+\] .*\(([^()]+)\)$", re.M)


@dataclass
class Asked:
    """One question through one replica: when, and what came back."""

    replica: str
    question: str
    started: float
    ended: float
    cited: list[str] = field(default_factory=list)
    error: str = ""


class Deployment:
    """The Procfile's processes with one environment; stdout lines kept with their arrival time."""

    def __init__(self, base: Path, env: dict[str, str]) -> None:
        self.base, self.env = base, env
        self.commands = procfile()
        self.procs: dict[str, subprocess.Popen] = {}
        self.lines: dict[str, list[tuple[float, str]]] = {}

    def start(self, name: str) -> None:
        log = (self.base / f"{name}.log").open("a")
        proc = subprocess.Popen(
            ["bash", "-c", self.commands[name]],  # one command: bash execs it
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=self.base,
        )
        self.procs[name] = proc
        lines = self.lines.setdefault(name, [])

        def read() -> None:
            for line in proc.stdout:
                lines.append((time.monotonic(), line.rstrip()))

        threading.Thread(target=read, daemon=True).start()

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)

    def close(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def synced_after(self, moment: float, timeout: float = 120) -> float:
        """When the indexer next reported a finished sync after `moment`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in self.lines.get("indexer", []):
                if at > moment and "in the index" in line:
                    return at
            time.sleep(0.1)
        raise AssertionError(f"no sync after the change: {self.log('indexer')}")

    def log(self, name: str) -> str:
        return (self.base / f"{name}.log").read_text()[-2000:]


def client(url: str, auth: tuple[str, str]):
    from gradio_client import Client

    return Client(url, auth=auth, verbose=False)


def ask(replica: str, url: str, auth: tuple[str, str], question: str) -> Asked:
    started = time.monotonic()
    try:
        text = client(url, auth).predict(question, api_name="/chat")
        return Asked(replica, question, started, time.monotonic(), _CITED.findall(text))
    except Exception as exc:  # recorded: the test asserts there were none
        return Asked(replica, question, started, time.monotonic(), error=str(exc)[:300])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, cluster) -> Iterator[tuple[Deployment, dict[str, str]]]:
    """The Procfile's four processes over a copy of knowledge/, ready to answer."""
    import psycopg

    base = tmp_path_factory.mktemp("deployment")
    knowledge = base / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    add_user(base / "users.toml", "ana", "csm", "ana-password-1")
    with psycopg.connect(cluster.dsn, autocommit=True) as conn:
        conn.execute("CREATE DATABASE coach_deployment")
    env = recipe_env(base, knowledge, cluster.url("coach_deployment"))
    running = Deployment(base, env)
    urls = replica_urls(env)
    try:
        running.start("chroma")
        wait_for(lambda: _http_ok(f"{env['COACH_CHROMA_URL']}/api/v2/heartbeat"), "chroma")
        running.start("indexer")
        running.synced_after(0.0, timeout=180)  # the first full index
        running.start("web1")
        running.start("web2")
        for name, url in urls.items():
            wait_for(lambda n=name, u=url: not ask(n, u, AUTH, QUESTIONS[0]).error, name, 120)
        yield running, urls
    finally:
        running.close()


AUTH = ("ana", "ana-password-1")


def _http_ok(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(ready, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up")
        time.sleep(0.5)


def keep_asking(urls: dict[str, str], stop: threading.Event, out: list[Asked]) -> list:
    """Two sessions per replica asking in turn until `stop`."""

    def session(replica: str, url: str, offset: int) -> None:
        n = offset
        while not stop.is_set():
            out.append(ask(replica, url, AUTH, QUESTIONS[n % len(QUESTIONS)]))
            n += 1

    threads = [
        threading.Thread(target=session, args=(name, url, i), daemon=True)
        for name, url in urls.items()
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    return threads


def guild_page(day: str) -> str:
    return (
        "---\ntitle: Zorblax Guild\naudience: employee\n---\n\n# Zorblax Guild\n\n"
        f"The Zorblax guild of Customer Success meets on the {day} of each month in Lisbon.\n"
    )


def test_replicas_follow_adds_edits_and_deletes(deployment) -> None:
    running, urls = deployment
    knowledge = Path(running.env["COACH_KNOWLEDGE_DIR"])
    stop, asked = threading.Event(), []
    askers = keep_asking(urls, stop, asked)
    page = knowledge / GUILD
    try:
        # Added: answerable through both replicas within the bound of the sync finishing.
        changed = time.monotonic()
        page.write_text(guild_page("second Tuesday"))
        synced = running.synced_after(changed)
        time.sleep(FRESH_S)
        for name, url in urls.items():
            found = ask(name, url, AUTH, "When does the Zorblax guild meet?")
            assert found.cited and found.cited[0] == GUILD, (name, found)
        # Edited, then deleted: the same bound.
        changed = time.monotonic()
        page.write_text(guild_page("third Thursday"))
        running.synced_after(changed)
        time.sleep(FRESH_S)
        for name, url in urls.items():
            text = client(url, AUTH).predict("When does the Zorblax guild meet?", api_name="/chat")
            assert "third Thursday" in text and "second Tuesday" not in text, (name, text)
        changed = time.monotonic()
        page.unlink()
        gone = running.synced_after(changed)
        time.sleep(FRESH_S)
        for name, url in urls.items():
            after = ask(name, url, AUTH, "When does the Zorblax guild meet?")
            assert not after.error and GUILD not in after.cited, (name, after)
    finally:
        stop.set()
        for thread in askers:
            thread.join(timeout=60)
    assert len(asked) > 20 and {a.replica for a in asked} == set(urls)
    assert [a for a in asked if a.error] == []
    for answer in asked:  # only files that exist, or existed until a sync just before
        for path in answer.cited:
            assert (knowledge / path).exists() or (
                path == GUILD and synced < answer.ended and answer.started < gone + FRESH_S
            ), (answer, path)


def test_a_chroma_outage_is_said_clearly_and_survived(deployment) -> None:
    running, urls = deployment
    stop, asked = threading.Event(), []
    askers = keep_asking(urls, stop, asked)
    try:
        time.sleep(2)
        # The outage starts when stopping starts: Chroma may refuse requests while it shuts
        # down, which on a busy machine takes more than a second.
        down = time.monotonic()
        running.stop("chroma")
        time.sleep(4)
        running.start("chroma")
        wait_for(lambda: _http_ok(f"{running.env['COACH_CHROMA_URL']}/api/v2/heartbeat"), "chroma")
        up = time.monotonic()
        time.sleep(4)
    finally:
        stop.set()
        for thread in askers:
            thread.join(timeout=60)
    failed = [a for a in asked if a.error]
    assert failed, "no question was asked while Chroma was down"
    for answer in failed:  # only during the outage, and said in one clear line
        assert down - 1 < answer.ended and answer.started < up + 1, answer
        assert "knowledge base is unavailable" in answer.error and "Traceback" not in answer.error
    after = [a for a in asked if a.started > up + 1]
    assert after and all(not a.error for a in after)  # recovered without a restart
    for name, url in urls.items():
        assert not ask(name, url, AUTH, QUESTIONS[1]).error, name
