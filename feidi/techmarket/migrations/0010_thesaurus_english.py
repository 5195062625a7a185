"""Shipped thesaurus words of 2026-12-06 (matching/thesaurus.txt) for an installation seeded before
them: the English name of every shipped entry that had none (光伏玻璃: solar glass) and of its
related terms (耐紫外: UV resistance), so that a record written in English finds one written in
Chinese. The words are appended to the shipped entries of that chain and term after the words
they hold (``thesaurus.extend_shipped``: an operator's own entry, or a word an operator removed
before, is left as it is). The data is the frozen file beside this migration, not thesaurus.txt:
a migration brings what its release shipped."""

from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_name("0010_thesaurus_english.tsv")


def extended() -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    from feidi.techmarket.matching.thesaurus import split_equivalents

    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            chain, term, equivalents, related = (line.split("\t") + ["", ""])[:4]
            rows.append((chain, term, split_equivalents(equivalents), split_equivalents(related)))
    return rows


def seed(apps, schema_editor):
    from feidi.techmarket.matching.thesaurus import extend_shipped

    extend_shipped(apps.get_model("techmarket", "ThesaurusEntry"), extended())


def unseed(apps, schema_editor):
    from feidi.techmarket.matching.thesaurus import retract_shipped

    retract_shipped(apps.get_model("techmarket", "ThesaurusEntry"), extended())


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0009_thesaurus_defocus_damp_heat"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
