"""Cells leave out of 当月 an enterprise without the month before (the difference would cover two
months) and count it, and count those whose year-earlier 当月 is unknown (no 当月同比)."""

from django.db import migrations
from django.db import models


def refill_cells(apps, schema_editor):
    # ``previous`` now counts a left-out enterprise's own value: recompute the cells from the rows
    from feidi.indicators.cells import rebuild

    if apps.get_model("indicators", "IndicatorValue").objects.exists():
        rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0010_rd_intensity_blank_without_revenue'),
    ]

    operations = [
        migrations.AddField(
            model_name='indicatorcell',
            name='month_left_out',
            field=models.PositiveIntegerField(default=0, verbose_name='上月未报、不计当月的企业数'),
        ),
        migrations.AddField(
            model_name='indicatorcell',
            name='month_unpaired',
            field=models.PositiveIntegerField(default=0, help_text='上年同月与上年上月只有其一有数据的企业：当月同比不计算', verbose_name='上年当月无法计算的企业数'),
        ),
        migrations.AlterField(
            model_name='indicatorcell',
            name='previous',
            field=models.DecimalField(decimal_places=4, default=0, help_text='当月 = 合计 − 本项；1月、1–2月为0（不减上年12月）；上月未报的企业计本月累计（不计入当月）', max_digits=28, verbose_name='本月企业上月累计'),
        ),
        migrations.RunPython(refill_cells, migrations.RunPython.noop),
    ]
