"""Existing installations: the standard roles get the 情报来源 permissions of ``STANDARD_ROLES``."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p.startswith("intel.") and p.endswith("_source")]
          for code, spec in STANDARD_ROLES.items()}


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0003_sources"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop)]
