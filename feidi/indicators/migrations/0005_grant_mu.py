"""Existing installations: the standard roles' 亩均 permissions (see 0002)."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p.startswith("indicators.") and ("_mu" in p)]
          for code, spec in STANDARD_ROLES.items()}


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_mu_evaluation")]

    operations = [migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop)]
