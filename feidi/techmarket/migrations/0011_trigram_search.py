"""Trigram indexes for the market's keyword search (see feidi.core.trigram): the supplies' and
demands' title, keywords and description, which the market's lists and the pushes' list search."""

from django.db import migrations

from feidi.core.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("techmarket", "0010_thesaurus_english"), ("registry", "0002_trigram_search")]
    operations = [trigram_indexes({
        f"techmarket_{model}_{column}_trgm": (f"techmarket_{model}", column)
        for model in ("supply", "demand") for column in ("title", "keywords", "description")
    })]
