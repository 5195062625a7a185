"""The maintained cells of the monthly rows (``IndicatorCell``), filled from the rows an
installation already has, so 同比 answers from the cells agree with the rows from the first request;
and the (indicator, month) index covering what the cells are computed from."""

import django.db.models.deletion
from django.db import migrations, models


def fill_cells(apps, schema_editor):
    # Filled by 0006, once the cells have the columns the current recomputation writes.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_totp_last_step'),
        ('indicators', '0002_grant_standard_roles'),
        ('registry', '0002_trigram_search'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='indicatorvalue',
            name='indicators__indicat_d9bf3c_idx',
        ),
        migrations.AddIndex(
            model_name='indicatorvalue',
            index=models.Index(fields=['indicator', 'period', 'zone', 'industry'],
                               include=('organization', 'department', 'value'), name='indicatorvalue_slice'),
        ),
        migrations.CreateModel(
            name='IndicatorCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(verbose_name='月份')),
                ('industry', models.CharField(blank=True, max_length=2, verbose_name='行业门类代码')),
                ('above_scale', models.BooleanField(default=False, verbose_name='规上企业')),
                ('total', models.DecimalField(decimal_places=4, max_digits=28, verbose_name='合计')),
                ('count', models.PositiveIntegerField(verbose_name='企业数')),
                ('comparable_now', models.DecimalField(decimal_places=4, max_digits=28, verbose_name='同口径本期')),
                ('comparable_before', models.DecimalField(decimal_places=4, max_digits=28, verbose_name='同口径上年同期')),
                ('comparable_count', models.PositiveIntegerField(verbose_name='同口径企业数')),
                ('department', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.department', verbose_name='所属部门')),
                ('indicator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.indicator', verbose_name='指标')),
                ('zone', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.zone', verbose_name='园区')),
            ],
            options={
                'verbose_name': '指标汇总单元',
                'verbose_name_plural': '指标汇总单元',
                'indexes': [models.Index(fields=['indicator', 'period', 'zone'], name='indicators__indicat_aa6ef2_idx')],
            },
        ),
        migrations.RunPython(fill_cells, migrations.RunPython.noop),
    ]
