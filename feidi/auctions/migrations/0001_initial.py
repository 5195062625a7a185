"""The auctions' models (auctions, lots, registrations, bids), cut out of ``techmarket``: they keep
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
        ('registry', '0002_trigram_search'),
        ('techmarket', '0005_seed_thesaurus'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
            migrations.CreateModel(
                name='Auction',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('title', models.CharField(max_length=200, verbose_name='拍卖会')),
                    ('venue', models.CharField(blank=True, max_length=200, verbose_name='地点/平台')),
                    ('description', models.TextField(blank=True, verbose_name='说明')),
                    ('status', models.CharField(choices=[('draft', '筹备中'), ('published', '已发布'), ('finished', '已结束')], db_index=True, default='draft', max_length=16, verbose_name='状态')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                ],
                options={
                    'verbose_name': '成果拍卖会',
                    'verbose_name_plural': '成果拍卖会',
                    'db_table': 'techmarket_auction',
                    'ordering': ['-created_at'],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.CreateModel(
                name='Lot',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('title', models.CharField(max_length=200, verbose_name='拍品名称')),
                    ('start_price', feidi.core.fields.MoneyField(decimal_places=2, max_digits=18, validators=[django.core.validators.MinValueValidator(0)], verbose_name='起拍价（元）')),
                    ('reserve_price', feidi.core.fields.MoneyField(decimal_places=2, help_text='低于保留价不成交；不公开', max_digits=18, validators=[django.core.validators.MinValueValidator(0)], verbose_name='保留价（元）')),
                    ('increment', feidi.core.fields.MoneyField(decimal_places=2, max_digits=18, validators=[django.core.validators.MinValueValidator(1)], verbose_name='加价幅度（元）')),
                    ('opens_at', models.DateTimeField(verbose_name='开拍时间')),
                    ('closes_at', models.DateTimeField(help_text='有延时出价时自动顺延', verbose_name='结束时间')),
                    ('scheduled_close', models.DateTimeField(editable=False, null=True, verbose_name='原定结束时间')),
                    ('anti_snipe_minutes', models.PositiveIntegerField(default=5, help_text='结束前该时间内有人出价，结束时间顺延同样时长', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='延时周期（分钟）')),
                    ('current_price', feidi.core.fields.MoneyField(blank=True, decimal_places=2, editable=False, max_digits=18, null=True, verbose_name='当前价（元）')),
                    ('bid_count', models.PositiveIntegerField(default=0, editable=False, verbose_name='出价次数')),
                    ('status', models.CharField(choices=[('scheduled', '待拍'), ('open', '竞价中'), ('sold', '成交'), ('unsold', '流拍'), ('withdrawn', '撤拍')], db_index=True, default='scheduled', editable=False, max_length=16, verbose_name='状态')),
                    ('settled_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='结拍时间')),
                    ('auction', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lots', to='auctions.auction', verbose_name='拍卖会')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('current_bidder', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.organization', verbose_name='当前领先')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                    ('supply', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lots', to='techmarket.supply', verbose_name='科技成果')),
                ],
                options={
                    'verbose_name': '拍品',
                    'verbose_name_plural': '拍品',
                    'db_table': 'techmarket_lot',
                    'ordering': ['auction', 'opens_at', 'pk'],
                    'permissions': [('settle_lot', '结拍')],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.CreateModel(
                name='Registration',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                    ('sample', models.BooleanField(default=False, help_text='演示用的虚构数据，显示“示例”标记', verbose_name='示例数据')),
                    ('number', models.CharField(max_length=16, verbose_name='竞买号')),
                    ('status', models.CharField(choices=[('approved', '已登记'), ('revoked', '已取消')], default='approved', max_length=16, verbose_name='状态')),
                    ('auction', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='auctions.auction', verbose_name='拍卖会')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='所属部门')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auction_registrations', to='registry.organization', verbose_name='竞买人')),
                ],
                options={
                    'verbose_name': '竞买登记',
                    'verbose_name_plural': '竞买登记',
                    'db_table': 'techmarket_registration',
                    'ordering': ['auction', 'number'],
                },
                bases=(feidi.core.models.DetailUrlMixin, models.Model),
            ),
            migrations.CreateModel(
                name='Bid',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('seq', models.PositiveIntegerField(verbose_name='序号')),
                    ('amount', feidi.core.fields.MoneyField(decimal_places=2, max_digits=18, verbose_name='出价（元）')),
                    ('placed_at', models.DateTimeField(verbose_name='出价时间（服务器）')),
                    ('extended', models.BooleanField(default=False, verbose_name='触发延时')),
                    ('bidder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='auction_bids', to='registry.organization', verbose_name='竞买人')),
                    ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='出价人')),
                    ('lot', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bids', to='auctions.lot', verbose_name='拍品')),
                    ('registration', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bids', to='auctions.registration', verbose_name='竞买号')),
                ],
                options={
                    'verbose_name': '出价记录',
                    'verbose_name_plural': '出价记录',
                    'db_table': 'techmarket_bid',
                    'ordering': ['lot', '-seq'],
                },
            ),
            migrations.AddIndex(
                model_name='lot',
                index=models.Index(fields=['status', 'closes_at'], name='techmarket__status_653059_idx'),
            ),
            migrations.AddConstraint(
                model_name='registration',
                constraint=models.UniqueConstraint(fields=('auction', 'organization'), name='registration_unique'),
            ),
            migrations.AddConstraint(
                model_name='registration',
                constraint=models.UniqueConstraint(fields=('auction', 'number'), name='registration_unique_number'),
            ),
            migrations.AddConstraint(
                model_name='bid',
                constraint=models.UniqueConstraint(fields=('lot', 'seq'), name='bid_unique_seq'),
            ),
            migrations.AddConstraint(
                model_name='bid',
                constraint=models.UniqueConstraint(fields=('lot', 'amount'), name='bid_unique_amount'),
            ),
        ]),
    ]
