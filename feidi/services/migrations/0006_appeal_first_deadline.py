"""An appeal keeps its first level's deadline and its clock past escalation (用时压缩 measures
against it; the calendar's changes count it again). The
appeals already escalated take it from the audit trail: the escalation's record holds the appeal
as it was, with the level-1 deadline; one without such a record keeps none (and is measured
against its present deadline, as before)."""

import datetime as dt
import json

from django.db import migrations
from django.db import models


def first_deadlines(apps, schema_editor):
    Appeal = apps.get_model("services", "Appeal")
    AuditRecord = apps.get_model("core", "AuditRecord")
    escalated = {str(pk): pk for pk in Appeal.objects.filter(level__gt=1, first_deadline__isnull=True)
                 .values_list("pk", flat=True)}
    found = {}
    records = (AuditRecord.objects.filter(model="services.appeal", action="transition", object_id__in=list(escalated))
               .order_by("seq").values_list("object_id", "before", "after"))
    for object_id, before, after in records.iterator():
        if escalated[object_id] in found:
            continue
        try:
            was, now = json.loads(before or "{}"), json.loads(after or "{}")
        except ValueError:
            continue
        if was.get("level") == 1 and now.get("level") == 2 and was.get("deadline"):
            try:
                start = dt.date.fromisoformat(was["deadline_from"]) if was.get("deadline_from") else None
                days = int(was["deadline_days"]) if was.get("deadline_days") is not None else None
                found[escalated[object_id]] = dict(first_deadline=dt.datetime.fromisoformat(was["deadline"]),
                                                   first_deadline_from=start, first_deadline_days=days)
            except (TypeError, ValueError):
                continue
    for pk, fields in found.items():
        Appeal.objects.filter(pk=pk).update(**fields)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_savedquery'),
        ('services', '0005_constraint_messages'),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='first_deadline',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='首级办理期限'),
        ),
        migrations.AddField(
            model_name='appeal',
            name='first_deadline_from',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='首级期限起算日'),
        ),
        migrations.AddField(
            model_name='appeal',
            name='first_deadline_days',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name='首级期限工作日数'),
        ),
        migrations.RunPython(first_deadlines, migrations.RunPython.noop),
    ]
