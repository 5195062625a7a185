"""Derived figures kept between requests, dropped the moment their data changes.

A namespace (``"indicators"``) has a version number in the shared cache (Redis in production);
every write to the data behind it bumps the version when its transaction commits, so a figure
cached under the old version is never served again. ``ttl`` bounds how long a figure may live in
any case (a write path that forgot to bump costs at most that much staleness)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction


def _key(namespace: str) -> str:
    return f"feidi:version:{namespace}"


def version(namespace: str) -> int:
    return cache.get(_key(namespace)) or 0


def bump(namespace: str) -> None:
    """The data of ``namespace`` changed: after the commit, figures computed before are stale."""

    def after():
        try:
            cache.incr(_key(namespace))
        except ValueError:  # no version yet
            cache.set(_key(namespace), 1, None)

    transaction.on_commit(after)


def cached(namespace: str, key: str, ttl: int, compute: Callable):
    """``compute()``, or what it gave last under the current version of ``namespace``."""
    full = f"feidi:cached:{namespace}:{version(namespace)}:{key}"
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, ttl)
    return found
