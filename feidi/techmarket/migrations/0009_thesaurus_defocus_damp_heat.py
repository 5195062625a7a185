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
MAX_LENGTH = 500  # of ThesaurusEntry.equivalents and .related


def _split(text: str) -> list[str]:
    from feidi.techmarket.matching.thesaurus import split_equivalents

    return list(split_equivalents(text))


def _shipped(entry, chain, term):
    return entry.objects.filter(chain=chain, term=term, department__isnull=True, created_by__isnull=True).first()


def seed(apps, schema_editor):
    entry = apps.get_model("techmarket", "ThesaurusEntry")
    for chain, term, equivalents, broader, related in ADDED:
        if not entry.objects.filter(chain=chain, term=term).exists():
            entry.objects.create(chain=chain, term=term, equivalents=equivalents, broader=broader, related=related,
                                 weight=0.5)
    for chain, term, more_equivalents, more_related in EXTENDED:
        row = _shipped(entry, chain, term)
        if row is None:
            continue
        changed = []
        for field, more in (("equivalents", more_equivalents), ("related", more_related)):
            have = _split(getattr(row, field))
            folded = {w.casefold() for w in have}
            new = [w for w in more if w.casefold() not in folded and w != row.term]
            value = ", ".join([*have, *new])
            if new and len(value) <= MAX_LENGTH:
                setattr(row, field, value)
                changed.append(field)
        if changed:
            row.save(update_fields=changed)


def unseed(apps, schema_editor):
    entry = apps.get_model("techmarket", "ThesaurusEntry")
    for chain, term, equivalents, broader, related in ADDED:
        entry.objects.filter(chain=chain, term=term, equivalents=equivalents, broader=broader, related=related,
                             department__isnull=True, created_by__isnull=True).delete()
    for chain, term, more_equivalents, more_related in EXTENDED:
        row = _shipped(entry, chain, term)
        if row is None:
            continue
        for field, more in (("equivalents", more_equivalents), ("related", more_related)):
            setattr(row, field, ", ".join(w for w in _split(getattr(row, field)) if w not in more))
        row.save(update_fields=["equivalents", "related"])


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0008_thesaurus_related"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
