"""A real PostgreSQL server for tests of the SQL store and of deployments with several replicas.

A throwaway cluster is started once per session on 127.0.0.1 and a free port, from Debian's
PostgreSQL binaries (/usr/lib/postgresql/*/bin; .ci/run installs them). initdb refuses to run as
root, so as root the server runs as the `postgres` system user (or `nobody`) through runuser.
`create_database()` gives a test a fresh database on it.
"""

from __future__ import annotations

import dataclasses
import glob
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROLE = "coach"  # the cluster's superuser, trusted on 127.0.0.1 (no password)
# The server's zone is not UTC, as on any host whose clock is local time (initdb takes the host's
# zone): `created` must still come back as UTC.
SERVER_TIMEZONE = "America/New_York"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, if any."""
    found = [
        Path(initdb).parent
        for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if Path(initdb).with_name("pg_ctl").exists()
    ]
    if not found:
        return None
    return max(found, key=lambda bin: [int(n) for n in re.findall(r"\d+", bin.parent.name)])


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    """A running throwaway PostgreSQL server."""

    bin: Path
    base: Path  # data/, the socket and the log live here
    port: int
    run_as: list[str]  # the command prefix that drops root, or nothing

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    @property
    def dsn(self) -> str:
        """A libpq connection string for the maintenance database."""
        return f"host=127.0.0.1 port={self.port} user={ROLE} dbname=postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str, check: bool = True) -> None:
        """Run one of the server's tools as the server's user; fail with its output."""
        command = [*self.run_as, str(self.bin / tool), *args]
        done = subprocess.run(
            command, cwd=self.base, capture_output=True, text=True, timeout=90, check=False
        )
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr}{log}")

    def start(self) -> None:
        options = f"-k {self.base} -p {self.port} -h 127.0.0.1 -c timezone={SERVER_TIMEZONE}"
        options += " -c fsync=off -c full_page_writes=off"  # a throwaway server: speed over safety
        try:
            self.run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
            )
        except BaseException:
            self.stop("immediate", check=False)  # in case it came up after pg_ctl gave up
            raise

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=check)


def unprivileged() -> tuple[list[str], int, int]:
    """(command prefix, uid, gid) to run the server as: ourselves, unless we are root."""
    if os.geteuid() != 0:
        return [], os.geteuid(), os.getegid()
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL (initdb refuses)")
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return [runuser, "-u", name, "--"], user.pw_uid, user.pw_gid
    pytest.skip("running as root and neither a postgres nor a nobody user exists")


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL server on 127.0.0.1 for this session, removed afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    run_as, uid, gid = unprivileged()
    # Not below pytest's tmp dir: as root that is mode 0700, so the server's user could not enter.
    base = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    try:
        os.chown(base, uid, gid)
        server = Cluster(bin_dir, base, 0, run_as)
        server.run(
            "initdb", "-D", str(server.data), "-U", ROLE, "--auth=trust", "--encoding=UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        for attempt in range(3):  # someone may take the free port before the server binds it
            server = dataclasses.replace(server, port=free_port())
            try:
                server.start()
                break
            except RuntimeError as exc:
                if attempt == 2 or "already in use" not in str(exc):
                    raise
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


_databases = itertools.count()


@pytest.fixture
def create_database(cluster: Cluster) -> Callable[[], str]:
    """Makes a fresh, empty database on the session's server; returns its URL."""
    import psycopg

    def create() -> str:
        name = f"coach_{next(_databases)}"
        with psycopg.connect(cluster.dsn, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return cluster.url(name)

    return create
