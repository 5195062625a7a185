"""Live progress of a long operation (an import in the job queue), readable from any process while
the operation's own transaction is still open: in Redis when Feidi runs with one (every host sees
it), else in a small JSON file under the var directory (the web server and the worker share the
machine with SQLite). The operation's own record keeps its phase boundaries; this carries the
counts between them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings

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
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
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

    def phase(self, name: str, total: int = 0) -> None:
        self.state.update(phase=name, done=0, total=total, written=None, phase_started=time.time())
        self._publish()

    def advance(self, done: int, *, total: int | None = None, written: int | None = None) -> None:
        """``done`` of the phase's ``total`` — a total estimated while a file is still being read
        is given again as the estimate improves; ``written``: how many of them are written."""
        self.state["done"] = done
        if total is not None:
            self.state["total"] = total
        if written is not None:
            self.state["written"] = written
        now = time.time()
        if now - self.last >= self.every:
            self._publish()

    def _publish(self) -> None:
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
# readers say so and it may be asked for again. Its process speaks at least every few seconds (each
# chunk of an import, every 2,000 rows of an export; no single step of either runs a minute), so three
# minutes of silence is a dead worker — a killed import stayed 处理中, refusing its file, for 15.
STALE_SECONDS = 3 * 60


def silent(key: str, since=None, live: dict | None = None) -> bool:
    """Whether the process working on ``key`` has been silent past ``STALE_SECONDS``: since its last
    progress, else since ``since`` (when it took the job), else not known to be."""
    live = live if live is not None else read(key)
    last = live.get("at") if live else (since.timestamp() if since is not None else None)
    return last is not None and time.time() - last >= STALE_SECONDS

