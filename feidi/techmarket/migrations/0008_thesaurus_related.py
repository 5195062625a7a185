"""The thesaurus's associative relation (相关词, ISO 25964's RT): the column, and the shipped
entries that carry related terms (matching/thesaurus.txt) — filled into a shipped entry of the same
chain and term that has none, added where the installation has no such entry."""

from django.db import migrations
from django.db import models


def _shipped_related():
    from feidi.techmarket.matching.thesaurus import load_file

    unique = {}
    for e in load_file():  # one entry per (chain, term): a term listed twice keeps its first line
        if e.related:
            unique.setdefault((e.chain, e.term), e)
    return unique


def seed(apps, schema_editor):
    entry = apps.get_model("techmarket", "ThesaurusEntry")
    shipped = _shipped_related()
    have = {(r.chain, r.term): r for r in entry.objects.filter(chain__in={c for c, _ in shipped})}
    added = []
    for key, e in shipped.items():
        row = have.get(key)
        if row is None:
            added.append(entry(term=e.term, equivalents=", ".join(e.equivalents), broader=e.broader, chain=e.chain,
                               weight=e.weight, related=", ".join(e.related)))
        elif not row.related and row.department_id is None and row.created_by_id is None:
            row.related = ", ".join(e.related)
            row.save(update_fields=["related"])
    entry.objects.bulk_create(added)


def unseed(apps, schema_editor):
    entry = apps.get_model("techmarket", "ThesaurusEntry")
    for (chain, term), e in _shipped_related().items():
        entry.objects.filter(chain=chain, term=term, equivalents=", ".join(e.equivalents), broader=e.broader,
                             department__isnull=True, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0007_push_score_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="thesaurusentry",
            name="related",
            field=models.CharField(blank=True, help_text="以逗号分隔：与术语相关而不同义的词，如问题的机理、解决它的技术、材料或检测手段；与术语双向扩展，权重同同义词，如：发黄 ↔ 耐紫外, 湿热老化", max_length=500, verbose_name="相关词"),
        ),
        migrations.RunPython(seed, unseed),
    ]
