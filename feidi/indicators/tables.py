from django.utils.translation import gettext_lazy as _

from feidi.core.tables import (
    BadgeColumn,
    ChoiceColumn,
    Column,
    DecimalColumn,
    MonthColumn,
    PercentColumn,
    RelatedColumn,
    Table,
)

from .models import Indicator


class IndicatorValueTable(Table):
    default_order = "-period"
    organization = RelatedColumn(_("企业"))
    indicator = RelatedColumn(_("指标"), by="order")
    period = MonthColumn(_("月份"))
    value = DecimalColumn(_("数值"))
    source = ChoiceColumn(_("来源"))
    confirmed_warning = Column(_("已确认的提醒"), sortable=False)
    entered_at = Column(_("填报时间"))


class IndicatorTable(Table):
    model = Indicator
    default_order = "order"
    fields = ("name", "code", "unit", "kind", "above_scale_only", "required", "warn_ratio", "active")
    name = Column(accessor="name_shown", order_by="name", link=True)
    unit = Column(accessor="unit_shown", order_by="unit")
    kind = ChoiceColumn()
    above_scale_only = Column(_("仅规上"))


class MuRuleTable(Table):
    default_order = "-year"
    year = Column(_("年度"), link=True, render=None)
    department = RelatedColumn(_("园区"), by="path")
    land_threshold = Column(_("参评用地下限（亩）"))
    evaluated_at = Column(_("最近评价时间"))


GRADE_COLORS = {"A": "green", "B": "blue", "C": "orange", "D": "red"}


class _PerMuColumn(Column):
    """元 per 亩 shown in 万元 with two decimals; the export has the 万元 figure."""

    def display(self, row):
        return f"{self.value(row) / 10000:,.2f}"

    def export_cell(self, row):
        return float(self.value(row) / 10000)


class MuResultTable(Table):
    default_order = "-score"
    organization = RelatedColumn(_("企业"), link=True)
    year = Column(_("年度"), accessor="rule.year", order_by="rule__year")
    land = Column(_("用地（亩）"))
    m_tax = _PerMuColumn(_("亩均税收（万元/亩）"))
    m_output = _PerMuColumn(_("亩均营收（万元/亩）"))
    m_rd = PercentColumn(_("研发强度"), digits=2)
    score = Column(_("得分"))
    grade = BadgeColumn(_("类别"), GRADE_COLORS, export_value=lambda r: r.grade)


class RankingRuleTable(Table):
    default_order = "name"
    name = Column(_("名称"), link=True)
    department = RelatedColumn(_("园区"), by="path")
    subject = ChoiceColumn(_("排名对象"))
    bottom_count = Column(_("末位表态名次数"))


class RankingRunTable(Table):
    default_order = "-month"
    title = Column(_("排名"), accessor="__str__", sortable=False, link=True)
    month = MonthColumn(_("月份"))
    computed_at = Column(_("计算时间"))


class ZoneFigureTable(Table):
    default_order = "-period"
    zone = RelatedColumn(_("园区"), link=True)
    indicator = RelatedColumn(_("指标"), by="order")
    period = MonthColumn(_("月份"))
    value = DecimalColumn(_("累计值"))
    growth = PercentColumn(_("同比"))
    real_growth = PercentColumn(_("可比价同比"))
    source = Column(_("来源"), sortable=False)


class RegionFigureTable(Table):
    default_order = "-period"
    name = Column(_("地区"), link=True)
    level = Column(_("层级"), render=lambda r: r.get_level_display())
    indicator = RelatedColumn(_("指标"), by="order")
    period = MonthColumn(_("月份"))
    value = DecimalColumn(_("累计值"))
    growth = PercentColumn(_("同比（名义）"))
    real_growth = PercentColumn(_("可比价同比"))
    deflator = Column(_("价格指数"), render=lambda r: "—" if r.deflator is None else f"{r.deflator.normalize()}")
    source = Column(_("来源"), sortable=False)


class BenefitShareTable(Table):
    default_order = "organization__name"
    organization = RelatedColumn(_("企业"), link=True)
    agreement = RelatedColumn(_("协议"), by="title")
    home_zone = RelatedColumn(_("本地园区"))
    enclave_zone = RelatedColumn(_("飞地一方"))
    output_share_home = Column(_("统计分算·本地(%)"))
    tax_share_home = Column(_("税收分成·本地(%)"))
    since = Column(_("起始"))
    until = Column(_("截止"))
