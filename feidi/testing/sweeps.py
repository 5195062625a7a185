"""Sweeps: the tests that walk every page, form or API operation (minutes each). ``make test`` runs
the suite twice, on SQLite and on PostgreSQL, and each sweep once, on the database its finding
depends on:

- ``pages``: crawls of every page as every user (the demo city, the English interface) and every
  edit form saved as rendered. What they find is in the views and templates; they run on SQLite,
  the database ``make run`` serves the demo from.
- ``queries``: the API fuzz, the scope walk over every route and operation, every column sorted both
  ways. What they find is also in what the database enforces (a value too long for its column, an
  integer beyond its type, an ordering): they run on PostgreSQL, the production database.

``FEIDI_TEST_SWEEPS`` names the kinds a run keeps (``pages``, ``queries``, ``pages,queries``);
unset or ``all`` keeps every one, so a run by hand, or a ``make test`` without PostgreSQL, misses
none. A sweep is marked ``@pytest.mark.sweep("pages")``; one inside a longer test asks
``enabled("pages")``.
"""

from __future__ import annotations

import os

KINDS = ("pages", "queries")


def kept() -> set[str]:
    value = os.environ.get("FEIDI_TEST_SWEEPS", "all").strip()
    if value in ("", "all"):
        return set(KINDS)
    kinds = {k.strip() for k in value.split(",") if k.strip()}
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"FEIDI_TEST_SWEEPS: unknown kind {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")
    return kinds


def enabled(kind: str) -> bool:
    if kind not in KINDS:
        raise ValueError(f"unknown sweep kind {kind!r}")
    return kind in kept()
