"""`coach index --watch`: re-sync whenever the knowledge folder settles after edits."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from watchfiles import Change, DefaultFilter, watch

log = logging.getLogger(__name__)
T = TypeVar("T")


class KnowledgeFilter(DefaultFilter):
    """Ignore editor temp files and hidden folders as well as watchfiles' defaults."""

    def __call__(self, change: Change, path: str) -> bool:
        name = Path(path).name
        return super().__call__(change, path) and not name.startswith((".", "~$", "~"))


def watch_and_sync(
    root: Path,
    run_sync: Callable[[], T],
    settle_ms: int = 800,
    stop: threading.Event | None = None,
) -> Iterator[T]:
    """Yield one sync result per burst of changes; a burst ends after settle_ms of quiet."""
    # step: how long the folder must stay quiet; debounce: the longest a burst may be held.
    for changes in watch(
        root,
        watch_filter=KnowledgeFilter(),
        step=settle_ms,
        debounce=max(settle_ms * 8, 4000),
        stop_event=stop,
        ignore_permission_denied=True,
        raise_interrupt=False,
    ):
        log.info("%d change(s) in %s, syncing", len(changes), root)
        yield run_sync()
