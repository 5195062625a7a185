"""Keyword search (… contains …) on PostgreSQL uses trigram GIN indexes on the same expression
Django's ``icontains`` produces: UPPER(column::text) LIKE UPPER('%…%'). SQLite scans, which is
fine at one zone's size. CREATE EXTENSION needs a role allowed to create it (docs/operations.md)."""

from django.db import migrations


def trigram_indexes(indexes: dict[str, tuple[str, str]]) -> migrations.RunPython:
    """A migration operation creating ``{index_name: (table, column)}`` on PostgreSQL only."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in indexes.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER(("{column}")::text) gin_trgm_ops)')

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(forwards, backwards)
