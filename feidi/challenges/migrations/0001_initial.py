"""揭榜挂帅's models (challenges, applications, reviews, joint projects with their parties and
milestones), cut out of ``techmarket``: they keep
their tables (``Meta.db_table``), so this migration creates them in Django's state only — no
table is created, no row copied. ``techmarket`` 0006 removes them from its state and moves their
content types (and so their permissions, the roles and users holding them) to this app."""

import django.core.validators
import django.db.models.deletion
import feidi.core.fields
import feidi.core.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_user_title'),
        ('core', '0006_savedquery'),
        ('projects', '0006_lead_channel_intel'),
        ('registry', '0002_trigram_search'),
        ('techmarket', '0005_seed_thesaurus'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
            migrations.CreateModel(
                name='Challenge',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('title', models.CharField(max_length=200, verbose_name='榜单名称')),
                    ('bounty', feidi.core.fields.MoneyField(decimal_places=2, max_digits=18, validators=[django.core.validators.MinValueValidator(0)], verbose_name='榜额（元）')),
                    ('deadline', models.DateField(verbose_name='揭榜截止日期')),
                    ('criteria', models.JSONField(default=list, help_text='[{"name": "技术先进性", "weight": 40}, …]，权重合计 100', verbose_name='评审指标')),
                    ('conditions', models.TextField(blank=True, verbose_name='揭榜条件')),
                    ('joint', models.BooleanField(default=False, help_text='与合作地区（如长三角G60科创走廊办公室）联合发布', verbose_name='协同发榜')),
                    ('joint_partner', models.CharField(blank=True, max_length=200, verbose_name='协同发榜单位')),
                    ('status', models.CharField(choices=[('draft', '待发榜'), ('open', '揭榜中'), ('review', '评审中'), ('awarded', '已定榜'), ('closed', '已撤榜')], db_index=True, default='draft', max_length=16, verbose_name='状态')),
                    ('published_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='发榜时间')),
                    ('batch', models.ForeignKey(blank=True, help_text='如：首批揭榜挂帅（字典“揭榜挂帅批次”中维护）', limit_choices_to={'active': True, 'type__code': 'challenge_batch'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.dictitem', verbose_name='发榜批次')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('demand', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='challenges', to='techmarket.demand', verbose_name='技术需求')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                    ('experts', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='评审专家')),
                ],
                options={
                    'verbose_name': '揭榜挂帅榜单',
                    'verbose_name_plural': '揭榜挂帅榜单',
                    'db_table': 'techmarket_challenge',
                    'ordering': ['-created_at'],
                    'permissions': [('publish_challenge', '发榜'), ('award_challenge', '定榜')],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.CreateModel(
                name='Application',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('proposal', models.TextField(verbose_name='技术方案')),
                    ('budget', feidi.core.fields.MoneyField(blank=True, decimal_places=2, max_digits=18, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='申请经费（元）')),
                    ('period_months', models.PositiveIntegerField(default=12, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='攻关周期（月）')),
                    ('status', models.CharField(choices=[('submitted', '已提交'), ('withdrawn', '已撤回'), ('awarded', '揭榜成功'), ('rejected', '未入选')], db_index=True, default='submitted', max_length=16, verbose_name='状态')),
                    ('score', models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=6, null=True, verbose_name='专家平均分')),
                    ('applicant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='challenge_applications', to='registry.organization', verbose_name='揭榜单位（牵头）')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                    ('members', models.ManyToManyField(blank=True, related_name='+', to='registry.organization', verbose_name='联合体成员')),
                    ('challenge', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='challenges.challenge', verbose_name='榜单')),
                ],
                options={
                    'verbose_name': '揭榜申请',
                    'verbose_name_plural': '揭榜申请',
                    'db_table': 'techmarket_application',
                    'ordering': ['challenge', '-score', 'pk'],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.CreateModel(
                name='JointProject',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('title', models.CharField(max_length=200, verbose_name='项目名称')),
                    ('budget', feidi.core.fields.MoneyField(decimal_places=2, max_digits=18, validators=[django.core.validators.MinValueValidator(0)], verbose_name='项目经费（元）')),
                    ('starts_on', models.DateField(verbose_name='开始日期')),
                    ('ends_on', models.DateField(verbose_name='计划完成日期')),
                    ('status', models.CharField(choices=[('active', '攻关中'), ('accepted', '已验收'), ('failed', '验收未通过'), ('terminated', '已终止')], db_index=True, default='active', max_length=16, verbose_name='状态')),
                    ('goals', models.TextField(blank=True, verbose_name='攻关目标与考核指标')),
                    ('accepted_on', models.DateField(blank=True, editable=False, null=True, verbose_name='验收日期')),
                    ('acceptance', models.CharField(blank=True, choices=[('passed', '通过'), ('failed', '不通过')], editable=False, max_length=8, verbose_name='验收结论')),
                    ('acceptance_note', models.TextField(blank=True, editable=False, verbose_name='验收意见')),
                    ('transferred_on', models.DateField(blank=True, editable=False, null=True, verbose_name='转化落地日期')),
                    ('application', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='joint_project', to='challenges.application', verbose_name='中榜申请')),
                    ('challenge', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='joint_projects', to='challenges.challenge', verbose_name='来源榜单')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                    ('home_project', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='joint_projects', to='projects.project', verbose_name='落地产业化项目')),
                    ('incubated_in', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.zone', verbose_name='孵化飞地')),
                ],
                options={
                    'verbose_name': '联合攻关项目',
                    'verbose_name_plural': '联合攻关项目',
                    'db_table': 'techmarket_jointproject',
                    'ordering': ['-starts_on', '-pk'],
                    'permissions': [('accept_jointproject', '验收联合攻关项目'), ('transfer_jointproject', '标记转化落地')],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.CreateModel(
                name='JointParty',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('demander', '需求方（出题企业）'), ('lead', '牵头单位'), ('member', '参与单位')], max_length=16, verbose_name='角色')),
                    ('budget_share', feidi.core.fields.MoneyField(blank=True, decimal_places=2, max_digits=18, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='承担经费（元）')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='joint_parties', to='registry.organization', verbose_name='单位')),
                    ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parties', to='challenges.jointproject', verbose_name='联合攻关项目')),
                ],
                options={
                    'verbose_name': '攻关参与单位',
                    'verbose_name_plural': '攻关参与单位',
                    'db_table': 'techmarket_jointparty',
                    'ordering': ['project', 'role', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='JointMilestone',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200, verbose_name='节点')),
                    ('due_on', models.DateField(verbose_name='计划完成')),
                    ('done_on', models.DateField(blank=True, null=True, verbose_name='实际完成')),
                    ('note', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                    ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='challenges.jointproject', verbose_name='联合攻关项目')),
                ],
                options={
                    'verbose_name': '攻关节点',
                    'verbose_name_plural': '攻关节点',
                    'db_table': 'techmarket_jointmilestone',
                    'ordering': ['project', 'due_on', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='Review',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('scores', models.JSONField(default=dict, help_text='{"技术先进性": 85, …}', verbose_name='各项得分')),
                    ('total', models.DecimalField(decimal_places=2, editable=False, max_digits=6, verbose_name='加权得分')),
                    ('comment', models.TextField(blank=True, verbose_name='评审意见')),
                    ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='challenges.application', verbose_name='揭榜申请')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                    ('expert', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='评审专家')),
                ],
                options={
                    'verbose_name': '专家评审',
                    'verbose_name_plural': '专家评审',
                    'db_table': 'techmarket_review',
                    'ordering': ['application', 'expert'],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.AddConstraint(
                model_name='application',
                constraint=models.UniqueConstraint(fields=('challenge', 'applicant'), name='application_unique'),
            ),
            migrations.AddConstraint(
                model_name='jointparty',
                constraint=models.UniqueConstraint(fields=('project', 'organization'), name='jointparty_unique'),
            ),
            migrations.AddConstraint(
                model_name='review',
                constraint=models.UniqueConstraint(fields=('application', 'expert'), name='review_unique'),
            ),
        ]),
    ]
