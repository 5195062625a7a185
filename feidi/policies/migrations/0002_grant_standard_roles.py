"""Existing installations: give the standard roles the 惠企政策 permissions (the new 政策兑现办 role
is created with them by ``ensure_standard_roles`` after migrate)."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p.startswith("policies.")] for code, spec in STANDARD_ROLES.items()}


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop)]
