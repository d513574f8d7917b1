"""Guarded reading: each file is converted in a worker process under a time and memory limit.

A hostile file (a zip bomb, a pathological PDF, input that makes a converter loop) can then only
fail itself: its worker is killed and replaced, and the file gets a one-line reason. Workers come
from a fork server, never from this process, which may hold torch and the embedding model.
The pool starts on the first read, is shared by every later read (syncs, `coach check`, the
desk's threads) and stops at exit. As with any non-forked worker, each one imports the main
script first: a script that reads documents must guard its entry point (`if __name__ ==
"__main__"`), and one that imports Gradio at the top (ui.py) costs each new worker that import.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError, TimeoutError
from dataclasses import dataclass
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from coach.config import Settings
from coach.errors import DocumentError, bounded, one_line
from coach.ingest.documents import Document, convert_document, failure_reason

log = logging.getLogger(__name__)

WORKERS = 2  # conversion is a small share of indexing: two keep up with the embedding model
TASKS_PER_WORKER = 500  # then the worker is replaced, so a converter's leaks cannot pile up
# Imported once in the fork server, so a worker starts in milliseconds with them loaded.
PRELOAD = ["coach.ingest.reader", "pypdf", "markitdown.converters"]


@dataclass(frozen=True)
class Outcome:
    """One file's reading: its Document, or the one-line reason it failed."""

    path: Path
    document: Document | None = None
    error: str = ""


def read_document(path: Path, root: Path, settings: Settings) -> Document:
    """Load one file in a worker under the per-file limits, or raise DocumentError."""
    [outcome] = read_documents([path], root, settings)
    if outcome.document is None:
        raise DocumentError(outcome.error)
    return outcome.document


def read_documents(paths: Iterable[Path], root: Path, settings: Settings) -> Iterator[Outcome]:
    """Load files in workers, all scheduled at once; yields their outcomes in the given order."""
    paths = list(paths)
    if not paths:
        return
    futures = _schedule(paths, root, settings)
    try:
        for path, future in zip(paths, futures, strict=True):
            yield _outcome(path, future, settings)
    finally:
        for future in futures:  # a caller that stopped early leaves nothing running
            future.cancel()


def timeout_reason(settings: Settings) -> str:
    """The reason given to a file that took too long."""
    return f"took longer than {settings.file_timeout_s:g} s to read (limit COACH_FILE_TIMEOUT_S)"


def memory_reason(settings: Settings) -> str:
    """The reason given to a file that needed too much memory."""
    return f"needs more than {settings.file_memory_mb} MB to read (limit COACH_FILE_MEMORY_MB)"


def shutdown() -> None:
    """Stop the worker processes; the next read starts them again."""
    global _shared
    with _lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.stop()
        pool.join()


_lock = threading.Lock()
_shared: ProcessPool | None = None
atexit.register(shutdown)  # before pebble's own exit hook, which runs after ours


def _schedule(paths: list[Path], root: Path, settings: Settings) -> list:
    # Absolute paths: a worker's working folder is its fork server's, not ours.
    tasks = [(path.absolute(), root.absolute(), settings) for path in paths]
    for attempt in (1, 2):
        pool = _pool()
        try:
            return [
                pool.schedule(_read_in_worker, args=task, timeout=settings.file_timeout_s)
                for task in tasks
            ]
        except RuntimeError:  # the pool broke (its threads died): start a fresh one, once
            if attempt == 2:
                raise
            log.warning("document reader pool was broken; starting a new one")
            shutdown()
    raise AssertionError("unreachable")


def _pool() -> ProcessPool:
    global _shared
    with _lock:
        if _shared is None:
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            )
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(PRELOAD)
            _shared = ProcessPool(max_workers=WORKERS, max_tasks=TASKS_PER_WORKER, context=context)
        return _shared


def _outcome(path: Path, future, settings: Settings) -> Outcome:
    try:
        outcome = future.result()
    except TimeoutError:
        return Outcome(path, error=timeout_reason(settings))
    except ProcessExpired as exc:
        # Killed from outside (the kernel's OOM killer) or crashed inside a C extension.
        return Outcome(
            path,
            error=f"the reading process died (exit code {exc.exitcode}); it may need more than "
            f"{settings.file_memory_mb} MB (limit COACH_FILE_MEMORY_MB)",
        )
    except CancelledError:
        return Outcome(path, error="reading was cancelled")
    except Exception as exc:  # the pool itself failed: this file fails, never the caller
        return Outcome(path, error=bounded(f"could not be read in a worker: {one_line(exc)}"))
    log_converter(outcome.document)
    return dataclasses.replace(outcome, path=path)


def log_converter(document: Document | None) -> None:
    """Say here, not in the worker (whose logging nobody set up), which converter read a file."""
    if document is None or not document.converter:
        return
    if document.fallback_reason:
        # One file's fallback usually means every DOCX falls back: an upstream release broke
        # markitdown's path. The text is the same; the warning is for whoever installs coach.
        log.warning(
            "%s: read with mammoth alone, as markitdown's DOCX converter failed: %s",
            document.path,
            document.fallback_reason,
        )
    else:
        log.debug("%s: read with %s", document.path, document.converter)


def _read_in_worker(path: Path, root: Path, settings: Settings) -> Outcome:
    """In the worker: convert one file with the address space capped for its duration."""
    _import_converters()  # before the cap: libraries are the worker's, not the file's
    _limit_memory(settings.file_memory_mb)
    try:
        return Outcome(path, document=convert_document(path, root, settings))
    except MemoryError:
        return Outcome(path, error=memory_reason(settings))
    except Exception as exc:  # RecursionError and anything a converter raises
        return Outcome(path, error=failure_reason(exc))
    finally:
        _limit_memory(None)


def _import_converters() -> None:
    import markitdown.converters  # noqa: F401 - preloaded by the fork server, else loaded here
    import pypdf  # noqa: F401


def _limit_memory(megabytes: int | None) -> None:
    """Cap the address space at what the worker holds now plus `megabytes`; None lifts it."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if megabytes is None:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        return
    try:
        with open("/proc/self/statm") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return  # no /proc here: the time limit still holds
    soft = held + megabytes * 1_048_576
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
