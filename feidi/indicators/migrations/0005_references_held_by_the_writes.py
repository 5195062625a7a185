"""The monthly rows keep no database constraint on the enterprise or the indicator, and no index on
zone or department: see the comment on IndicatorValue and decision 0006."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_totp_last_step'),
        ('indicators', '0004_lean_value_writes'),
        ('registry', '0002_trigram_search'),
    ]

    operations = [
        migrations.AlterField(
            model_name='indicatorvalue',
            name='department',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.department', verbose_name='所属部门'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='indicator',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='values', to='indicators.indicator', verbose_name='指标'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='organization',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='indicator_values', to='registry.organization', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='indicatorvalue',
            name='zone',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.zone', verbose_name='园区'),
        ),
    ]
