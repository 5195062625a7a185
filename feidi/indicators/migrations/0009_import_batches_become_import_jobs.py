"""The indicator import's pending batches become import jobs (core.ImportJob, the one record of
every import): a batch waiting for confirmation waits as a job, an applied one is kept as done.
Then the batch model and its permissions go."""

from django.db import migrations


def batches_to_jobs(apps, schema_editor):
    ImportBatch = apps.get_model("indicators", "ImportBatch")
    ImportJob = apps.get_model("core", "ImportJob")
    for batch in ImportBatch.objects.all().iterator():
        job = ImportJob.objects.create(
            user_id=batch.user_id, kind="indicators", title="指标数据", filename=batch.name, file=batch.file.name,
            sha256=batch.sha256, size=batch.file.size if batch.file and batch.file.storage.exists(batch.file.name) else 0,
            status="awaiting" if batch.status == "pending" else "done", total=batch.rows, warnings=batch.warnings,
            warning_count=batch.warning_count, confirmed=batch.status == "applied", finished_at=batch.applied_at)
        ImportJob.objects.filter(pk=job.pk).update(created_at=batch.created_at)


def drop_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    stale = ContentType.objects.filter(app_label="indicators", model="importbatch")
    Permission.objects.filter(content_type__in=stale).delete()
    stale.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0008_ranking_entry_note"),
        ("core", "0005_import_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(batches_to_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(name="ImportBatch"),
        migrations.RunPython(drop_permissions, migrations.RunPython.noop),
    ]
