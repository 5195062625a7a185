"""One run at a time of a periodic job, across workers and hosts, that a crash cannot block.

A lease is a row (``JobLease``) naming its holder and when it expires. Taking it is one conditional
UPDATE — free, or expired — so two workers never both hold it; the holder renews it while it works
(``heartbeat()`` at each checkpoint of the job, e.g. each batch of a sweep) and frees it when done.
A worker killed mid-run (kill -9, the host lost) stops renewing: the lease expires after its
time-to-live and the next scheduled run takes it and does the rest. The database is the truth, so
this works the same on SQLite and PostgreSQL and with the SQLite or the Redis job queue (huey's own
``lock_task`` keeps a key that a killed worker never deletes). Decision 0008.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import logging
import os
import socket
import uuid

from django.conf import settings
from django.db import DatabaseError
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .busy import database_busy

log = logging.getLogger(__name__)

_current: contextvars.ContextVar[Lease | None] = contextvars.ContextVar("feidi_lease", default=None)


def default_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "JOB_LEASE_SECONDS", 120))


class Lease:
    def __init__(self, name: str, ttl: dt.timedelta | None = None):
        self.name = name
        self.ttl = ttl or default_ttl()
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held = False

    def acquire(self) -> bool:
        from .models import JobLease

        now = timezone.now()
        if not JobLease.objects.filter(name=self.name).exists():
            try:
                with transaction.atomic():
                    JobLease.objects.create(name=self.name, holder="", expires_at=now)
            except IntegrityError:
                pass  # another worker created it first: the UPDATE below decides
        # one UPDATE … WHERE free or expired: the database serialises two workers on the row
        self.held = bool(JobLease.objects.filter(Q(holder="") | Q(expires_at__lt=now), name=self.name).update(
            holder=self.holder, acquired_at=now, expires_at=now + self.ttl, renewed_at=now))
        if not self.held:
            log.info("job %s: another worker holds the lease, skipped", self.name)
        return self.held

    def renew(self) -> None:
        from .models import JobLease

        now = timezone.now()
        if not JobLease.objects.filter(name=self.name, holder=self.holder).update(expires_at=now + self.ttl,
                                                                                   renewed_at=now):
            # we overran our lease and another worker took it: stop rather than run twice
            raise LeaseLost(f"job {self.name}: lease lost to another worker")

    def release(self) -> None:
        from .models import JobLease

        JobLease.objects.filter(name=self.name, holder=self.holder).update(holder="", expires_at=timezone.now())
        self.held = False

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        if self.held:
            self.release()
        return False


class LeaseLost(RuntimeError):
    """The lease expired while its holder still worked and another worker took it."""


def heartbeat() -> None:
    """Renew the lease of the periodic job running in this context (a no-op outside one)."""
    lease = _current.get()
    if lease is not None:
        lease.renew()


def periodic_job(schedule, lock: str, ttl: dt.timedelta | None = None):
    """A periodic task of the job queue (huey's ``db_periodic_task`` on ``schedule``), one run at a
    time across workers (the lease ``lock``, see ``periodic_lock``), acting through the 后台任务
    channel (``acting("job")``)."""
    from huey.contrib.djhuey import db_periodic_task

    from .context import acting

    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with acting("job"):
                return fn(*args, **kwargs)

        return db_periodic_task(schedule)(periodic_lock(lock, ttl)(run))

    return wrap


def periodic_lock(name: str, ttl: dt.timedelta | None = None):
    """Decorate a periodic job so one run at a time takes place across all workers; a run that
    finds the lease held does nothing, and so does one that finds the database busy (``busy``:
    SQLite's one write lock held by a long import past the busy timeout): it says so, its
    transaction rolled back, and its next scheduled run does the work — a sweep is idempotent."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            lease = Lease(name, ttl)
            try:
                with lease as held:
                    if not held:
                        return None
                    token = _current.set(lease)
                    try:
                        return fn(*args, **kwargs)
                    finally:
                        _current.reset(token)
            except DatabaseError as exc:
                if not database_busy(exc):
                    raise
                # a lease it could not free expires after its time-to-live, as a crashed worker's does
                log.warning("job %s found the database busy (%s): it runs again at its next tick", name, exc)
                return None

        return run

    return wrap
