"""A key project's problem is reported solved by its responsible unit (责任单位): the permission
``projects.resolve_problem``, and for existing installations the standard roles whose staff may be
that unit (as for dispatch tasks, projects 0004) get it with the view of problems."""

from django.db import migrations

from feidi.accounts.roles import STANDARD_ROLES, grant_in_migration

GRANTS = {code: [p for p in spec[3] if p in ("projects.view_problem", "projects.resolve_problem")]
          for code, spec in STANDARD_ROLES.items() if "projects.resolve_problem" in spec[3]}


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0007_constraint_messages'),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='problem',
            options={'ordering': ['status', 'deadline'], 'permissions': [('resolve_problem', '填报问题解决情况')], 'verbose_name': '问题清单', 'verbose_name_plural': '问题清单'},
        ),
        migrations.RunPython(grant_in_migration(GRANTS), migrations.RunPython.noop),
    ]
