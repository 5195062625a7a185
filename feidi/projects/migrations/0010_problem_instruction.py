"""A problem needing the leadership's decision (需领导决策) gets the leader's 批示: the permission
``projects.instruct_problem``, granted to the standard roles that hold it (区主要领导) on existing
installations, and the instruction with who gave it and when."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations
from django.db import models

from feidi.accounts.roles import STANDARD_ROLES
from feidi.accounts.roles import grant_in_migration

GRANTS = {code: ["projects.instruct_problem"] for code, spec in STANDARD_ROLES.items()
          if "projects.instruct_problem" in spec[3]}


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0009_month_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='problem',
            options={'ordering': ['status', 'deadline'], 'permissions': [('resolve_problem', '填报问题解决情况'), ('instruct_problem', '领导批示')], 'verbose_name': '问题清单', 'verbose_name_plural': '问题清单'},
        ),
        migrations.AddField(
            model_name='problem',
            name='instructed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='批示时间'),
        ),
        migrations.AddField(
            model_name='problem',
            name='instructed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批示人'),
        ),
        migrations.AddField(
            model_name='problem',
            name='instruction',
            field=models.TextField(blank=True, editable=False, verbose_name='领导批示'),
        ),
        migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop),
    ]
