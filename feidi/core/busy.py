"""A database busy for a moment (another transaction's lock) told apart from a fault: answered 503
with ``Retry-After`` by the pages (``middleware.BusyDatabaseMiddleware``) and the API, and a queued
import retried (``imports.execute``)."""

from __future__ import annotations

RETRY_AFTER = 5  # seconds: a busy database is another transaction's, over within a few


def database_busy(exc) -> bool:
    """The database refused for a moment, not for a fault: SQLite's single writer held past the busy
    timeout (a large import), PostgreSQL's lock or statement timeout."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    cause = getattr(exc, "__cause__", None)
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return "database is locked" in text or "database table is locked" in text or code in ("55P03", "57014")
