"""Fewer indexes and per-row constraint checks on the monthly rows: see the comment on IndicatorValue."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_totp_last_step'),
        ('indicators', '0003_cells'),
        ('registry', '0002_trigram_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='indicatorvalue',
            name='department',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.department', verbose_name='所属部门'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='entered_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='填报人'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='indicator',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='values', to='indicators.indicator', verbose_name='指标'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='organization',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='indicator_values', to='registry.organization', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='zone',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.zone', verbose_name='园区'),
        ),
    ]
