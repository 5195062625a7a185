"""Existing installations: give the standard roles the technology-market permissions."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

# the market's permissions, and the pipeline's projects the 科技局 links enclave projects to; at this
# migration 揭榜挂帅's and the auctions' models were still the market's (they moved to their own apps,
# with their permissions, in techmarket 0006)
MOVED = ("challenges.", "auctions.")
GRANTS = {code: [f"techmarket.{p.split('.', 1)[1]}" if p.startswith(MOVED) else p for p in spec[3]
                 if p.startswith(("techmarket.", *MOVED)) or (code, p) == ("tech_bureau", "projects.view_project")]
          for code, spec in STANDARD_ROLES.items()}


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop)]
