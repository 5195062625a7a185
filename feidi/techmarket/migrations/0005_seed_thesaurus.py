"""The shipped domain thesaurus (matching/thesaurus.txt) as editable entries, and the standard
roles' permissions on them (the 科技局/飞地运营 role edits them, the read-only roles see them)."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p.endswith("_thesaurusentry")] for code, spec in STANDARD_ROLES.items()}


def seed(apps, schema_editor):
    from feidi.techmarket.matching.thesaurus import load_file

    entry = apps.get_model("techmarket", "ThesaurusEntry")
    have = set(entry.objects.values_list("chain", "term"))
    rows = [entry(term=e.term, equivalents=", ".join(e.equivalents), broader=e.broader, chain=e.chain,
                  weight=e.weight) for e in load_file() if (e.chain, e.term) not in have]
    # one entry per (chain, term): a term listed twice in the file keeps its first line
    unique = {(r.chain, r.term): r for r in reversed(rows)}
    entry.objects.bulk_create(list(unique.values()))


def unseed(apps, schema_editor):
    apps.get_model("techmarket", "ThesaurusEntry").objects.filter(department__isnull=True, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0004_thesaurus_entry"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop),
    ]
