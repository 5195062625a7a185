"""Shipped thesaurus words of 2026-12 (matching/thesaurus.txt) for an installation seeded before
them: the new entry 湿热老化 where the installation has no entry of that chain and term, and the
new members of 离焦 and 热漂移 added to the shipped entries of that chain and term (an operator's
own entry, or a word an operator removed from a shipped entry before, is left as it is — words are
only added, never replaced). The data is written here, not read from the file: a migration brings
what its release shipped."""

from django.db import migrations

ADDED = [
    # chain, term, equivalents, broader, related
    ("光伏", "湿热老化", "双85, 湿热试验, damp heat, 湿热衰减", "光伏可靠性",
     "封装, 薄膜封装, 阻隔膜, 水汽透过率, WVTR, 水氧阻隔, 边缘密封, 丁基胶"),
]
EXTENDED = [
    # chain, term, new equivalents, new related terms
    ("光学", "离焦", ("虚焦", "焦点偏移", "defocus"), ()),
    ("光学", "热漂移", ("高温虚焦", "热离焦", "thermal defocus"), ("无热化", "athermalization", "后焦漂移")),
]


def seed(apps, schema_editor):
    from feidi.techmarket.matching.thesaurus import extend_shipped

    entry = apps.get_model("techmarket", "ThesaurusEntry")
    for chain, term, equivalents, broader, related in ADDED:
        if not entry.objects.filter(chain=chain, term=term).exists():
            entry.objects.create(chain=chain, term=term, equivalents=equivalents, broader=broader, related=related,
                                 weight=0.5)
    extend_shipped(entry, EXTENDED)


def unseed(apps, schema_editor):
    from feidi.techmarket.matching.thesaurus import retract_shipped

    entry = apps.get_model("techmarket", "ThesaurusEntry")
    for chain, term, equivalents, broader, related in ADDED:
        entry.objects.filter(chain=chain, term=term, equivalents=equivalents, broader=broader, related=related,
                             department__isnull=True, created_by__isnull=True).delete()
    retract_shipped(entry, EXTENDED)


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0008_thesaurus_related"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
