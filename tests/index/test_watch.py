"""`coach index --watch`: a burst of saves becomes one sync once the folder settles."""

from __future__ import annotations

import queue
import threading
import time

from helpers import write

from coach.index.store import open_store
from coach.index.sync import sync
from coach.index.watch import watch_and_sync


def test_burst_of_saves_is_one_sync(kb, settings, embeddings):
    store = open_store(settings, "minilm:all-MiniLM-L6-v2")
    reports: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run() -> None:
        for report in watch_and_sync(
            kb, lambda: sync(settings, store, embeddings), settle_ms=400, stop=stop
        ):
            reports.put(report)

    watcher = threading.Thread(target=run, daemon=True)
    watcher.start()
    time.sleep(1.0)  # let the watcher start before the first save
    for n in range(5):
        write(kb, f"note-{n}.md", f"# Note {n}\n\nSaved in one burst.\n")
        time.sleep(0.05)
    first = reports.get(timeout=60)
    assert len(first.added) == 5
    time.sleep(1.0)
    assert reports.empty(), "one burst must give one sync"

    (kb / "note-0.md").unlink()
    write(kb, ".hidden.md", "# ignored")
    second = reports.get(timeout=60)
    assert second.removed == ["note-0.md"] and second.documents == 4
    stop.set()
    watcher.join(timeout=10)
    assert not watcher.is_alive()
