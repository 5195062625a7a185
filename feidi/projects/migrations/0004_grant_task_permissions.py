"""Existing installations: every role whose members may own a dispatch task sees and updates tasks."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p in ("projects.view_task", "projects.change_task")]
          for code, spec in STANDARD_ROLES.items()}


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_trigram_search"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop)]
