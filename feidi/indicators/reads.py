"""Reads kept for one computation: within ``reading()`` what a computation asks more than once —
the candidate zones, a month's published figures, the standings, the groups' names, the sharing
agreements — is read once and kept; outside it every call reads afresh, so nothing kept here
outlives the computation. Below both the engine and the zones' figures, which both keep reads."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

_READ: ContextVar[dict | None] = ContextVar("feidi_zones_read", default=None)


@contextmanager
def reading():
    """Keep the reads of the computation run in this block (one dashboard's card set asking the same
    of four indicators)."""
    token = _READ.set(_READ.get() if _READ.get() is not None else {})
    try:
        yield
    finally:
        _READ.reset(token)


def once(key: tuple, compute: Callable):
    """``compute()`` read once per ``key`` within ``reading()``; every time outside it."""
    memo = _READ.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def kept() -> dict | None:
    """What is kept within ``reading()`` (None outside it), for a reader filling several keys at once."""
    return _READ.get()
