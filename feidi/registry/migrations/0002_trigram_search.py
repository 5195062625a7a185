"""Trigram indexes for the registry's keyword search (see feidi.core.trigram)."""

from django.db import migrations

from feidi.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [trigram_indexes({
        "registry_org_name_trgm": ("registry_organization", "name"),
        "registry_org_uscc_trgm": ("registry_organization", "uscc"),
        "registry_person_name_trgm": ("registry_person", "name"),
    })]
