"""Keyword search (… contains …) on PostgreSQL uses trigram GIN indexes on the same expression
Django's ``icontains`` produces: UPPER(column::text) LIKE UPPER('%…%'). SQLite scans, which is
fine at one zone's size. A condition across a join serves from no index, so a list with a field
of a related table is searched table by table (``ScopedFilterSet.filter_search``). CREATE EXTENSION needs a role allowed to create it (docs/operations.md).

The planner uses them only if it is told what a random read costs on today's disks: at its
default ``random_page_cost`` of 4 (spinning disks) it scans 50,000 projects evaluating the
UPPER(…) LIKE of each over the index (117 ms against 12 ms for the pipeline's search as a city
leader, ``bench/projects.py``). ``planner_costs`` sets ``settings.PG_RANDOM_PAGE_COST`` (1.1, the
usual figure for SSDs) on every new connection, with a plain ``set_config`` so that a connection
pooler passes it (a libpq startup option it may refuse)."""

from django.db import migrations


def planner_costs(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: the planner's random-read cost on a PostgreSQL connection
    (nothing when ``PG_RANDOM_PAGE_COST`` is empty: the server's own setting stands)."""
    from django.conf import settings

    cost = getattr(settings, "PG_RANDOM_PAGE_COST", "")
    if connection.vendor != "postgresql" or not cost:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('random_page_cost', %s, false)", [cost])


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
