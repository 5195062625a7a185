"""Live progress of a long operation (an import in the job queue), readable from any process while
the operation's own transaction is still open: in Redis when Feidi runs with one (every host sees
it), else in a small JSON file under the var directory (the web server and the worker share the
machine with SQLite). The operation's own record keeps its phase boundaries; this carries the
counts between them."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)
TTL = 6 * 3600


def _path(key: str) -> Path:
    folder = Path(settings.VAR_DIR) / "progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.json"


def publish(key: str, **data) -> None:
    """Store ``data`` (JSON-able) under ``key`` with the time it was said."""
    data["at"] = time.time()
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.set(f"progress:{key}", data, TTL)
        return
    path = _path(key)
    # one temporary file per thread: a job's heartbeat (``alive``) publishes beside the job itself
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, path)  # readers see the old or the new file, never half of one


def read(key: str) -> dict | None:
    if settings.REDIS_URL:
        from django.core.cache import cache

        return cache.get(f"progress:{key}")
    try:
        return json.loads(_path(key).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def clear(key: str) -> None:
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.delete(f"progress:{key}")
        return
    _path(key).unlink(missing_ok=True)


class Quiet:
    """A reporter nobody reads: an operation run outside the job queue (a test, the shell)."""

    def phase(self, name: str, total: int = 0) -> None:
        pass

    def advance(self, done: int, *, total: int | None = None, written: int | None = None) -> None:
        pass


class Reporter(Quiet):
    """Counts for one operation, published at most every ``every`` seconds (and at each phase)."""

    def __init__(self, key: str, every: float = 0.5):
        self.key, self.every, self.last = key, every, 0.0
        self.state: dict = {"phase": "", "done": 0, "total": 0, "written": None, "started": time.time(),
                            "phase_started": time.time()}
        # the operation and its heartbeat (``alive``) publish from two threads: one state, one at a time
        self.lock = threading.Lock()
        self.closed = False

    def phase(self, name: str, total: int = 0) -> None:
        with self.lock:
            self.state.update(phase=name, done=0, total=total, written=None, phase_started=time.time())
            self._publish()

    def advance(self, done: int, *, total: int | None = None, written: int | None = None) -> None:
        """``done`` of the phase's ``total`` — a total estimated while a file is still being read
        is given again as the estimate improves; ``written``: how many of them are written."""
        with self.lock:
            self.state["done"] = done
            if total is not None:
                self.state["total"] = total
            if written is not None:
                self.state["written"] = written
            if time.time() - self.last >= self.every:
                self._publish()

    def beat(self) -> None:
        """Say that the operation is alive, with the counts as they stand (``alive``)."""
        with self.lock:
            self._publish()

    def close(self) -> None:
        """The operation is over: nothing is published for it again, and what was is cleared."""
        with self.lock:
            self.closed = True
            clear(self.key)

    def _publish(self) -> None:
        if self.closed:  # a late heartbeat must not bring back a finished job's progress
            return
        self.last = time.time()
        publish(self.key, **self.state)


def remaining(state: dict | None) -> float | None:
    """Seconds left in the current phase at the rate so far, or None while unknown."""
    if not state or not state.get("total") or not state.get("done"):
        return None
    spent = state["at"] - state["phase_started"]
    if spent <= 0:
        return None
    return spent / state["done"] * (state["total"] - state["done"])


# A job that has said nothing for this long lost its process (a restart, its memory, kill -9): the
# readers say so and it may be asked for again — a killed import stayed 处理中, refusing its file, for 15.
# Its liveness is its heartbeat's (``alive``), never the pace of its work: a chunk of 5,000 rows of long
# texts was checked in over three minutes, and its live job was declared dead, then finished anyway.
STALE_SECONDS = 3 * 60
# A running job's heartbeat, well inside ``STALE_SECONDS``: a few missed beats (a busy host) are not death
HEARTBEAT_SECONDS = 15


@contextlib.contextmanager
def alive(reporter: Reporter, every: float | None = None):
    """While the block runs, a thread of its own says every ``every`` seconds that the operation's
    process is alive (``reporter.beat``), however long one step of the work keeps it silent; on leaving,
    the progress is cleared. The heartbeat touches no database: on SQLite the operation's own
    transaction holds the one write lock, which a beat written to a row would wait for."""
    every = every or HEARTBEAT_SECONDS
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                reporter.beat()
            except Exception:  # a beat lost (Redis away for a moment) is not the job's failure
                log.warning("progress %s: heartbeat not published", reporter.key, exc_info=True)

    reporter.beat()  # alive from the start: a job claimed is heard before its first phase
    thread = threading.Thread(target=beat, name=f"heartbeat-{reporter.key}", daemon=True)
    thread.start()
    try:
        yield reporter
    finally:
        stop.set()
        reporter.close()
        thread.join(timeout=every)


def silent(key: str, since=None, live: dict | None = None) -> bool:
    """Whether the process working on ``key`` has been silent past ``STALE_SECONDS``: since it was last
    heard (its progress or its heartbeat, ``alive``), else since ``since`` (when it took the job), else
    not known to be."""
    live = live if live is not None else read(key)
    last = live.get("at") if live else (since.timestamp() if since is not None else None)
    return last is not None and time.time() - last >= STALE_SECONDS

