"""Trigram indexes for the pipeline's keyword search (see feidi.core.trigram)."""

from django.db import migrations

from feidi.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_grant_standard_roles")]
    operations = [trigram_indexes({
        "projects_project_name_trgm": ("projects_project", "name"),
        "projects_project_investor_trgm": ("projects_project", "investor"),
        "projects_project_introducer_trgm": ("projects_project", "introducer"),
    })]
