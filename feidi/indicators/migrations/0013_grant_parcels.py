"""Existing installations: the standard roles' indicator permissions as of the maps."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p.startswith("indicators.")] for code, spec in STANDARD_ROLES.items()}


class Migration(migrations.Migration):
    dependencies = [("indicators", "0012_parcels")]

    operations = [migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop)]
