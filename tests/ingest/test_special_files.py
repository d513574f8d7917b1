"""Only regular files are opened: a named pipe, socket or device is skipped, never waited on."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import KNOWLEDGE, make_pdf, store_for, write

from coach.errors import DocumentError
from coach.index.sync import FileSkipped, source_hash, sync
from coach.ingest.check import Problem, check_folder
from coach.ingest.documents import Skipped, discover, load_document

PIPE_REASON = "a named pipe, not a regular file: never opened"
COACH = Path(sys.executable).with_name("coach")


@pytest.fixture
def unix_socket(kb: Path) -> Iterator[Path]:
    """A listening Unix socket in the knowledge folder (as a local agent might leave one)."""
    path = kb / "agent.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


def without_hanging(work: Callable[[], object], pipe: Path) -> object:
    """Run work, failing (not hanging the suite) if it is still blocked on the pipe after 120 s
    (a first sync loads the model and starts the reading workers: seconds, not minutes)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)
        try:
            return future.result(timeout=120)
        except TimeoutError:
            # Open the writing end, so a read blocked on the pipe returns and the thread ends.
            with contextlib.suppress(OSError):  # ENXIO: nothing was waiting on it after all
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            pytest.fail(f"still working after 120 s with {pipe.name} in the folder")


def test_pipes_sockets_and_devices_are_listed_as_skipped_with_why(kb, unix_socket):
    write(kb, "a.md", "# A\n\nText.\n")
    os.mkfifo(kb / "inbox.md")
    os.symlink(kb / "inbox.md", kb / "link-to-pipe.md")
    expected = [
        Skipped(unix_socket, "a socket, not a regular file: never opened"),
        Skipped(kb / "inbox.md", PIPE_REASON),
        Skipped(kb / "link-to-pipe.md", PIPE_REASON),
    ]
    try:
        os.mknod(kb / "zero.txt", 0o600 | 0o020000, os.makedev(1, 5))  # like /dev/zero
        device = "a character device, not a regular file: never opened"
        expected.append(Skipped(kb / "zero.txt", device))
    except PermissionError:
        pass  # creating a device needs root; the pipe and socket show the rule all the same
    found, skipped = discover(kb)
    assert found == [kb / "a.md"]
    assert skipped == expected


def test_a_pipe_read_anyway_fails_at_once(kb, settings):
    # A file swapped for a pipe between listing and reading: opened without waiting, refused.
    pipe = kb / "notes.md"
    os.mkfifo(pipe)
    reads = (lambda: load_document(pipe, kb, settings), lambda: source_hash(pipe, kb, settings))
    for read in reads:
        with pytest.raises(DocumentError, match=r"^a named pipe, not a regular file: never read$"):
            without_hanging(read, pipe)


def test_sync_and_check_skip_a_pipe_and_fail_a_document_whose_sidecar_is_one(
    kb, settings, embeddings
):
    write(kb, "a.md", "# A\n\nText.\n")
    make_pdf(kb / "bands.pdf", "Compensation bands for 2027.")
    os.mkfifo(kb / "bands.pdf.meta.yaml")  # no audience known: the PDF must not be indexed
    os.mkfifo(kb / "inbox.md")
    store = store_for(settings)
    report = without_hanging(lambda: sync(settings, store, embeddings), kb / "inbox.md")
    assert report.added == ["a.md"]
    assert report.skipped == [FileSkipped(path="inbox.md", reason=PIPE_REASON)]
    [failure] = report.failed
    assert failure.path == "bands.pdf"
    assert failure.error == (
        "cannot read bands.pdf.meta.yaml: a named pipe, not a regular file: never read"
    )
    assert report.as_json()["skipped"] == [{"path": "inbox.md", "reason": PIPE_REASON}]
    problems = without_hanging(lambda: check_folder(settings), kb / "inbox.md")
    assert Problem("inbox.md", f"{PIPE_REASON}, not indexed", "warning") in problems


def test_coach_index_over_the_sample_and_a_pipe_skips_only_the_pipe(tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE, kb)
    os.mkfifo(kb / "growth" / "inbox.md")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}

    def coach(*args: str) -> subprocess.CompletedProcess:
        command = [str(COACH), *args, "--knowledge", str(kb), "--data", str(tmp_path / "d")]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)

    checked = coach("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"warning: growth/inbox.md: {PIPE_REASON}, not indexed" in checked.stdout
    indexed = coach("index", "--json")
    assert indexed.returncode == 0, indexed.stderr
    report = json.loads(indexed.stdout)
    assert report["skipped"] == [{"path": "growth/inbox.md", "reason": PIPE_REASON}]
    assert report["failed"] == [] and report["added"] == len(discover(KNOWLEDGE)[0])
    again = coach("index")  # the words a person reads on a terminal
    assert again.returncode == 0
    assert f"skipped: growth/inbox.md: {PIPE_REASON}" in again.stderr
