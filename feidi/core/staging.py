"""A temporary table an import stages its checked rows in, so that the checks across rows
(duplicates, neighbouring months) and the write can read them back in key order, a chunk at a
time, instead of the import holding its file in memory.

PostgreSQL is given the rows by binary COPY, SQLite by one prepared INSERT per chunk. A temporary
table is private to the connection — on SQLite it takes no lock on the database, so staging runs
beside other writers — and is dropped when the ``with`` block ends (a table left by a connection
that broke is dropped by the next import on it). Values: integers, and decimals (numeric on
PostgreSQL; on SQLite text, so that they come back exact).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from decimal import Decimal

from django.db import DatabaseError
from django.db import connection

KINDS = {"int": ("integer", "int4"), "bigint": ("bigint", "int8"), "decimal": ("numeric", "numeric")}


class Staging:
    """``with Staging(name, [(column, kind), …]) as stage``: ``stage.add(rows)`` appends tuples in
    the columns' order; ``stage.ordered(size)`` yields them back sorted by the leading columns
    ``order`` names. Temporary table names are the caller's (one per kind of import)."""

    def __init__(self, name: str, columns: list[tuple[str, str]], order: int):
        self.name, self.columns, self.order, self.count = name, columns, order, 0
        self.names = ", ".join(c for c, _ in columns)
        self.decimals = [i for i, (_, kind) in enumerate(columns) if kind == "decimal"]
        self.postgres = connection.vendor == "postgresql"

    def __enter__(self) -> Staging:
        types = [KINDS[kind][0] if self.postgres else ("text" if kind == "decimal" else "integer")
                 for _, kind in self.columns]
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.name}")
            cur.execute(f"CREATE TEMPORARY TABLE {self.name} "
                        f"({', '.join(f'{c} {t}' for (c, _), t in zip(self.columns, types, strict=True))})")
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self._drop()
            return
        with suppress(DatabaseError):  # the transaction may be broken: the next import drops it
            self._drop()

    def _drop(self) -> None:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.name}")

    def add(self, rows: list[tuple]) -> None:
        if not rows:
            return
        self.count += len(rows)
        with connection.cursor() as cur:
            if self.postgres:
                with cur.copy(f"COPY {self.name} ({self.names}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types([KINDS[kind][1] for _, kind in self.columns])
                    for row in rows:
                        copy.write_row(row)
                return
            if self.decimals:
                rows = [_converted(row, self.decimals, str) for row in rows]
            cur.executemany(f"INSERT INTO {self.name} ({self.names}) VALUES ({', '.join(['%s'] * len(self.columns))})",
                            rows)

    def analyze(self) -> None:
        """Statistics for the planner of the queries that read the table (PostgreSQL leaves a
        temporary table unanalysed: autovacuum cannot see it)."""
        if self.postgres:
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {self.name}")

    def ordered(self, size: int) -> Iterator[list[tuple]]:
        """Every row, sorted by the first ``order`` columns, ``size`` rows at a time: from a
        server-side cursor on PostgreSQL (so it must run inside a transaction), from SQLite's
        stepping cursor on SQLite."""
        key = ", ".join(c for c, _ in self.columns[:self.order])
        cursor = reading_cursor()
        try:
            cursor.execute(f"SELECT {self.names} FROM {self.name} ORDER BY {key}")
            while rows := cursor.fetchmany(size):
                if self.decimals and not self.postgres:
                    rows = [_converted(row, self.decimals, Decimal) for row in rows]
                yield rows
        finally:
            cursor.close()


def reading_cursor():
    """A cursor for a query whose every row will be read, a chunk at a time: server-side on
    PostgreSQL (inside a transaction), planned for the whole result — PostgreSQL plans a cursor
    for its first tenth (``cursor_tuple_fraction``), which for the sorted stored months of an
    import's 50,000 enterprises chose a plan of more than twice the work."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL cursor_tuple_fraction = 1")
    return connection.chunked_cursor()


def _converted(row: tuple, columns: list[int], convert) -> tuple:
    out = list(row)
    for i in columns:
        if out[i] is not None:
            out[i] = convert(out[i])
    return tuple(out)
