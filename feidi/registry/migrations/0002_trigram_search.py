"""Keyword search (名称/代码 contains …) on PostgreSQL uses trigram GIN indexes on the same
expression Django's ``icontains`` produces: UPPER(column::text) LIKE UPPER('%…%').
SQLite scans, which is fine at one zone's size. CREATE EXTENSION needs a role allowed to create
it (docs/operations.md)."""

from django.db import migrations

INDEXES = {
    "registry_org_name_trgm": ("registry_organization", "name"),
    "registry_org_uscc_trgm": ("registry_organization", "uscc"),
    "registry_person_name_trgm": ("registry_person", "name"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER(("{column}")::text) gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
