"""Economic monitoring (经济运行监测): indicator definitions and monthly values per enterprise.

Values are stored as reported — cumulative-to-date (累计) for flows such as revenue, the month's
level for stocks such as land area — one row per enterprise, indicator and month. Each row
carries the zone and GB/T 4754 division the enterprise had when it reported, so history stays
where it happened and totals group without joins. Monthly figures, 同比 on a comparable basis
and shares are computed from these rows (``engine.py``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MonthField
from feidi.core.models import DetailUrlMixin
from feidi.core.models import OrganizationField
from feidi.core.models import ReferenceModel
from feidi.core.models import seeded_label
from feidi.core.scope import Scope
from feidi.core.scope import ScopedManager

User = settings.AUTH_USER_MODEL


class Indicator(ReferenceModel):
    """An indicator's definition. The default eight are seeded after migrate and stay editable."""

    class Kind(models.TextChoices):
        CUMULATIVE = "cumulative", _("累计值（年初至今）")
        POINT = "point", _("时点值（当月）")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("求和")
        AVERAGE = "average", _("平均")

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    unit = models.CharField(_("单位"), max_length=20, help_text=_("如：元、亩、吨标准煤、人"))
    kind = models.CharField(_("口径"), max_length=16, choices=Kind.choices)
    aggregation = models.CharField(_("汇总方式"), max_length=16, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    above_scale_only = models.BooleanField(_("仅统计规上企业"), default=False)
    required = models.BooleanField(_("每月必报"), default=True)
    warn_ratio = models.DecimalField(_("波动提醒阈值"), max_digits=6, decimal_places=2, default=1,
                                     validators=[MinValueValidator(0)],
                                     help_text=_("当月值较上月变动超过该比例（1 表示 100%）时须确认后保存；0 表示不提醒"))
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("指标")
        ordering = ["order", "code"]

    def __str__(self):
        return gettext("{name}（{unit}）").format(name=self.name_shown, unit=self.unit_shown)

    @property
    def name_shown(self) -> str:
        """The seeded indicators' names and units are in the catalogue; edited ones show as typed."""
        return seeded_label(self.name)

    @property
    def unit_shown(self) -> str:
        return seeded_label(self.unit)

    # units that count whole things: a value in them has no fraction (从业人员 12.5人)
    COUNTED_UNITS = frozenset({"人", "个", "家", "户", "件", "项", "台", "套", "名", "次"})

    @property
    def counted(self) -> bool:
        return self.unit.strip() in self.COUNTED_UNITS

    @property
    def cumulative(self) -> bool:
        return self.kind == self.Kind.CUMULATIVE


class IndicatorValue(models.Model):
    """One enterprise's value of one indicator for one month (``period`` is the month's 1st)."""

    class Source(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业填报")
        IMPORT = "import", _("批量导入")
        STAFF = "staff", _("工作人员录入")

    # Millions of rows, 800,000 in one import: every index and every per-row constraint check is
    # paid per value written. The enterprise and the indicator lead the two composite indexes
    # below, so they need no index of their own. No reference has a database constraint, whose
    # check runs once per row at commit (1,600,000 checks for the enterprise and the indicator
    # alone, 7 s of the import): ``actions.hold_references`` checks and locks each distinct
    # reference once per write, and the deletions of what they name repeat their CASCADE,
    # PROTECT or SET_NULL after they hold the row (decision 0006). Department, zone and author
    # are copies taken at entry (history, kept by Django's SET_NULL when one is deleted).
    organization = OrganizationField(on_delete=models.CASCADE, related_name="indicator_values", db_index=False,
                                     db_constraint=False)
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="values",
                                  db_index=False, db_constraint=False)
    period = MonthField(_("月份"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_constraint=False, db_index=False)
    zone = models.ForeignKey("registry.Zone", verbose_name=_("园区"), null=True, blank=True,
                             on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False, db_index=False)
    industry = models.CharField(_("行业门类代码"), max_length=2, blank=True, help_text=_("GB/T 4754 大类（两位）"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    confirmed_warning = models.CharField(_("已确认的提醒"), max_length=200, blank=True)
    sample = models.BooleanField(_("示例数据"), default=False, help_text=_("演示用的虚构数值"))
    entered_by = models.ForeignKey(User, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+", db_constraint=False)
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner="entered_by", organization="organization")
    audit_exclude: tuple[str, ...] = ("entered_at",)

    class Meta:
        verbose_name = verbose_name_plural = _("指标数据")
        ordering = ["-period", "organization", "indicator"]
        constraints = [models.UniqueConstraint(fields=["organization", "indicator", "period"],
                                               name="indicatorvalue_one_per_month")]
        # The cells' recomputation and the row path read one (indicator, month) slice: covering the
        # columns they need makes that an index-only scan instead of one heap page per enterprise.
        indexes = [models.Index(fields=["indicator", "period", "zone", "industry"],
                                include=["organization", "department", "value"], name="indicatorvalue_slice"),
                   models.Index(fields=["period", "indicator"])]

    str_related = ("organization", "indicator")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} {self.indicator.name_shown} {self.period:%Y-%m}"

    def clean(self):
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": gettext("数值不能为负")})


class IndicatorCell(models.Model):
    """A maintained aggregate of the monthly rows, so 同比 over millions of rows is a sum over a
    few thousand cells. One cell per indicator, month, and the row attributes a scope or a
    grouping can ask about (zone, owning department, GB/T 4754 division) plus whether the
    enterprise was labelled 规上 in that month. ``comparable_before`` and ``previous*`` pair each
    row with the same enterprise's rows twelve, one and thirteen months earlier, wherever those rows
    were, a missing one counting 0 (同口径 over this month's set, as ``engine.yoy``) — but an
    enterprise without the month before is left out of 当月 (``month_left_out``, ``engine.Row``).

    Cells are never edited: ``cells.refresh`` recomputes them from the rows in the transaction
    that writes the rows (value writes, 规上 label changes, enterprise deletions), and
    ``feidi indicators rebuild-cells`` recomputes all of them. Zone and department are plain
    references without a database constraint: a cell is derived data and must never block or
    cascade a deletion of what it summarises."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.DO_NOTHING,
                                  db_constraint=False,
                                  related_name="+")
    period = MonthField(_("月份"))
    zone = models.ForeignKey("registry.Zone", verbose_name=_("园区"), null=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True,
                                   on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    industry = models.CharField(_("行业门类代码"), max_length=2, blank=True)
    above_scale = models.BooleanField(_("规上企业"), default=False)
    total = models.DecimalField(_("合计"), max_digits=28, decimal_places=4)
    count = models.PositiveIntegerField(_("企业数"))
    comparable_before = models.DecimalField(_("同口径上年同期"), max_digits=28, decimal_places=4,
                                            help_text=_("本月企业上年同月数值之和（上年无数据记0）"))
    comparable_count = models.PositiveIntegerField(_("有上年数据的企业数"))
    previous = models.DecimalField(_("本月企业上月累计"), max_digits=28, decimal_places=4, default=0,
                                   help_text=_("当月 = 合计 − 本项；1月、1–2月为0（不减上年12月）；上月未报的企业计本月累计（不计入当月）"))
    previous_before = models.DecimalField(_("本月企业上年上月累计"), max_digits=28, decimal_places=4, default=0)
    month_left_out = models.PositiveIntegerField(_("上月未报、不计当月的企业数"), default=0)
    month_unpaired = models.PositiveIntegerField(_("上年当月无法计算的企业数"), default=0,
                                                 help_text=_("上年同月与上年上月只有其一有数据的企业：当月同比不计算"))

    objects = models.Manager()  # derived data, never listed to users: read only through engine.yoy

    class Meta:
        verbose_name = verbose_name_plural = _("指标汇总单元")
        indexes = [models.Index(fields=["indicator", "period", "zone"])]

    def __str__(self):
        return gettext("{indicator_id}@{period:%Y-%m} 园区{zone_id} {industry}").format(
            indicator_id=self.indicator_id, period=self.period, zone_id=self.zone_id, industry=self.industry)


class MuRule(DetailUrlMixin, models.Model):
    """How a year's 亩均效益 evaluation is run in a zone: who is evaluated (land at or above the
    threshold), the five metrics' weights, their benchmarks (empty = the average of the evaluated
    enterprises), the cap on one metric's ratio to its benchmark, and the class cut-offs."""

    department = models.ForeignKey("accounts.Department", verbose_name=_("园区"), on_delete=models.PROTECT,
                                   related_name="+")
    year = models.PositiveIntegerField(_("年度"))
    land_threshold = models.DecimalField(_("参评用地面积下限（亩）"), max_digits=10, decimal_places=2, default=5,
                                         validators=[MinValueValidator(0)])
    w_tax = models.DecimalField(_("权重·亩均税收"), max_digits=5, decimal_places=2, default=40)
    w_output = models.DecimalField(_("权重·亩均营业收入"), max_digits=5, decimal_places=2, default=20)
    w_energy = models.DecimalField(_("权重·单位能耗增加值"), max_digits=5, decimal_places=2, default=15)
    w_rd = models.DecimalField(_("权重·研发投入强度"), max_digits=5, decimal_places=2, default=15)
    w_labour = models.DecimalField(_("权重·全员劳动生产率"), max_digits=5, decimal_places=2, default=10)
    b_tax = models.DecimalField(_("基准·亩均税收（元/亩）"), max_digits=20, decimal_places=4, null=True, blank=True)
    b_output = models.DecimalField(_("基准·亩均营业收入（元/亩）"), max_digits=20, decimal_places=4, null=True,
                                   blank=True)
    b_energy = models.DecimalField(_("基准·单位能耗增加值（元/吨标煤）"), max_digits=20, decimal_places=4, null=True,
                                   blank=True)
    b_rd = models.DecimalField(_("基准·研发投入强度"), max_digits=10, decimal_places=6, null=True, blank=True)
    b_labour = models.DecimalField(_("基准·全员劳动生产率（元/人）"), max_digits=20, decimal_places=4, null=True,
                                   blank=True)
    cap = models.DecimalField(_("单项得分上限（倍基准）"), max_digits=5, decimal_places=2, default=Decimal("1.5"),
                              validators=[MinValueValidator(Decimal("0.1"))])
    a_min = models.DecimalField(_("A类最低分"), max_digits=6, decimal_places=2, default=110)
    b_min = models.DecimalField(_("B类最低分"), max_digits=6, decimal_places=2, default=90)
    c_min = models.DecimalField(_("C类最低分"), max_digits=6, decimal_places=2, default=60)
    evaluated_at = models.DateTimeField(_("最近评价时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None)
    audit_exclude: tuple[str, ...] = ("evaluated_at",)

    METRICS = ("tax", "output", "energy", "rd", "labour")

    class Meta:
        verbose_name = verbose_name_plural = _("亩均评价规则")
        ordering = ["-year", "department"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="murule_one_per_year")]

    str_related = ("department",)  # the relations __str__ reads

    def __str__(self):
        return gettext("{year}年亩均效益评价（{department}）").format(year=self.year,
                                                             department=self.department) if self.department_id else gettext("{year}年亩均效益评价").format(year=self.year)

    def clean(self):
        total = sum((getattr(self, f"w_{m}") or 0 for m in self.METRICS), Decimal(0))
        if total != 100:
            raise ValidationError(gettext("五项权重之和应为100，现为{total}").format(total=total))
        if not (self.a_min > self.b_min > self.c_min):
            raise ValidationError({"b_min": gettext("分类分数线应满足 A > B > C")})


class MuResult(DetailUrlMixin, models.Model):
    """One enterprise's 亩均效益 for a rule's year: the figures used, the five metrics, score, class."""

    class Grade(models.TextChoices):
        A = "A", _("A类（优先发展）")
        B = "B", _("B类（提升发展）")
        C = "C", _("C类（转型发展）")
        D = "D", _("D类（整治提升）")

    rule = models.ForeignKey(MuRule, verbose_name=_("评价规则"), on_delete=models.CASCADE, related_name="results")
    organization = OrganizationField(on_delete=models.CASCADE, related_name="mu_results")
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    zone = models.ForeignKey("registry.Zone", verbose_name=_("园区"), null=True, blank=True,
                             on_delete=models.SET_NULL,
                             related_name="+")
    land = models.DecimalField(_("用地面积（亩）"), max_digits=12, decimal_places=2)
    tax = models.DecimalField(_("税收（元）"), max_digits=20, decimal_places=2)
    revenue = models.DecimalField(_("营业收入（元）"), max_digits=20, decimal_places=2)
    value_added = models.DecimalField(_("工业增加值（元）"), max_digits=20, decimal_places=2, null=True, blank=True)
    energy = models.DecimalField(_("综合能耗（吨标煤）"), max_digits=20, decimal_places=4, null=True, blank=True)
    rd = models.DecimalField(_("研发投入（元）"), max_digits=20, decimal_places=2)
    employees = models.DecimalField(_("从业人员（年平均）"), max_digits=12, decimal_places=2, null=True, blank=True)
    m_tax = models.DecimalField(_("亩均税收（元/亩）"), max_digits=32, decimal_places=4)
    m_output = models.DecimalField(_("亩均营业收入（元/亩）"), max_digits=32, decimal_places=4)
    m_energy = models.DecimalField(_("单位能耗增加值（元/吨标煤）"), max_digits=32, decimal_places=4, null=True,
                                   blank=True)
    m_rd = models.DecimalField(_("研发投入强度"), max_digits=32, decimal_places=6, null=True, blank=True)
    m_labour = models.DecimalField(_("全员劳动生产率（元/人）"), max_digits=32, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    grade = models.CharField(_("类别"), max_length=1, choices=Grade.choices, db_index=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None, organization="organization")

    class Meta:
        verbose_name = verbose_name_plural = _("亩均评价结果")
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["rule", "organization"], name="muresult_once_per_rule")]

    str_related = ("organization", "rule")  # the relations __str__ reads

    def __str__(self):
        return gettext("{organization} {year}年 {grade}类").format(organization=self.organization,
                                                                 year=self.rule.year,
                                                                 grade=self.grade) if self.organization_id else gettext("亩均评价结果")


class RankingRule(DetailUrlMixin, models.Model):
    """How a zone ranks its units (责任单位) or leaders every month (月调度): the weights of the
    indicators computed from the pipeline, key projects and appeals, and how many bottom ranks
    must make a statement (末位表态)."""

    class Subject(models.TextChoices):
        UNITS = "units", _("责任单位")
        LEADERS = "leaders", _("挂点领导")

    department = models.ForeignKey("accounts.Department", verbose_name=_("园区"), on_delete=models.PROTECT,
                                   related_name="+")
    name = models.CharField(_("名称"), max_length=100, default="月度调度排名")
    subject = models.CharField(_("排名对象"), max_length=16, choices=Subject.choices, default=Subject.UNITS)
    w_signings = models.DecimalField(_("权重·新签约项目数"), max_digits=5, decimal_places=2, default=20)
    w_amount = models.DecimalField(_("权重·签约金额"), max_digits=5, decimal_places=2, default=20)
    w_starts = models.DecimalField(_("权重·新开工项目数"), max_digits=5, decimal_places=2, default=15)
    w_completion = models.DecimalField(_("权重·重点项目投资序时完成率"), max_digits=5, decimal_places=2, default=15)
    w_overdue = models.DecimalField(_("权重·逾期节点（越少越好）"), max_digits=5, decimal_places=2, default=10)
    w_on_time = models.DecimalField(_("权重·诉求按时办结率"), max_digits=5, decimal_places=2, default=10)
    w_satisfaction = models.DecimalField(_("权重·诉求满意度"), max_digits=5, decimal_places=2, default=10)
    bottom_count = models.PositiveIntegerField(_("末位表态名次数"), default=2)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None)
    audit_exclude: tuple[str, ...] = ()

    METRICS = ("signings", "amount", "starts", "completion", "overdue", "on_time", "satisfaction")

    class Meta:
        verbose_name = verbose_name_plural = _("月调度排名规则")
        ordering = ["department", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        total = sum((getattr(self, f"w_{m}") or 0 for m in self.METRICS), Decimal(0))
        if total != 100:
            raise ValidationError(gettext("各项权重之和应为100，现为{total}").format(total=total))
        if self.department_id and self.name and RankingRule.objects.filter(
                department_id=self.department_id, name=self.name.strip()).exclude(pk=self.pk).exists():
            # a zone's rankings are told apart by their names (saving the add page untouched made a third 月度调度排名)
            raise ValidationError({"name": gettext("本园区已有名为“{name}”的排名规则").format(name=self.name.strip())})


class RankingRun(DetailUrlMixin, models.Model):
    """One month's ranking under a rule, with the inputs that were missing."""

    rule = models.ForeignKey(RankingRule, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="runs")
    department = models.ForeignKey("accounts.Department", verbose_name=_("园区"), null=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    month = MonthField(_("月份"))
    missing = models.JSONField(_("缺少的数据"), default=list, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    docx = models.FileField(_("通报（Word）"), upload_to="rankings/%Y/", blank=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None)

    class Meta:
        verbose_name = verbose_name_plural = _("月调度排名")
        ordering = ["-month", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "month"], name="rankingrun_once_per_month")]

    str_related = ("rule",)  # the relations __str__ reads

    def __str__(self):
        if self.month:
            return gettext("{month:%Y年%m月}{name}").format(month=self.month, name=self.rule.name)
        return gettext("月调度排名")


class RankingEntry(models.Model):
    run = models.ForeignKey(RankingRun, verbose_name=_("排名"), on_delete=models.CASCADE,
                            related_name="entries")
    unit = models.ForeignKey("accounts.Department", verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    leader = models.ForeignKey(User, verbose_name=_("领导"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    label = models.CharField(_("名称"), max_length=100)
    metrics = models.JSONField(_("指标"), default=dict)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True, help_text=_("空：本月无数据，不参与排名"))
    bottom = models.BooleanField(_("末位"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True, help_text=_("并列、末位或不参与排名的原因"))

    objects = models.Manager()

    class Meta:
        verbose_name = verbose_name_plural = _("排名明细")
        ordering = ["run", models.F("rank").asc(nulls_last=True), "label"]

    def __str__(self):
        return f"{self.rank}. {self.label}" if self.rank else gettext("— {label}（无数据）").format(
            label=self.label)


class Statement(models.Model):
    """A bottom-ranked unit's statement at the meeting (末位表态) and next month's follow-up."""

    entry = models.OneToOneField(RankingEntry, verbose_name=_("排名"), on_delete=models.CASCADE,
                                 related_name="statement")
    text = models.TextField(_("表态发言"))
    measures = models.TextField(_("整改措施"), blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    follow_up = models.TextField(_("下月跟进情况"), blank=True)
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)

    objects = models.Manager()

    class Meta:
        verbose_name = verbose_name_plural = _("末位表态")

    def __str__(self):
        return gettext("{label}表态").format(label=self.entry.label)


class ZoneFigure(ReferenceModel):
    """A zone's published total for a month (统计公报、全省开发区通报), for zones whose enterprises are
    not on the platform or whose official figure should prevail in rankings."""

    zone = models.ForeignKey("registry.Zone", verbose_name=_("园区"), on_delete=models.CASCADE,
                             related_name="figures")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    period = MonthField(_("月份"))
    value = models.DecimalField(_("累计值"), max_digits=22, decimal_places=4, validators=[MinValueValidator(0)])
    growth = models.DecimalField(_("同比（如 0.085 表示增长8.5%）"), max_digits=8, decimal_places=4, null=True,
                                 blank=True)
    real_growth = models.DecimalField(
        _("可比价同比（实际增长）"), max_digits=8, decimal_places=4, null=True, blank=True,
        help_text=_("统计部门公布的按可比价格计算的增速（增加值），如 0.072 表示实际增长7.2%"))
    deflator = models.DecimalField(
        _("价格指数（上年同期=100）"), max_digits=8, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("未公布实际增速时，用于把名义增速折算为实际增速：实际 =（1+名义）÷（指数/100）− 1"))
    source = models.CharField(_("来源"), max_length=200, blank=True, help_text=_("如：省商务厅2026年10月开发区主要指标通报"))
    entered_by = models.ForeignKey(User, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = _("园区公布数据")
        ordering = ["-period", "zone"]
        constraints = [models.UniqueConstraint(fields=["zone", "indicator", "period"], name="zonefigure_unique")]

    str_related = ("zone", "indicator")  # the relations __str__ reads

    def __str__(self):
        return f"{self.zone} {self.indicator.name_shown} {self.period:%Y-%m}" if self.zone_id and self.period else gettext("园区数据")


class RegionFigure(ReferenceModel):
    """A city's or province's published total for a month (统计月报、统计公报): when entered, the
    denominator of a zone's share ("占全市比重") instead of the sum of the zones that reported, and
    the source of a region-wide price index for real (constant-price) growth."""

    class Level(models.TextChoices):
        CITY = "city", _("市")
        PROVINCE = "province", _("省")

    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, default=Level.CITY)
    name = models.CharField(_("地区"), max_length=50, help_text=_("与园区“所在地区”一致，如：上饶市、江西省"))
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True, help_text=_("GB/T 2260，如 361100"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    period = MonthField(_("月份"))
    value = models.DecimalField(_("累计值"), max_digits=22, decimal_places=4, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    growth = models.DecimalField(_("同比（名义）"), max_digits=8, decimal_places=4, null=True, blank=True)
    real_growth = models.DecimalField(_("可比价同比（实际增长）"), max_digits=8, decimal_places=4, null=True, blank=True)
    deflator = models.DecimalField(_("价格指数（上年同期=100）"), max_digits=8, decimal_places=3, null=True, blank=True,
                                   validators=[MinValueValidator(Decimal("0.001"))])
    source = models.CharField(_("来源"), max_length=200, blank=True, help_text=_("如：上饶市统计局2026年10月统计月报"))
    entered_by = models.ForeignKey(User, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = _("地区公布数据")
        ordering = ["-period", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["level", "name", "indicator", "period"],
                                               name="regionfigure_unique")]

    str_related = ("indicator",)  # the relations __str__ reads

    def __str__(self):
        if not (self.indicator_id and self.period):
            return gettext("地区公布数据")
        return f"{self.name} {self.indicator.name_shown} {self.period:%Y-%m}"

    def clean(self):
        if self.region_code and not (len(self.region_code) == 6 and self.region_code.isdigit()):
            raise ValidationError({"region_code": gettext("行政区划代码为6位数字")})
        if self.value is None and self.real_growth is None and self.deflator is None and self.growth is None:
            raise ValidationError(gettext("请至少填写累计值、同比、可比价同比或价格指数之一"))

    def matches(self, key: str) -> bool:
        """Whether a zone's region key (``zones.region_keys``: a name, or the code's prefix) is this region."""
        if key == self.name:
            return True
        prefix = 4 if self.level == self.Level.CITY else 2
        return bool(self.region_code) and key == self.region_code[:prefix]


class BenefitShare(DetailUrlMixin, models.Model):
    """飞地利益共享: an enterprise counted both in an enclave and at home has its output statistics
    (统计分算: revenue, value added) and its tax (税收分成) split between the two zones as the
    cooperation agreement says, for the dates the agreement runs."""

    agreement = models.ForeignKey("registry.Agreement", verbose_name=_("合作协议"), on_delete=models.PROTECT,
                                  related_name="benefit_shares")
    organization = OrganizationField(on_delete=models.CASCADE, related_name="benefit_shares")
    home_zone = models.ForeignKey("registry.Zone", verbose_name=_("本地园区"), on_delete=models.PROTECT,
                                  related_name="+")
    enclave_zone = models.ForeignKey("registry.Zone", verbose_name=_("飞地一方"), on_delete=models.PROTECT,
                                     related_name="+")
    output_share_home = models.DecimalField(_("统计分算·本地比例(%)"), max_digits=5, decimal_places=2,
                                            validators=[MinValueValidator(0)])
    tax_share_home = models.DecimalField(_("税收分成·本地比例(%)"), max_digits=5, decimal_places=2,
                                         validators=[MinValueValidator(0)])
    since = MonthField(_("起始月份"))
    until = MonthField(_("截止月份"), null=True, blank=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    # both sides of the agreement see what is shared between them
    scope = Scope(department="department", owner=None, organization="organization",
                  also=lambda user: _shared_with(user))
    # what moves figures between zones: only where its writer may place records (another zone's
    # enterprise shared away moved 2.6亿 of that zone's revenue)
    placed_by = ("organization", "home_zone", "enclave_zone")
    audit_exclude: tuple[str, ...] = ()

    OUTPUT = ("revenue", "value_added")
    TAX = ("tax",)

    class Meta:
        verbose_name = verbose_name_plural = _("飞地利益共享")
        ordering = ["organization", "-since"]

    str_related = ("organization", "home_zone", "enclave_zone")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} · {self.home_zone}/{self.enclave_zone}" if self.organization_id else gettext("利益共享")

    def clean(self):
        for name in ("output_share_home", "tax_share_home"):
            value = getattr(self, name)
            if value is not None and value > 100:
                raise ValidationError({name: gettext("比例不能超过100%")})
        if self.home_zone_id and self.home_zone_id == self.enclave_zone_id:
            raise ValidationError({"enclave_zone": gettext("飞地一方不能与本地园区相同")})
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": gettext("截止月份不能早于起始月份")})
        if self.agreement_id and self.since:  # within the months its agreement runs
            from feidi.registry.models import Agreement

            signed, valid = Agreement.objects.filter(pk=self.agreement_id).values_list("signed_on", "valid_until").first() \
                or (None, None)
            if signed and self.since < signed.replace(day=1):
                raise ValidationError({"since": gettext("起始月份不能早于协议签署的月份（{month}）").format(
                    month=f"{signed:%Y-%m}")})
            if valid and (self.until is None or self.until > valid.replace(day=1)):
                raise ValidationError({"until": gettext("协议有效期至{day}：截止月份须填写且不能晚于该月").format(
                    day=valid.isoformat())})
        if self.organization_id and self.since:  # one arrangement a month: two would split it twice
            overlapping = BenefitShare.objects.filter(organization_id=self.organization_id).exclude(pk=self.pk).filter(
                models.Q(until__isnull=True) | models.Q(until__gte=self.since))
            if self.until:
                overlapping = overlapping.filter(since__lte=self.until)
            other = overlapping.order_by("since").first()
            if other is not None:
                raise ValidationError({"since": gettext("该企业{since}起已有利益共享安排，期间不能重叠").format(
                    since=f"{other.since:%Y-%m}")})

    def home_percent(self, code: str) -> Decimal | None:
        if code in self.OUTPUT:
            return self.output_share_home
        if code in self.TAX:
            return self.tax_share_home
        return None


class Parcel(DetailUrlMixin, models.Model):
    """A land parcel of a zone (地块) with its outline, imported from the zone's GeoJSON; the 亩产地图
    colours it by its enterprise's 亩均 class."""

    zone = models.ForeignKey("registry.Zone", verbose_name=_("园区"), on_delete=models.CASCADE,
                             related_name="parcels")
    organization = OrganizationField(_("使用企业"), null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="parcels")
    code = models.CharField(_("地块编号"), max_length=50)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True)
    geometry = models.JSONField(_("边界（GeoJSON）"))
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    sample = models.BooleanField(_("示例数据"), default=False)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None, organization="organization")
    audit_exclude: tuple[str, ...] = ("geometry",)

    class Meta:
        verbose_name = verbose_name_plural = _("地块")
        ordering = ["zone", "code"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="parcel_unique_code")]

    def __str__(self):
        return f"{self.zone}·{self.code}" if self.zone_id else self.code


def _shared_with(user) -> Q:
    from feidi.registry.models import enclave_zones

    own, _linked = enclave_zones(user)
    return Q(home_zone_id__in=own) | Q(enclave_zone_id__in=own) if own else Q(pk__in=[])
